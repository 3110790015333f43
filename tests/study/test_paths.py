"""Study paths: loaded from content/_paths, listed with a learner's read and known steps, a
scope of their own, and a place on the entry pages they lead through."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SAMPLE, write_content
from tests.study.conftest import answer, queue
from tests.support.learners import Browser

PATH = """\
    title: Clustering from scratch
    description: Distances first, then k-means and how to judge it.
    sections:
      - title: Before clustering
        description: Why scale matters.
        entries: [Feature scaling]
      - title: K-means
        entries:
          - k-means
          - WCSS
    """


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content", {**SAMPLE, "_paths/clustering.yml": PATH})


def steps(client: TestClient) -> dict[str, dict]:
    r = client.get("/api/paths/clustering")
    assert r.status_code == 200, r.text
    return {s["slug"]: s for section in r.json()["sections"] for s in section["steps"]}


def test_paths_are_listed_with_their_steps_in_order(client: TestClient):
    [listed] = client.get("/api/paths").json()
    assert listed == {
        "slug": "clustering",
        "title": "Clustering from scratch",
        "description": "Distances first, then k-means and how to judge it.",
        "steps": 3,
        "url": "/paths/clustering",
        "read": 0,
        "known": 0,
    }
    detail = client.get("/api/paths/clustering").json()
    assert [(s["title"], s["description"]) for s in detail["sections"]] == [
        ("Before clustering", "Why scale matters."),
        ("K-means", ""),
    ]
    assert [s["title"] for s in steps(client).values()] == ["Feature scaling", "K-means clustering", "Inertia"]
    assert all(not s["read"] and not s["known"] for s in steps(client).values())
    assert steps(client)["inertia"]["url"] == "/entries/inertia?path=clustering"
    page = client.get("/paths")
    assert page.status_code == 200 and "Clustering from scratch" in page.text and "3 steps" in page.text


def test_an_unknown_path_is_a_helpful_404(client: TestClient):
    r = client.get("/api/paths/nope")
    assert r.status_code == 404 and "GET /api/paths" in r.json()["detail"]
    assert client.get("/paths/nope").status_code == 404
    assert client.get("/api/study/queue", params={"scope": "path:nope"}).status_code in (401, 404)


def test_an_entry_opened_from_a_path_shows_its_step_and_the_steps_either_side(client: TestClient):
    html = client.get("/entries/k-means", params={"path": "clustering"}).text
    assert "Step 2 of 3 in" in html and 'href="/paths/clustering"' in html
    assert 'href="/entries/feature-scaling?path=clustering">← Step 1: Feature scaling' in html
    assert 'href="/entries/inertia?path=clustering">Step 3: Inertia →' in html
    # The alphabetical neighbours stay, labelled so that nobody takes them for a study order.
    assert "Previous in Clustering A–Z:" in html
    last = client.get("/entries/inertia", params={"path": "clustering"}).text
    assert "Step 3 of 3" in last and "Last step: back to the path" in last
    # Not opened from a path, or from a path it is not on: no step shown.
    assert "Step 2 of 3" not in client.get("/entries/k-means").text
    assert "Step " not in client.get("/entries/backpropagation", params={"path": "clustering"}).text


def test_pages_a_learner_opens_are_marked_read_and_only_for_them(learner: Browser, app):
    learner.client.get("/entries/inertia")
    learner.client.get("/entries/k-means", params={"path": "clustering"})
    marks = steps(learner.client)
    assert [slug for slug, s in marks.items() if s["read"]] == ["k-means", "inertia"]
    assert learner.client.get("/api/paths").json()[0]["read"] == 2
    other = Browser(TestClient(app))
    other.guest()
    assert not any(s["read"] for s in steps(other.client).values())
    assert not any(s["read"] for s in steps(TestClient(app)).values())  # nobody signed in


def test_a_step_is_known_while_all_its_cards_are_likely_recalled_and_continue_follows(learner: Browser, clock):
    detail = learner.client.get("/api/paths/clustering").json()
    assert detail["next_step"]["slug"] == "feature-scaling"

    def good_on_every_card() -> None:
        for card in queue(learner, "entry:feature-scaling")["cards"]:
            if card["entry"]["slug"] == "feature-scaling":
                answer(learner, card["id"], 3)

    good_on_every_card()
    # Freshly learnt cards are still in their learning steps: known as on the progress page, not yet.
    assert not steps(learner.client)["feature-scaling"]["known"]
    clock.advance(minutes=15)
    good_on_every_card()
    marks = steps(learner.client)
    assert marks["feature-scaling"]["known"] and not marks["k-means"]["known"]
    detail = learner.client.get("/api/paths/clustering").json()
    assert detail["next_step"]["slug"] == "k-means"
    html = learner.client.get("/paths/clustering").text
    assert 'href="/entries/k-means?path=clustering">Continue: step 2, K-means clustering' in html
    assert "1 known" in html or "1 of 3 steps" in html or ", 1 known" in html
    # Months later, without review, recall has faded: the step is no longer known.
    clock.advance(days=120)
    assert not steps(learner.client)["feature-scaling"]["known"]
    assert learner.client.get("/api/paths/clustering").json()["next_step"]["slug"] == "feature-scaling"


def test_a_path_is_a_study_scope_with_new_cards_in_path_order(learner: Browser):
    found = queue(learner, "path:clustering")
    assert found["title"] == "Clustering from scratch" and found["scope"] == "path:clustering"
    order = list(dict.fromkeys(c["entry"]["slug"] for c in found["cards"]))
    assert order == ["feature-scaling", "k-means", "inertia"]
    assert {c["entry"]["slug"] for c in found["cards"]} == {"feature-scaling", "k-means", "inertia"}
    html = learner.client.get("/paths/clustering").text
    assert 'name="scope" value="path:clustering"' in html and "Study this path" in html


def test_a_path_edited_on_disk_is_served_after_the_next_build(client: TestClient, app, content_dir: Path):
    edited = PATH.replace("          - WCSS\n", "          - WCSS\n          - hierarchical clustering\n")
    write_content(content_dir, {"_paths/clustering.yml": edited})
    app.state.site.update()
    assert list(steps(client)) == ["feature-scaling", "k-means", "inertia", "hierarchical-clustering"]
    (content_dir / "_paths" / "clustering.yml").unlink()
    app.state.site.update()
    assert client.get("/api/paths").json() == []
