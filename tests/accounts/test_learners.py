"""From guest to account to a second device, without losing anything; and the account's own
business: password, sessions, tokens, export, deletion."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.accounts.service import MERGERS
from tests.support.learners import PASSWORD, Browser


def test_a_guest_becomes_an_account_and_signs_in_on_another_device(browser: Browser, other_browser: Browser):
    guest = browser.guest()
    assert guest["guest"] is True and guest["username"] is None
    account = browser.signup("ada")
    assert account == {"id": guest["id"], "username": "ada", "guest": False}  # the same learner
    r = other_browser.signin("ADA")  # usernames ignore case
    assert r.status_code == 200 and r.json()["learner"]["id"] == guest["id"]
    me = other_browser.client.get("/api/me").json()
    assert (me["id"], me["username"], me["guest"]) == (guest["id"], "ada", False) and me["csrf_token"]


def test_a_guest_who_signs_in_chooses_to_merge_or_leave(browser: Browser, other_browser: Browser, monkeypatch):
    account = other_browser.signup("grace")
    merged: list[tuple[str, str]] = []
    monkeypatch.setattr("app.accounts.service.MERGERS", [*MERGERS, lambda s, old, new: merged.append((old, new))])
    left_alone = browser.guest()
    assert browser.signin("grace").status_code == 200  # merge_guest false: the guest is left as it was
    assert merged == []
    browser.post("/api/auth/signout")
    merging = browser.guest()
    assert browser.signin("grace", merge_guest=True).status_code == 200
    assert merged == [(merging["id"], account["id"])]
    assert left_alone["id"] != merging["id"]


def test_signup_refuses_bad_names_weak_passwords_and_taken_names(browser: Browser, other_browser: Browser):
    c = browser.client
    for username, password, reason in [
        ("ab", PASSWORD, "3 to 32 characters"),
        ("has space", PASSWORD, "3 to 32 characters"),
        ("x" * 33, PASSWORD, "3 to 32 characters"),
        ("ada", "short", "at least 10 characters"),
        ("ada", "qwertyuiop", "common passwords"),
        ("ada", "Password123", "common passwords"),
        ("ada", "aaaaaaaaaaaa", "repeats"),
        ("ada", "ada-is-my-password", "must not contain the username"),
    ]:
        r = c.post("/api/auth/signup", json={"username": username, "password": password})
        assert r.status_code == 422 and reason in r.json()["detail"], (username, r.json())
        assert password not in r.text
    other_browser.signup("Ada.L")
    r = c.post("/api/auth/signup", json={"username": "ada.l", "password": PASSWORD})
    assert r.status_code == 409 and r.json() == {"detail": "that username is taken"}


def test_changing_the_password_ends_every_other_session(browser: Browser, other_browser: Browser):
    browser.signup("ada")
    assert other_browser.signin("ada").status_code == 200
    r = browser.client.put(
        "/api/me/password",
        json={"current": "wrong one entirely", "new": "a new long secret"},
        headers={"x-csrf-token": browser.csrf()},
    )
    assert r.status_code == 403
    r = browser.client.put(
        "/api/me/password",
        json={"current": PASSWORD, "new": "a new long secret"},
        headers={"x-csrf-token": browser.csrf()},
    )
    assert r.status_code == 204
    assert browser.client.get("/api/me").status_code == 200  # this session goes on, with a new token
    assert other_browser.client.get("/api/me").status_code == 401  # the other ended at once
    assert other_browser.signin("ada").status_code == 401
    assert other_browser.signin("ada", "a new long secret").status_code == 200


def test_sessions_are_listed_and_ended_one_by_one_or_everywhere(browser: Browser, other_browser: Browser, app):
    browser.signup("ada")
    other_browser.signin("ada")
    third = Browser(TestClient(app))
    third.signin("ada")
    sessions = browser.client.get("/api/me/sessions").json()
    assert len(sessions) == 3 and [s["current"] for s in sessions].count(True) == 1
    other = next(s for s in sessions if not s["current"])
    assert (
        browser.client.delete(f"/api/me/sessions/{other['id']}", headers={"x-csrf-token": browser.csrf()}).status_code
        == 204
    )
    assert len(browser.client.get("/api/me/sessions").json()) == 2
    assert browser.post("/api/auth/signout-everywhere").status_code == 204
    for device in (browser, other_browser, third):
        assert device.client.get("/api/me").status_code == 401


def test_api_tokens_are_shown_once_used_listed_and_revoked(browser: Browser, app):
    browser.signup("ada")
    made = browser.post("/api/tokens", json={"name": "my  flashcard script"}).json()
    assert made["name"] == "my flashcard script" and made["token"].startswith("glossa_")
    script = TestClient(app)
    auth = {"authorization": f"Bearer {made['token']}"}
    assert script.get("/api/me", headers=auth).json()["username"] == "ada"
    # A script with a token needs no CSRF token: it has no cookie to forge.
    second = script.post("/api/tokens", json={"name": "second"}, headers=auth)
    assert second.status_code == 201
    listed = browser.client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["second", "my flashcard script"]
    assert "token" not in listed[0] and all(t["last_used"] for t in listed if t["id"] == made["id"])
    assert (
        browser.client.delete(f"/api/tokens/{made['id']}", headers={"x-csrf-token": browser.csrf()}).status_code == 204
    )
    refused = script.get("/api/me", headers=auth)
    assert refused.status_code == 401 and "not valid" in refused.json()["detail"]


def test_a_guest_cannot_make_tokens(browser: Browser):
    browser.guest()
    r = browser.post("/api/tokens", json={"name": "x"})
    assert r.status_code == 403 and "sign up" in r.json()["detail"]


def test_export_holds_what_is_stored_and_no_secret(browser: Browser):
    browser.signup("ada")
    token = browser.post("/api/tokens", json={"name": "cards"}).json()["token"]
    data = browser.client.get("/api/me/export").json()
    assert data["learner"]["username"] == "ada" and len(data["sessions"]) == 1
    assert [t["name"] for t in data["tokens"]] == ["cards"]
    text = str(data)
    assert token not in text and browser.client.cookies["glossa_session"] not in text and "hash" not in text


def test_deleting_an_account_needs_its_name_and_removes_every_row(browser: Browser, settings):
    from tests.support.state_rows import snapshot

    learner = browser.signup("ada")
    browser.post("/api/tokens", json={"name": "cards"})
    r = browser.client.request(
        "DELETE", "/api/me", json={"confirm": "someone"}, headers={"x-csrf-token": browser.csrf()}
    )
    assert r.status_code == 422 and "'ada'" in r.json()["detail"]
    r = browser.client.request("DELETE", "/api/me", json={"confirm": "ada"}, headers={"x-csrf-token": browser.csrf()})
    assert r.status_code == 204
    assert browser.client.get("/api/me").status_code == 401
    everything = snapshot(settings.state_db_url)
    assert not [(table, row) for table, rows in everything.items() for row in rows if learner["id"] in map(str, row)]
    assert browser.signin("ada").status_code == 401


def test_a_guest_deletes_itself_with_the_word_guest(browser: Browser):
    browser.guest()
    r = browser.client.request("DELETE", "/api/me", json={"confirm": "guest"}, headers={"x-csrf-token": browser.csrf()})
    assert r.status_code == 204
