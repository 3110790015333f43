"""Opening the content store: a damaged file is set aside and rebuilt, a busy or unreachable
one is an error, never a reason to start afresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.config import sqlite_url
from app.content import store
from app.content.store import open_content_store


def test_a_damaged_content_store_is_set_aside_and_started_afresh(tmp_path, caplog):
    path = tmp_path / "content.db"
    path.write_bytes(b"not a database" * 100)
    engine = open_content_store(sqlite_url(path))
    with store.session_scope(engine) as s:
        assert s.execute(select(store.Entry)).first() is None
    engine.dispose()
    assert (tmp_path / "content.db.damaged").read_bytes() == b"not a database" * 100
    assert "setting it aside" in caplog.text


def test_a_busy_content_store_is_an_error_not_damage(tmp_path, monkeypatch):
    path = tmp_path / "content.db"
    engine = open_content_store(sqlite_url(path))
    engine.dispose()
    before = path.read_bytes()

    def locked(_engine):
        raise OperationalError("PRAGMA quick_check", None, Exception("database is locked"))

    monkeypatch.setattr(store, "_check", locked)
    with pytest.raises(OperationalError, match="locked"):
        open_content_store(sqlite_url(path))
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.damaged"))


def test_an_unopenable_content_store_is_an_error(tmp_path):
    (tmp_path / "folder-is-a-file").write_text("x")
    with pytest.raises(OperationalError):
        open_content_store(sqlite_url(tmp_path / "folder-is-a-file" / "content.db"))
    assert not list(tmp_path.glob("**/*.damaged"))


def test_content_and_state_tables_never_share_metadata():
    from app.state.models import StateTable

    content = set(store.ContentTable.metadata.tables)
    state = set(StateTable.metadata.tables)
    assert content and state and not content & state


def test_a_store_unchanged_since_a_clean_close_is_not_checked_again(tmp_path, monkeypatch):
    path = tmp_path / "content.db"
    store.close_content_store(open_content_store(sqlite_url(path)))
    checked = []
    monkeypatch.setattr(store, "_check", lambda engine: checked.append(engine))
    engine = open_content_store(sqlite_url(path))
    assert checked == []  # the whole file is read by a check: half a second at 50,000 entries
    engine.dispose()  # no clean close this time (a crash, say): the next open checks
    store.close_content_store(open_content_store(sqlite_url(path)))
    assert len(checked) == 1
    monkeypatch.undo()
    path.write_bytes(b"not a database" * 100)  # changed since: checked, and set aside
    engine = open_content_store(sqlite_url(path))
    engine.dispose()
    assert (tmp_path / "content.db.damaged").exists()
