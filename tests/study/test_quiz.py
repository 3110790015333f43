"""Quizzes: distractors over the whole shipped glossary, the JSON contract, the scheduler fed by
answers, and the pages with plain forms (no JavaScript)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.content.decks import DeckReader
from app.names import name_key
from app.site import open_site
from app.study.distractors import (
    DEFINITION,
    NAME,
    Pool,
    load_pool,
    make_term,
    mask,
    option_html,
    prompt_html,
    question_options,
)
from app.study.quiz import Quizzes
from tests.study.conftest import queue
from tests.support.learners import Browser

CONTENT = Path(__file__).resolve().parents[2] / "content"
HTML = {"accept": "text/html"}


# -- distractors over every entry of the shipped glossary -------------------------------------
@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> tuple[Pool, int]:
    """The distractor pool of the shipped glossary, and how many entries it has."""
    site = open_site(Settings(content_dir=CONTENT, data_dir=tmp_path_factory.mktemp("shipped")), serve=False)
    site.update()
    try:
        return load_pool(site.reader, DeckReader(site.reader).index()), site.reader.status().entries
    finally:
        site.close()


def names_of(pool: Pool, slug: str) -> list[str]:
    term = pool.terms[slug]
    return [term.title, *term.aliases]


def says(text: str, name: str) -> bool:
    """A whole-word mention, in any case: what a reader would notice."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("direction", [DEFINITION, NAME])
def test_every_entry_gets_four_options_one_right_none_that_gives_it_away(shipped, direction):
    shipped, entries = shipped
    assert len(shipped.terms) == entries >= 300  # every entry can be asked about
    for slug, term in shipped.terms.items():
        options = question_options(shipped, term, direction, seed="fixed")
        assert options is not None, slug
        assert len(options) == 4 and len(set(options)) == 4, slug
        assert options.count(slug) == 1, slug
        answer_names = names_of(shipped, slug)
        answer_keys = {name_key(n) for n in answer_names}
        prompt = html.unescape(prompt_html(term, direction))
        texts = [html.unescape(option_html(shipped.terms[o], direction)) for o in options]
        assert len({name_key(t) for t in texts}) == 4, (slug, texts)  # no two options read the same
        for other in (o for o in options if o != slug):
            # never an alias or a synonym of the answer, nor an option that names it
            assert not answer_keys & {name_key(n) for n in names_of(shipped, other)}, (slug, other)
            text = html.unescape(option_html(shipped.terms[other], direction))
            assert not any(says(text, n) for n in answer_names), (slug, other, text)
        for a in options:  # no two options are one term under two names
            for b in options:
                if a != b:
                    assert not {name_key(n) for n in names_of(shipped, a)} & {name_key(n) for n in names_of(shipped, b)}
        if direction == DEFINITION:
            assert not any(says(prompt, n) for n in answer_names), (slug, prompt)
        else:
            assert term.title in prompt
            assert not any(says(t, n) for t in texts for n in answer_names), (slug, texts)  # the right one masked too


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("precision", "recall"),
        ("bagging", "boosting"),
        ("compute-instance", "compute-cluster"),
        ("overfitting", "underfitting"),
    ],
)
def test_look_alike_pairs_are_offered_against_each_other(shipped, a, b):
    shipped, _ = shipped
    for x, y in ((a, b), (b, a)):
        offered = sum(
            y in (question_options(shipped, shipped.terms[x], direction, str(seed)) or [])
            for direction in (DEFINITION, NAME)
            for seed in range(20)
        )
        assert offered >= 20, (x, y, offered)  # in at least half of the quizzes asking about x


def test_the_same_quiz_id_makes_the_same_question_and_others_vary(shipped):
    shipped, _ = shipped
    term = shipped.terms["precision"]
    assert question_options(shipped, term, DEFINITION, "q1") == question_options(shipped, term, DEFINITION, "q1")
    variants = {tuple(question_options(shipped, term, DEFINITION, str(seed)) or []) for seed in range(10)}
    assert len(variants) > 3


def test_a_definition_hides_plurals_of_its_term_too(shipped):
    shipped, _ = shipped
    prompt = prompt_html(shipped.terms["epoch"], DEFINITION)
    assert "[…]" in prompt and not says(prompt, "epochs") and not says(prompt, "epoch")


def test_a_name_inside_a_longer_one_is_hidden_with_it():
    term = make_term("k-means", "K-means clustering", ["k means", "KMC"], "", "clustering", set())
    text = "K-means clustering (k-means, KMC) splits points; k means clusterings are fast."
    assert mask(text, term.names) == "[…] ([…], […]) splits points; […] are fast."


# -- the JSON API, on the small sample glossary ------------------------------------------------
def make(learner: Browser, **body) -> dict:
    r = learner.post("/api/quiz", json={"scope": "all", "n": 10, "direction": "definition", **body})
    assert r.status_code == 201, r.text
    return r.json()


def reply(learner: Browser, quiz: dict, question: dict, option_id: str):
    return learner.post(f"/api/quiz/{quiz['id']}/answers", json={"question_id": question["id"], "option_id": option_id})


def right_option(app, learner_id: str, quiz_id: str, question_id: str) -> tuple[str, str]:
    """The right option's id and entry slug (a test peeks; a learner cannot)."""
    view = Quizzes(app.state.site.study).get(learner_id, quiz_id)
    q = view.question(question_id)
    return q.right.id, q.right.slug


def test_a_quiz_has_the_promised_shape(learner):
    quiz = make(learner, n=4)
    assert set(quiz) >= {"id", "questions"} and len(quiz["questions"]) == 4
    for q in quiz["questions"]:
        assert set(q) >= {"id", "prompt_html", "options"} and q["prompt_html"]
        assert [o["id"] for o in q["options"]] == ["1", "2", "3", "4"] and all(o["html"] for o in q["options"])
    assert len(make(learner, n=50)["questions"]) == 6  # the sample has six entries


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"n": 0}, 422, "n"),
        ({"n": 51}, 422, "n"),
        ({"direction": "sideways"}, 422, "direction"),
        ({"scope": "nonsense:x"}, 422, "scope"),
        ({"scope": "category:astrology"}, 404, "no category"),
        ({"scope": "lapses"}, 422, "nothing to quiz"),
    ],
)
def test_bad_requests_get_a_reason(learner, body, status, words):
    r = learner.post("/api/quiz", json={"scope": "all", "n": 5, "direction": "name", **body})
    assert r.status_code == status and words in r.json()["detail"], r.text


def test_an_answer_says_what_was_right_and_why_each_other_option_is_not(learner, app):
    me = learner.client.get("/api/me").json()["id"]
    quiz = make(learner)
    q = quiz["questions"][0]
    right, slug = right_option(app, me, quiz["id"], q["id"])
    r = reply(learner, quiz, q, right)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["correct"] is True and body["correct_option_id"] == right
    assert sorted(e["option_id"] for e in body["explanations"]) == sorted({"1", "2", "3", "4"} - {right})
    for e in body["explanations"]:
        assert e["url"].startswith("/entries/") and e["url"] != f"/entries/{slug}" and "</strong>: " in e["html"]
    again = reply(learner, quiz, q, right)
    assert again.status_code == 409 and "answered already" in again.json()["detail"]
    wrong = next(
        o["id"] for o in quiz["questions"][1]["options"] if o["id"] != right_option(app, me, quiz["id"], "2")[0]
    )
    assert reply(learner, quiz, quiz["questions"][1], wrong).json()["correct"] is False
    state = learner.client.get(f"/api/quiz/{quiz['id']}").json()
    assert (state["answered"], state["score"]) == (2, 1)
    assert [q["correct"] for q in state["questions"][:3]] == [True, False, None]


def test_unknown_questions_and_options_are_refused_with_a_reason(learner):
    quiz = make(learner, n=3)
    url = f"/api/quiz/{quiz['id']}/answers"
    for body, status, words in [
        ({"question_id": "9", "option_id": "1"}, 404, "no question"),
        ({"question_id": "one", "option_id": "1"}, 404, "no question"),
        ({"question_id": "1", "option_id": "5"}, 422, "option_id"),
        ({"question_id": "1", "option_id": "x"}, 422, "option_id"),
        ({"question_id": "1", "option_id": "²"}, 422, "option_id"),
        ({"question_id": "1"}, 422, "option_id"),
    ]:
        r = learner.post(url, json=body)
        assert r.status_code == status and words in r.json()["detail"], (body, r.text)
    assert learner.post(url, json={"question_id": 1, "option_id": 2}).status_code == 200  # numbers work too


def test_another_learners_quiz_is_as_missing_as_one_that_never_was(learner, app):
    quiz = make(learner, n=2)
    other = Browser(TestClient(app))
    other.guest()
    theirs = other.client.get(f"/api/quiz/{quiz['id']}")
    missing = other.client.get("/api/quiz/" + "0" * 32)
    for odd in ("x" * 60, "%00" + "0" * 29, "Ａ" * 32):
        assert other.client.get(f"/api/quiz/{odd}").status_code == 404
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(quiz["id"], "ID") == missing.json()["detail"].replace("0" * 32, "ID")
    for path in (f"/api/quiz/{quiz['id']}/answers", f"/api/quiz/{quiz['id']}/retry"):
        r = other.post(path, json={"question_id": "1", "option_id": "1"})
        assert r.status_code == 404
    assert learner.client.get(f"/api/quiz/{quiz['id']}").json()["answered"] == 0  # untouched


def test_cookie_requests_need_the_csrf_token_and_token_scripts_do_not(learner, app):
    r = learner.client.post("/api/quiz", json={"scope": "all", "n": 2})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    quiz = make(learner, n=2)
    r = learner.client.post(f"/api/quiz/{quiz['id']}/answers", json={"question_id": "1", "option_id": "1"})
    assert r.status_code == 403
    learner.signup("quizzer")
    token = learner.post("/api/tokens", json={"name": "quiz script"}).json()["token"]
    script = TestClient(app)
    auth = {"authorization": f"Bearer {token}"}
    made = script.post("/api/quiz", json={"n": 2, "direction": "name"}, headers=auth)
    assert made.status_code == 201
    answered = script.post(
        f"/api/quiz/{made.json()['id']}/answers", json={"question_id": "1", "option_id": "1"}, headers=auth
    )
    assert answered.status_code == 200
    assert TestClient(app).post("/api/quiz", json={"n": 2}).status_code == 401  # nobody at all


def test_a_wrong_answer_brings_the_card_back_in_review_and_a_right_one_is_good(learner, app, clock):
    me = learner.client.get("/api/me").json()["id"]
    study = app.state.site.study
    quiz = make(learner, n=2, direction="definition")
    first, second = quiz["questions"]
    right, slug = right_option(app, me, quiz["id"], first["id"])
    wrong = next(o["id"] for o in first["options"] if o["id"] != right)
    assert reply(learner, quiz, first, wrong).json()["correct"] is False
    clock.advance(minutes=2)
    cards = {c["id"]: c for c in queue(learner, f"entry:{slug}")["cards"]}
    assert cards[f"{slug}:meaning"]["state"] in ("learning", "relearning")  # back today, in review
    assert [r.rating for r in study.card_log(me, f"{slug}:meaning")] == [1]
    right2, slug2 = right_option(app, me, quiz["id"], second["id"])
    reply(learner, quiz, second, right2)
    assert [r.rating for r in study.card_log(me, f"{slug2}:meaning")] == [3]
    # A quiz on names schedules the other card of the entry
    named = make(learner, n=1, direction="name")
    r_id, r_slug = right_option(app, me, named["id"], "1")
    clock.advance(seconds=10)
    reply(learner, named, named["questions"][0], r_id)
    assert [r.rating for r in study.card_log(me, f"{r_slug}:name")] == [3]
    # The answer is a review like any other: it can be undone
    assert learner.post("/api/study/undo").json()["card"]["id"] == f"{r_slug}:name"
    assert study.card_log(me, f"{r_slug}:name")[0].undone


def test_a_quiz_on_an_entry_asks_about_that_entry_first(learner, app):
    me = learner.client.get("/api/me").json()["id"]
    for _ in range(5):  # whatever the quiz's random seed
        quiz = make(learner, n=3, scope="entry:inertia")
        assert right_option(app, me, quiz["id"], "1")[1] == "inertia" and quiz["title"].startswith("Inertia")


def test_an_answer_retried_after_a_failure_is_scheduled_once(learner, app, monkeypatch):
    import app.study.quiz as quiz_module
    from app.state import StateUnavailable

    me = learner.client.get("/api/me").json()["id"]
    quiz = make(learner, n=1)
    q = quiz["questions"][0]
    right, slug = right_option(app, me, quiz["id"], q["id"])
    real_update = quiz_module.update

    def store_fails_once(*args, **kwargs):
        monkeypatch.setattr(quiz_module, "update", real_update)
        raise StateUnavailable("the state store went away for a moment")

    monkeypatch.setattr(quiz_module, "update", store_fails_once)
    assert reply(learner, quiz, q, right).status_code == 503  # scheduled, but not recorded in the quiz
    assert reply(learner, quiz, q, right).json()["correct"] is True  # the learner tries again
    assert reply(learner, quiz, q, "2").status_code == 409
    assert [r.rating for r in app.state.site.study.card_log(me, f"{slug}:meaning")] == [3]


def test_retry_makes_a_quiz_of_only_the_missed_entries(learner, app):
    me = learner.client.get("/api/me").json()["id"]
    quiz = make(learner, n=6)
    missed = set()
    for n, q in enumerate(quiz["questions"]):
        right, slug = right_option(app, me, quiz["id"], q["id"])
        if n % 2:
            reply(learner, quiz, q, right)
        else:
            reply(learner, quiz, q, next(o["id"] for o in q["options"] if o["id"] != right))
            missed.add(slug)
    r = learner.post(f"/api/quiz/{quiz['id']}/retry")
    assert r.status_code == 201, r.text
    retry = r.json()
    assert retry["retry_of"] == quiz["id"] and retry["direction"] == "definition" and "missed" in retry["title"]
    asked = {right_option(app, me, retry["id"], q["id"])[1] for q in retry["questions"]}
    assert asked == missed and len(retry["questions"]) == 3
    for q in retry["questions"]:
        reply(learner, retry, q, right_option(app, me, retry["id"], q["id"])[0])
    r = learner.post(f"/api/quiz/{retry['id']}/retry")
    assert r.status_code == 409 and "missed no question" in r.json()["detail"]


# -- pages, with forms alone --------------------------------------------------------------------
def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_visitor_takes_a_quiz_with_forms_and_retries_the_missed_ones(app):
    visitor = TestClient(app)
    start = visitor.get("/quiz", headers=HTML).text
    assert 'name="n"' in start and 'value="category:clustering"' in start
    form = {"csrf_token": token(start), "scope": "all", "n": "4", "direction": "definition"}
    r = visitor.post("/quiz", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/quiz/")
    assert "glossa_session" in r.cookies  # the first quiz made a guest
    page = visitor.get(r.headers["location"]).text
    for n in range(4):
        assert f"Question {n + 1} of 4" in page and "You study as a guest" in page
        keys = re.findall(r'name="option" value="(\d)" class="quiz-option" data-key="\d"', page)
        assert keys == ["1", "2", "3", "4"]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        action = re.search(r'action="(/quiz/[^"]+/answer)"', page).group(1)
        r = visitor.post(action, data={**fields, "option": "1" if n < 2 else "2"}, follow_redirects=False)
        assert r.status_code == 303
        page = visitor.get(r.headers["location"]).text
        assert 'role="status"' in page and ("Right." in page or "Not this time." in page)
        assert page.count('class="option-why"') == 4 and 'id="quiz-next"' in page
        # sent twice (a double click): the same feedback, no error
        again = visitor.post(action, data={**fields, "option": "3"})
        assert again.status_code == 200 and 'id="quiz-next"' in again.text
        page = visitor.get(re.search(r'id="quiz-next" href="([^"]+)"', page).group(1).replace("&amp;", "&")).text
    score = re.search(r'<h1 id="score">(\d) of 4 right</h1>', page)
    assert score, page
    missed = 4 - int(score.group(1))
    if missed:
        assert f"Retry the {missed} I missed" in page
        r = visitor.post(re.search(r'action="(/quiz/[^"]+/retry)"', page).group(1), data={"csrf_token": token(page)})
        assert r.status_code == 200 and f"Question 1 of {missed}" in r.text


def test_a_bad_quiz_form_explains_itself_and_makes_no_guest(app):
    visitor = TestClient(app)
    start = visitor.get("/quiz", headers=HTML).text
    r = visitor.post(
        "/quiz",
        data={"csrf_token": token(start), "scope": "category:astrology", "n": "5"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 404 and "no category" in r.text and "glossa_session" not in r.cookies
    r = visitor.post("/quiz", data={"csrf_token": token(start), "n": "80"}, headers=HTML)
    assert r.status_code == 422 and "glossa_session" not in r.cookies


def test_someone_elses_quiz_page_is_not_found(learner, app):
    quiz = make(learner, n=2)
    other = TestClient(app)
    assert other.get(f"/quiz/{quiz['id']}", headers=HTML).status_code == 404
    assert learner.client.get(f"/quiz/{quiz['id']}", headers=HTML).status_code == 200


# -- a learner's quizzes in their life cycle ------------------------------------------------------
def test_quizzes_are_exported_follow_a_guest_into_an_account_and_go_with_the_learner(learner, app, settings):
    from tests.support.state_rows import snapshot

    quiz = make(learner, n=2)
    reply(learner, quiz, quiz["questions"][0], "2")
    exported = learner.client.get("/api/me/export").json()["quizzes"]
    assert [q["id"] for q in exported] == [quiz["id"]]
    assert [q["chosen"] for q in exported[0]["questions"]] == [1, None]
    account = Browser(TestClient(app))
    account.guest()
    account.signup("ada")
    assert learner.signin("ada", merge_guest=True).status_code == 200
    assert learner.client.get(f"/api/quiz/{quiz['id']}").json()["answered"] == 1  # the account has it now
    r = learner.client.request("DELETE", "/api/me", json={"confirm": "ada"}, headers={"x-csrf-token": learner.csrf()})
    assert r.status_code == 204
    rows = snapshot(settings.state_db_url)
    assert not [(t, row) for t, rs in rows.items() for row in rs if quiz["id"] in map(str, row)]
