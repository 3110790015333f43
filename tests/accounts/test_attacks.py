"""The attacks a learner's account must withstand: session fixation, CSRF, other learners' ids,
brute force, and telling usernames apart."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.support.learners import PASSWORD, Browser

FOREIGN = {"origin": "https://evil.example"}


def test_session_fixation_a_token_from_before_sign_in_is_dead_after_it(browser: Browser, other_browser: Browser, app):
    other_browser.signup("ada")
    browser.guest()
    planted = browser.client.cookies["glossa_session"]  # what an attacker could have set
    assert browser.signin("ada").status_code == 200
    assert browser.client.cookies["glossa_session"] != planted
    attacker = TestClient(app, cookies={"glossa_session": planted})
    assert attacker.get("/api/me").status_code == 401
    # Signing up turns a guest into an account, with a new token too.
    fresh = Browser(TestClient(app))
    fresh.guest()
    before = fresh.client.cookies["glossa_session"]
    fresh.signup("grace")
    assert fresh.client.cookies["glossa_session"] != before


# Every state-changing route, with a body it would accept.
JSON_ROUTES = [
    ("POST", "/api/auth/guest", None),
    ("POST", "/api/auth/signup", {"username": "eve", "password": PASSWORD}),
    ("POST", "/api/auth/signin", {"username": "ada", "password": PASSWORD}),
    ("POST", "/api/auth/signout", None),
    ("POST", "/api/auth/signout-everywhere", None),
    ("PUT", "/api/me/password", {"current": PASSWORD, "new": "another long secret"}),
    ("DELETE", "/api/me/sessions/{session_id}", None),
    ("POST", "/api/tokens", {"name": "x"}),
    ("DELETE", "/api/tokens/{token_id}", None),
    ("DELETE", "/api/me", {"confirm": "ada"}),
    ("POST", "/api/study/reviews", {"card_id": "k-means:name", "rating": 3}),
    ("POST", "/api/study/undo", None),
    ("PUT", "/api/study/settings", {"new_per_day": 5}),
    ("POST", "/api/quiz", {"scope": "all", "n": 2, "direction": "definition"}),
    ("POST", "/api/quiz/{quiz_id}/answers", {"question_id": "1", "option_id": "1"}),
    ("POST", "/api/quiz/{quiz_id}/retry", None),
]
FORM_ROUTES = [
    ("/signin", {"username": "ada", "password": PASSWORD}),
    ("/signup", {"username": "eve", "password": PASSWORD}),
    ("/guest", {}),
    ("/signout", {}),
    ("/account/password", {"current": PASSWORD, "new": "another long secret"}),
    ("/account/sessions/{session_id}/end", {}),
    ("/account/signout-everywhere", {}),
    ("/account/tokens", {"name": "x"}),
    ("/account/tokens/{token_id}/revoke", {}),
    ("/account/delete", {"confirm": "ada"}),
    ("/study/start", {"scope": "all"}),
    ("/study/review", {"card_id": "k-means:name", "rating": "3"}),
    ("/study/undo", {}),
    ("/quiz", {"scope": "all", "n": "2", "direction": "definition"}),
    ("/quiz/{quiz_id}/answer", {"question_id": "1", "option": "1"}),
    ("/quiz/{quiz_id}/retry", {}),
]


def test_the_csrf_lists_cover_every_state_changing_route(app):
    from tests.web.test_concurrency import api_routes

    changing = {(m, path) for path, route in api_routes(app.routes) for m in route.methods - {"GET", "HEAD"}}
    listed = {(m, p) for m, p, _ in JSON_ROUTES} | {("POST", p) for p, _ in FORM_ROUTES}
    assert changing == listed


@pytest.fixture
def ada(browser: Browser) -> dict[str, str]:
    browser.signup("ada")
    token = browser.post("/api/tokens", json={"name": "t"}).json()["id"]
    session = browser.client.get("/api/me/sessions").json()[0]["id"]
    quiz = browser.post("/api/quiz", json={"scope": "all", "n": 2, "direction": "definition"}).json()["id"]
    return {"session_id": session, "token_id": token, "quiz_id": quiz, "csrf": browser.csrf()}


def _unchanged(browser: Browser) -> None:
    me = browser.client.get("/api/me")
    assert me.status_code == 200 and me.json()["username"] == "ada"
    assert len(browser.client.get("/api/tokens").json()) == 1
    assert browser.client.get("/api/study/cards", params={"state": "learning"}).json()["total"] == 0
    assert browser.client.get("/api/study/settings").json()["new_per_day"] == 20


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_json_with_the_cookie_but_without_the_token_is_refused(browser: Browser, ada, method, path, body):
    r = browser.client.request(method, path.format(**ada), json=body)
    assert r.status_code == 403 and "CSRF token" in r.json()["detail"]
    r = browser.client.request(method, path.format(**ada), json=body, headers={"x-csrf-token": "forged"})
    assert r.status_code == 403
    _unchanged(browser)


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_a_request_from_another_site_is_refused_even_with_the_token(browser: Browser, ada, method, path, body):
    r = browser.client.request(method, path.format(**ada), json=body, headers={"x-csrf-token": ada["csrf"], **FOREIGN})
    assert r.status_code == 403 and "another site" in r.json()["detail"]
    r = browser.client.request(
        method, path.format(**ada), json=body, headers={"x-csrf-token": ada["csrf"], "sec-fetch-site": "cross-site"}
    )
    assert r.status_code == 403
    _unchanged(browser)


@pytest.mark.parametrize(("path", "form"), FORM_ROUTES)
def test_a_form_without_the_token_is_refused(browser: Browser, ada, path, form):
    r = browser.client.post(path.format(**ada), data=form, headers={"accept": "text/html"})
    assert r.status_code == 403 and "CSRF token" in r.text and "<html" in r.text
    r = browser.client.post(path.format(**ada), data={**form, "csrf_token": ada["csrf"]}, headers=FOREIGN)
    assert r.status_code == 403
    _unchanged(browser)


def test_a_form_before_sign_in_needs_the_token_of_its_page(app):
    visitor = TestClient(app)
    assert visitor.post("/guest", data={}).status_code == 403
    page = visitor.get("/signin").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert visitor.post("/guest", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert visitor.get("/api/me").json()["guest"] is True


def test_one_learner_can_reach_nothing_of_another_through_any_id(browser: Browser, other_browser: Browser, ada):
    other_browser.signup("mallory")
    m = other_browser
    attempts = [
        m.client.delete(f"/api/me/sessions/{ada['session_id']}", headers={"x-csrf-token": m.csrf()}),
        m.client.delete(f"/api/tokens/{ada['token_id']}", headers={"x-csrf-token": m.csrf()}),
        m.client.post(f"/account/sessions/{ada['session_id']}/end", data={"csrf_token": m.csrf()}),
        m.client.post(f"/account/tokens/{ada['token_id']}/revoke", data={"csrf_token": m.csrf()}),
        m.client.get(f"/api/quiz/{ada['quiz_id']}"),
        m.client.post(
            f"/api/quiz/{ada['quiz_id']}/answers",
            json={"question_id": "1", "option_id": "1"},
            headers={"x-csrf-token": m.csrf()},
        ),
        m.client.post(f"/api/quiz/{ada['quiz_id']}/retry", headers={"x-csrf-token": m.csrf()}),
        m.client.get(f"/quiz/{ada['quiz_id']}"),
        m.client.post(
            f"/quiz/{ada['quiz_id']}/answer", data={"question_id": "1", "option": "1", "csrf_token": m.csrf()}
        ),
        m.client.post(f"/quiz/{ada['quiz_id']}/retry", data={"csrf_token": m.csrf()}),
    ]
    assert [r.status_code for r in attempts] == [404] * 10
    assert browser.client.get(f"/api/quiz/{ada['quiz_id']}").json()["answered"] == 0
    assert ada["token_id"] not in str(m.client.get("/api/tokens").json())
    assert ada["session_id"] not in str(m.client.get("/api/me/sessions").json())
    # Her name as a value, and her ids: "ada" alone also turns up inside random hex ids (1 run in ~80).
    export = m.client.get("/api/me/export").text
    assert '"ada"' not in export and not [v for k, v in ada.items() if k != "csrf" and v in export]
    _unchanged(browser)


def test_every_route_that_takes_an_id_is_walked_above(app):
    from tests.web.test_concurrency import api_routes

    with_ids = {
        path
        for path, route in api_routes(app.routes)
        if "{" in path and not any(part in path for part in ("/entries/", "/categories/", "/tags/", "/paths/"))
    }
    assert with_ids == {
        "/api/me/sessions/{session_id}",
        "/api/tokens/{token_id}",
        "/account/sessions/{session_id}/end",
        "/account/tokens/{token_id}/revoke",
        "/api/quiz/{quiz_id}",
        "/api/quiz/{quiz_id}/answers",
        "/api/quiz/{quiz_id}/retry",
        "/quiz/{quiz_id}",
        "/quiz/{quiz_id}/answer",
        "/quiz/{quiz_id}/retry",
    }


def test_brute_force_on_one_name_and_from_one_address_gets_429(browser: Browser, other_browser: Browser, app):
    other_browser.signup("ada")
    codes = [browser.signin("ada", f"guess number {i:04d}").status_code for i in range(11)]
    assert codes == [401] * 10 + [429]
    locked = browser.signin("ada")  # even the right password waits now
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "too many" in locked.json()["detail"]
    many = [browser.signin(f"user{i}", "some long guess").status_code for i in range(25)]
    assert many[-1] == 429 and set(many[:18]) == {401}  # 30 per address, counting those above


def test_unknown_name_and_wrong_password_look_the_same(browser: Browser, other_browser: Browser, app, monkeypatch):
    other_browser.signup("ada")
    from pwdlib import PasswordHash

    checks: list[str] = []
    verify, update = PasswordHash.verify, PasswordHash.verify_and_update
    monkeypatch.setattr(PasswordHash, "verify", lambda self, p, h: checks.append("hash") or verify(self, p, h))
    monkeypatch.setattr(
        PasswordHash, "verify_and_update", lambda self, p, h: checks.append("hash") or update(self, p, h)
    )
    unknown = browser.signin("nobody-here", "a wrong password")
    wrong = browser.signin("ada", "a wrong password")
    assert (
        (unknown.status_code, unknown.json())
        == (wrong.status_code, wrong.json())
        == (401, {"detail": "wrong username or password"})
    )
    assert checks == ["hash", "hash"]  # one Argon2 check each: the same work, so about the same time


def test_no_secret_reaches_the_log(browser: Browser, caplog):
    with caplog.at_level(logging.DEBUG):
        browser.signup("ada")
        token = browser.post("/api/tokens", json={"name": "t"}).json()["token"]
        browser.signin("ada", "a wrong password")
        browser.client.post("/api/auth/signup", json={"username": "bob", "password": "short"})
        session = browser.client.cookies.get("glossa_session")
    for secret in (PASSWORD, "a wrong password", token, session):
        assert secret not in caplog.text


def test_cookie_flags(app, settings):
    plain = TestClient(app).post("/api/auth/guest").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=lax" in plain and "Path=/" in plain and "Max-Age=15552000" in plain
    assert "Secure" not in plain
    https = TestClient(app, base_url="https://testserver").post("/api/auth/guest").headers["set-cookie"]
    assert "Secure" in https


def test_behind_a_trusted_proxy_https_and_the_client_address_come_from_its_headers(settings):
    from app.main import create_app

    settings.trusted_proxies = "testclient"
    proxied = TestClient(create_app(settings))
    r = proxied.post("/api/auth/guest", headers={"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"})
    assert r.status_code == 201 and "Secure" in r.headers["set-cookie"]
