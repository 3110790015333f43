"""Studying through the API: the queue, answers, undo, daily limits, isolation, the log."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.study.scheduler import replay
from tests.conftest import write_content
from tests.study.conftest import answer, queue
from tests.support.learners import Browser


def test_the_queue_offers_new_cards_foundations_first_one_per_entry_at_a_time(learner: Browser):
    q = queue(learner)
    assert q["counts"] == {"new": 12, "learning": 0, "review": 0} and q["title"] == "Everything"  # 6 entries, 2 each
    # Entries many others link to come first (k-means: 3 links in; the others 1 each, then A-Z), and each
    # entry's first card before any entry's second.
    assert [c["id"] for c in q["cards"]] == [
        f"{slug}:{key}"
        for key in ("name", "meaning")
        for slug in (
            "k-means",
            "backpropagation",
            "feature-scaling",
            "hierarchical-clustering",
            "inertia",
            "recurrent-neural-network",
        )
    ]
    first = q["cards"]
    card = first[0]
    assert card["state"] == "new" and card["due"] is None and card["kind"] == "name"
    assert card["intervals"] == {"1": 60, "2": 330, "3": 600, "4": 691200}  # fsrs: 1 min, 5.5 min, 10 min, 8 d
    assert card["entry"] == {"slug": "k-means", "title": "K-means clustering", "url": "/entries/k-means"}
    assert "<strong>K-means clustering</strong>" in card["front_html"] and "Splits points" in card["back_html"]


def test_due_reviews_come_first_most_overdue_first_then_learning_then_new(learner: Browser, clock):
    for card in ("inertia:name", "feature-scaling:name"):  # to review, a day apart
        answer(learner, card, 4)
        clock.advance(days=1)
    answer(learner, "backpropagation:name", 1)  # in learning
    clock.advance(days=40)
    q = queue(learner)
    assert [c["id"] for c in q["cards"][:3]] == ["inertia:name", "feature-scaling:name", "backpropagation:name"]
    assert [c["state"] for c in q["cards"][:4]] == ["review", "review", "learning", "new"]
    assert q["counts"]["review"] == 2 and q["counts"]["learning"] == 1


def test_a_short_queue_still_counts_everything_and_shows_each_reviews_schedule(learner: Browser, clock, app):
    for card in ("inertia:name", "feature-scaling:name", "k-means:name"):
        answer(learner, card, 4)
        clock.advance(days=1)
    clock.advance(days=40)
    whole = queue(learner)
    short = learner.client.get("/api/study/queue", params={"limit": 2}).json()
    assert short["counts"] == whole["counts"] == {"new": 9, "learning": 0, "review": 3}
    assert short["cards"] == whole["cards"][:2]  # the same cards, due dates and intervals, only fewer
    assert all(c["state"] == "review" and c["due"] and c["intervals"]["3"] > 86400 for c in short["cards"])
    linked = queue(learner, "entry:k-means")  # read another way: only some cards are in scope
    assert queue(learner, "entry:k-means", limit=1) == {**linked, "cards": linked["cards"][:1]}
    assert linked["cards"][0]["state"] == "review" and linked["counts"]["review"] >= 1
    # The study page asks for one card, and for the one whose answer it shows, wherever it is.
    learner_id = learner.client.get("/api/me").json()["id"]
    pinned = app.state.site.study.queue(learner_id, "all", limit=1, pin="k-means:name")
    assert [(c.ref.id, c.state) for c in pinned.cards] == [("inertia:name", "review"), ("k-means:name", "review")]


def test_new_cards_per_day_roll_over_at_the_learners_own_morning(learner: Browser, clock):
    learner.client.put(
        "/api/study/settings",
        json={"new_per_day": 2, "timezone": "Pacific/Auckland", "day_starts_hour": 4},
        headers={"x-csrf-token": learner.csrf()},
    )
    clock.now = clock.now.replace(hour=10, minute=0)  # 23:00 in Auckland (UTC+13 in December)
    for card in queue(learner)["cards"][:2]:
        answer(learner, card["id"], 4)
    assert queue(learner)["counts"]["new"] == 0
    clock.advance(hours=4)  # 03:00 local: still the same study day
    assert queue(learner)["counts"]["new"] == 0
    clock.advance(hours=1, minutes=1)  # 04:01 local: a new day
    assert queue(learner)["counts"]["new"] == 2


def test_a_daily_cap_on_reviews(learner: Browser, clock):
    learner.client.put("/api/study/settings", json={"max_reviews_per_day": 1}, headers={"x-csrf-token": learner.csrf()})
    for card in ("inertia:name", "k-means:name", "backpropagation:name"):
        answer(learner, card, 4)
    clock.advance(days=60)
    assert queue(learner)["counts"]["review"] == 1


def test_undo_takes_back_answers_one_by_one(learner: Browser, clock):
    first = answer(learner, "inertia:name", 3)["card"]
    clock.advance(minutes=10)
    second = answer(learner, "inertia:name", 3)["card"]
    assert second["state"] == "review" and first["state"] == "learning"
    r = learner.post("/api/study/undo")
    assert r.status_code == 200 and r.json()["card"] == first
    r = learner.post("/api/study/undo")
    assert r.json()["card"] == {
        "id": "inertia:name",
        "state": "new",
        "due": None,
        "stability": None,
        "difficulty": None,
    }
    r = learner.post("/api/study/undo")
    assert r.status_code == 409 and r.json()["detail"] == "there is no review to undo"
    assert queue(learner)["cards"][0]["state"] == "new"


def test_a_retried_answer_counts_once(learner: Browser):
    body = {"card_id": "inertia:name", "rating": 3, "key": "phone-retry-1", "duration_ms": 4200}
    first = learner.post("/api/study/reviews", json=body)
    again = learner.post("/api/study/reviews", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    reviews = learner.client.get("/api/me/export").json()["reviews"]
    assert len(reviews) == 1 and reviews[0]["duration_ms"] == 4200


def test_bad_answers_and_scopes_are_refused_helpfully(learner: Browser):
    r = learner.post("/api/study/reviews", json={"card_id": "k-means:nonsense", "rating": 3})
    assert r.status_code == 404 and "no card" in r.json()["detail"]
    assert learner.post("/api/study/reviews", json={"card_id": "k-means:name", "rating": 5}).status_code == 422
    bad = learner.client.get("/api/study/queue", params={"scope": "everything"})
    assert bad.status_code == 422 and "category:<slug>" in bad.json()["detail"]
    for scope in ("category:nope", "tag:nope", "entry:nope"):
        assert learner.client.get("/api/study/queue", params={"scope": scope}).status_code == 404
    for body in ({"timezone": "Mars/Olympus"}, {"desired_retention": 1.5}, {"new_per_day": -1}):
        assert (
            learner.client.put("/api/study/settings", json=body, headers={"x-csrf-token": learner.csrf()}).status_code
            == 422
        )
    assert TestClient(learner.client.app).get("/api/study/queue").status_code == 401


def test_scopes_select_their_cards(learner: Browser):
    by = {
        scope: {c["entry"]["slug"] for c in queue(learner, scope)["cards"]}
        for scope in ("category:clustering", "tag:sequences", "entry:inertia", "entry:WCSS")
    }
    assert by["category:clustering"] == {"k-means", "inertia", "hierarchical-clustering"}
    assert by["tag:sequences"] == {"recurrent-neural-network"}
    assert by["entry:inertia"] == by["entry:WCSS"] == {"inertia", "k-means"}
    assert queue(learner, "entry:inertia")["cards"][0]["entry"]["slug"] == "inertia"
    answer(learner, "inertia:name", 1)
    lapses = queue(learner, "lapses")
    assert [c["id"] for c in lapses["cards"]] == ["inertia:name"]


def test_each_learner_sees_only_their_own_study(learner: Browser, app):
    answer(learner, "inertia:name", 3)
    other = Browser(TestClient(app))
    other.guest()
    assert queue(other)["counts"]["learning"] == 0
    assert other.client.get("/api/study/cards", params={"state": "learning"}).json()["total"] == 0
    assert other.post("/api/study/undo").status_code == 409
    assert learner.client.get("/api/study/cards", params={"state": "learning"}).json()["total"] == 1


def test_ninety_days_of_study_and_the_log_recomputes_every_schedule(learner: Browser, clock, settings):
    ratings = [3, 3, 4, 3, 1, 3, 2, 3]
    for day in range(90):
        for n, card in enumerate(queue(learner, limit=15)["cards"]):
            answer(learner, card["id"], ratings[(day + n) % len(ratings)])
        clock.advance(days=1)
    states = {c["id"]: c for c in learner.client.get("/api/study/cards", params={"per_page": 500}).json()["items"]}
    studied = {i: c for i, c in states.items() if c["state"] != "new"}
    assert len(studied) == 12 and {c["state"] for c in studied.values()} >= {"review"}  # every card, studied
    export = learner.client.get("/api/me/export").json()
    for card_id, card in studied.items():
        slug, key = card_id.split(":", 1)
        log = [
            (r["rating"], r["reviewed_at"])
            for r in export["reviews"]
            if (r["entry_slug"], r["card_key"]) == (slug, key) and not r["undone"]
        ]
        from datetime import datetime

        schedule = replay([(rating, datetime.fromisoformat(when)) for rating, when in log])
        assert schedule is not None and schedule.state_name == card["state"]
        assert abs((schedule.due - datetime.fromisoformat(card["due"].replace("Z", "+00:00"))).total_seconds()) < 1
        assert abs(schedule.stability - card["stability"]) < 1e-9


def test_a_renamed_entry_keeps_its_cards_history_through_its_old_slug(learner: Browser, app, content_dir):
    answer(learner, "inertia:name", 4)
    old = content_dir / "clustering/inertia.md"
    text = (
        old.read_text()
        .replace("aliases: [WCSS,", "aliases: [inertia, WCSS,")
        .replace("title: Inertia", "title: Within-cluster inertia")
    )
    old.unlink()
    write_content(content_dir, {"clustering/within-cluster-inertia.md": text})
    app.state.site.update()
    cards = learner.client.get("/api/study/cards", params={"scope": "entry:within-cluster-inertia"}).json()["items"]
    assert {c["id"]: c["state"] for c in cards}["within-cluster-inertia:name"] == "review"
    answer(learner, "within-cluster-inertia:name", 3)  # the schedule moves to the new slug
    status = learner.client.get("/api/status").json()["state"]["orphaned_rows"]
    assert "card_state.card_key" not in status


def test_a_changed_question_is_a_new_card_and_the_old_history_is_kept_and_counted(learner: Browser, app, content_dir):
    path = content_dir / "clustering/k-means.md"
    path.write_text(path.read_text() + "\n## Check yourself\nWhy scale first?::Distances add up.\n")
    app.state.site.update()
    [card] = [c for c in queue(learner, "entry:k-means")["cards"] if c["kind"] == "basic"]
    answer(learner, card["id"], 3)
    path.write_text(path.read_text().replace("Why scale first?", "Why scale features first?"))
    app.state.site.update()
    [new] = [c for c in queue(learner, "entry:k-means")["cards"] if c["kind"] == "basic"]
    assert new["id"] != card["id"] and new["state"] == "new"
    orphans = learner.client.get("/api/status").json()["state"]["orphaned_rows"]
    assert orphans == {"card_state.card_key": 1, "review.card_key": 1}
