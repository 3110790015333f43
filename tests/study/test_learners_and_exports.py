"""Study across a learner's life: a guest's progress merged into an account, an export that
holds it, a deletion that removes it; and decks for Anki and for any tool (CSV)."""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
import zipfile

from fastapi.testclient import TestClient

from tests.study.conftest import answer
from tests.support.learners import Browser


def test_a_guest_who_signs_in_brings_their_study_and_the_later_review_wins(app, clock):
    account = Browser(TestClient(app))
    account.signup("ada")
    answer(account, "inertia:name", 4)  # studied first on the account
    answer(account, "k-means:name", 3)
    clock.advance(hours=2)
    guest = Browser(TestClient(app))
    guest.guest()
    answer(guest, "inertia:name", 1)  # later, as a guest: this one wins
    answer(guest, "backpropagation:name", 3)  # only the guest studied this
    assert guest.signin("ada", merge_guest=True).status_code == 200
    cards = {c["id"]: c for c in guest.client.get("/api/study/cards", params={"per_page": 500}).json()["items"]}
    assert cards["inertia:name"]["state"] == "learning" and cards["inertia:name"]["lapses"] == 0
    assert cards["backpropagation:name"]["state"] == "learning"
    assert cards["k-means:name"]["state"] == "learning"
    reviews = guest.client.get("/api/me/export").json()["reviews"]
    assert sorted((r["entry_slug"], r["rating"]) for r in reviews) == [
        ("backpropagation", 3),
        ("inertia", 1),
        ("inertia", 4),
        ("k-means", 3),
    ]


def test_export_and_deletion_include_study(learner: Browser, settings):
    from tests.support.state_rows import snapshot

    answer(learner, "inertia:name", 3)
    learner.client.put("/api/study/settings", json={"new_per_day": 7}, headers={"x-csrf-token": learner.csrf()})
    data = learner.client.get("/api/me/export").json()
    assert data["study_settings"]["new_per_day"] == 7
    assert [c["card_key"] for c in data["cards"]] == ["name"] and len(data["reviews"]) == 1
    learner_id = data["learner"]["id"]
    r = learner.client.request("DELETE", "/api/me", json={"confirm": "guest"}, headers={"x-csrf-token": learner.csrf()})
    assert r.status_code == 204
    rows = snapshot(settings.state_db_url)
    assert not [(t, row) for t, rs in rows.items() for row in rs if learner_id in map(str, row)]


def test_an_anki_deck_holds_a_note_per_card_with_stable_guids(learner: Browser):
    r = learner.client.get("/api/study/export.apkg", params={"scope": "category:clustering"})
    assert r.status_code == 200 and 'filename="glossa-category-clustering.apkg"' in r.headers["content-disposition"]
    notes = _notes(r.content)
    assert len(notes) == 6  # three entries, two cards each
    fronts = {fields.split("\x1f")[0] for _, fields, _ in notes}
    assert "<strong>K-means clustering</strong> (also: k means, kmeans, KMC)" in fronts
    assert all(tags.strip() for _, _, tags in notes) and "clustering" in notes[0][2]
    again = _notes(learner.client.get("/api/study/export.apkg", params={"scope": "category:clustering"}).content)
    assert {guid for guid, _, _ in again} == {guid for guid, _, _ in notes}  # re-import updates, never duplicates


def test_math_goes_to_anki_as_mathjax(learner: Browser, app, content_dir):
    from tests.conftest import write_content

    write_content(
        content_dir,
        {"misc/norm.md": "---\ntitle: Norm\n---\nBody.\n\nWhat is $\\lVert x \\rVert_2$?::$\\sqrt{\\sum_i x_i^2}$\n"},
    )
    app.state.site.update()
    notes = _notes(learner.client.get("/api/study/export.apkg", params={"scope": "entry:norm"}).content)
    text = " ".join(fields for _, fields, _ in notes)
    assert "\\(\\lVert x \\rVert_2\\)" in text and "\\(\\sqrt{\\sum_i x_i^2}\\)" in text and "<math" not in text


def test_csv_of_a_scope(learner: Browser):
    r = learner.client.get("/api/study/export.csv", params={"scope": "tag:sequences"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["front", "back", "entry", "tags"] and len(rows) == 3
    assert rows[1][2] == "Recurrent neural network" and "sequences" in rows[1][3]


def _notes(apkg: bytes) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(io.BytesIO(apkg)) as z, tempfile.TemporaryDirectory() as tmp:
        path = z.extract("collection.anki2", tmp)
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
        finally:
            conn.close()
