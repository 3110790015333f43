"""The state store opens, migrates, stays durable, and is never set aside or emptied."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text

import app.accounts.models
import app.study.models  # noqa: F401
from app.config import sqlite_url
from app.state import StateStore, StateUnavailable, migrate
from app.state.engine import make_state_engine
from app.state.models import StateMeta, StateTable
from tests.support.state_rows import fill, snapshot

# A row for every table a migration creates: a new table without one fails the test below,
# so every migration is tested with rows in it.
WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SAMPLE_ROWS = {
    "state_meta": lambda i: {"key": f"sample-{i}", "value": f"value {i}"},
    "learner": lambda i: {
        "id": f"learner-{i}",
        "username": f"user-{i}",
        "username_key": f"user-{i}",
        "password_hash": "$argon2id$...",
        "guest": False,
        "created": WHEN,
    },
    "learner_session": lambda i: {
        "id": f"session-{i}",
        "learner_id": f"learner-{i}",
        "token_hash": f"t{i}",
        "csrf_token": "c",
        "created": WHEN,
        "last_seen": WHEN,
        "expires": WHEN,
        "user_agent": "test",
    },
    "api_token": lambda i: {
        "id": f"token-{i}",
        "learner_id": f"learner-{i}",
        "name": "n",
        "token_hash": f"a{i}",
        "created": WHEN,
        "last_used": None,
    },
    "invite": lambda i: {"id": f"invite-{i}", "code_hash": f"i{i}", "created": WHEN, "expires": WHEN, "used": None},
    "study_settings": lambda i: {
        "learner_id": f"learner-{i}",
        "desired_retention": 0.9,
        "new_per_day": 20,
        "max_reviews_per_day": 200,
        "timezone": "UTC",
        "day_starts_hour": 4,
    },
    "card_state": lambda i: {
        "learner_id": f"learner-{i}",
        "entry_slug": "k-means",
        "card_key": "name",
        "state": 2,
        "step": None,
        "stability": 3.5,
        "difficulty": 5.0,
        "due": WHEN,
        "last_review": WHEN,
        "reps": 3,
        "lapses": 0,
    },
    "review": lambda i: {
        "id": f"review-{i}",
        "learner_id": f"learner-{i}",
        "entry_slug": "k-means",
        "card_key": "name",
        "rating": 3,
        "reviewed_at": WHEN,
        "duration_ms": 1200,
        "client_key": f"k{i}",
        "before": None,
        "after": {"state": 2},
        "undone": False,
    },
    "entry_read": lambda i: {
        "learner_id": f"learner-{i}",
        "entry_slug": "k-means",
        "first_read": WHEN,
        "last_read": WHEN,
    },
    "quiz": lambda i: {
        "id": f"quiz-{i}",
        "learner_id": f"learner-{i}",
        "scope": "all",
        "direction": "definition",
        "created_at": WHEN,
        "retry_of": None,
    },
    "quiz_question": lambda i: {
        "quiz_id": f"quiz-{i}",
        "position": 1,
        "entry_slug": "k-means",
        "card_key": "meaning",
        "options": ["k-means", "inertia", "hierarchical-clustering", "feature-scaling"],
        "chosen": 2,
        "correct": False,
        "answered_at": WHEN,
    },
}


def test_sqlite_state_store_is_wal_with_durable_commits(tmp_path):
    store = StateStore(sqlite_url(tmp_path / "state" / "state.db"))
    assert store.open(), store.problem
    with store.engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    health = store.health()
    assert health.available and health.revision == migrate.head_revision()
    assert health.store_id and len(health.store_id) == 32
    store.close()


def test_every_migration_keeps_the_rows_before_it(state_url):
    """Upgrade one revision at a time; after each, add rows to every table; at the head,
    every row added on the way is still there, unchanged."""
    scripts = ScriptDirectory.from_config(migrate._config())
    revisions = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    engine = make_state_engine(state_url)
    added: dict[str, list[dict]] = {}
    try:
        for n, revision in enumerate(revisions):
            migrate.upgrade(engine, revision)
            with engine.begin() as conn:
                for table in StateTable.metadata.sorted_tables:
                    if not engine.dialect.has_table(conn, table.name):
                        continue
                    assert table.name in SAMPLE_ROWS, f"no sample rows for table {table.name}"
                    rows = [SAMPLE_ROWS[table.name](f"{n}-{i}") for i in range(3)]
                    conn.execute(table.insert(), rows)
                    added.setdefault(table.name, []).extend(rows)
        with engine.connect() as conn:
            for name, rows in added.items():
                table = StateTable.metadata.tables[name]
                stored = [dict(r._mapping) for r in conn.execute(table.select())]
                for row in rows:
                    assert row in [{k: s[k] for k in row} for s in stored]
    finally:
        engine.dispose()


def test_models_and_migrations_agree(state_url):
    engine = make_state_engine(state_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), StateTable.metadata)
        assert diff == [], f"a model changed without a migration: {diff}"
    finally:
        engine.dispose()


def test_opening_twice_migrates_once_and_keeps_rows(state_url):
    before = fill(state_url)
    store = StateStore(state_url)
    assert store.open()
    store.close()
    assert snapshot(state_url) == before


def test_a_damaged_state_store_is_reported_and_left_exactly_as_it_was(tmp_path, caplog):
    path = tmp_path / "state" / "state.db"
    fill(sqlite_url(path))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 200)
    store = StateStore(sqlite_url(path))
    assert not store.open()
    assert "damaged" in store.problem and "glossa restore" in store.problem
    assert any("damaged" in r.message and r.levelname == "ERROR" for r in caplog.records)
    with pytest.raises(StateUnavailable, match="damaged"):
        store.engine()
    assert not store.health().available
    assert path.read_bytes() == b"this is not a database" * 200
    assert sorted(p.name for p in path.parent.iterdir() if "damaged" in p.name) == []


def test_an_unreachable_state_store_is_tried_again_later(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    now = [0.0]
    store = StateStore(sqlite_url(blocker / "state.db"), monotonic=lambda: now[0])
    assert not store.open()
    assert "cannot" in store.problem
    blocker.unlink()
    with pytest.raises(StateUnavailable):
        store.engine()  # not retried before its time
    now[0] += 10
    assert store.engine() is not None
    assert store.health().available
    store.close()


def test_a_store_migrated_by_a_newer_glossa_is_refused_and_untouched(state_url):
    fill(state_url)
    engine = create_engine(state_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    engine.dispose()
    before = snapshot(state_url)
    store = StateStore(state_url)
    assert not store.open()
    assert "newer Glossa" in store.problem
    assert snapshot(state_url) == before


def test_writers_wait_for_each_other_instead_of_failing(tmp_path):
    store = StateStore(sqlite_url(tmp_path / "state.db"))
    assert store.open()
    errors: list[Exception] = []

    def read_then_write(worker: int) -> None:
        try:
            for i in range(40):
                with store.write() as s:
                    n = s.execute(select(func.count()).select_from(StateMeta)).scalar_one()
                    s.add(StateMeta(key=f"w{worker}-{i}", value=str(n)))
        except Exception as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=read_then_write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(StateMeta)).scalar_one() == 2 + 160
    store.close()


def test_a_failed_write_leaves_nothing_behind(state_url):
    before = fill(state_url, n=3)
    store = StateStore(state_url)
    assert store.open()
    with pytest.raises(RuntimeError), store.write() as s:
        s.add(StateMeta(key="half-done", value="x"))
        s.flush()
        raise RuntimeError("the request failed half-way")
    store.close()
    assert snapshot(state_url) == before
