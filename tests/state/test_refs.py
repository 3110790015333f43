"""State names entries by slug: it follows a renamed entry's alias, and counts the rows whose
entry is gone without ever deleting them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

from app.cli import main
from app.main import create_app
from app.state import refs
from app.state.models import ENTRY_REF
from tests.conftest import write_content
from tests.support.state_rows import snapshot

NOTES = MetaData()
Table(
    "study_notes",
    NOTES,
    Column("id", Integer, primary_key=True),
    Column("entry_slug", String(200), info={"refers_to": ENTRY_REF}),
)


@pytest.fixture
def noted(settings, monkeypatch):
    """A state store with a table of rows that name entries: two that exist today, one
    through an alias, one for an entry that never was."""
    monkeypatch.setattr(refs, "TABLES", NOTES)
    with TestClient(create_app(settings)):  # migrates the state store
        pass
    engine = create_engine(settings.state_db_url)
    NOTES.create_all(engine)  # a table of this test's own, in its own temporary database
    with engine.begin() as conn:
        conn.execute(
            insert(NOTES.tables["study_notes"]),
            [
                {"entry_slug": "inertia"},
                {"entry_slug": "inertia"},
                {"entry_slug": "kmeans"},
                {"entry_slug": "never-was"},
            ],
        )
    engine.dispose()
    return settings


def orphans(client) -> dict[str, int]:
    return client.get("/api/status").json()["state"]["orphaned_rows"]


def test_status_counts_rows_whose_entry_is_gone(noted):
    with TestClient(create_app(noted)) as client:
        assert orphans(client) == {"study_notes.entry_slug": 1}


def test_a_renamed_entry_that_keeps_its_old_slug_as_alias_keeps_its_rows(noted, content_dir):
    before = snapshot(noted.state_db_url)
    old = content_dir / "clustering/inertia.md"
    text = (
        old.read_text()
        .replace("aliases: [WCSS,", "aliases: [inertia, WCSS,")
        .replace("title: Inertia", "title: Within-cluster inertia")
    )
    old.unlink()
    write_content(content_dir, {"clustering/within-cluster-inertia.md": text})
    with TestClient(create_app(noted)) as client:
        assert (
            client.get("/api/entries/inertia", follow_redirects=False).headers["location"]
            == "/api/entries/within-cluster-inertia"
        )
        assert client.app.state.site.reader.resolve("inertia") == "within-cluster-inertia"
        assert orphans(client) == {"study_notes.entry_slug": 1}

    # Without the alias, the rows are orphaned: counted, and kept.
    new = content_dir / "clustering/within-cluster-inertia.md"
    new.write_text(new.read_text().replace("aliases: [inertia, WCSS,", "aliases: [WCSS,"))
    with TestClient(create_app(noted)) as client:
        assert orphans(client) == {"study_notes.entry_slug": 3}
    assert snapshot(noted.state_db_url) == before


def test_glossa_check_counts_orphaned_rows(noted, content_dir, capsys):
    assert main(["check", "--content", str(content_dir), "--state", str(noted.state_dir)]) == 0
    assert "1 in study_notes.entry_slug" in capsys.readouterr().err
