"""`glossa backup` and `glossa restore`: consistent copies while writing, and nothing lost."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from app.cli import main
from app.config import sqlite_url
from app.state import StateStore
from app.state.backup import BackupError, backup, restore
from app.state.models import StateMeta
from tests.support.state_rows import fill, snapshot


@pytest.fixture
def url(tmp_path):
    return sqlite_url(tmp_path / "state" / "state.db")


def pair_counts(path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        left = conn.execute("SELECT count(*) FROM state_meta WHERE key LIKE 'left-%'").fetchone()[0]
        right = conn.execute("SELECT count(*) FROM state_meta WHERE key LIKE 'right-%'").fetchone()[0]
        return left, right
    finally:
        conn.close()


def test_backup_while_a_server_writes_is_consistent(url, tmp_path):
    store = StateStore(url, hold=True)
    assert store.open()
    stop = threading.Event()
    progress = threading.Condition()
    written = [0]

    def writer() -> None:  # every transaction writes a pair: a copy holds both or neither
        while not stop.is_set():
            n = written[0]
            with store.write() as s:
                s.add(StateMeta(key=f"left-{n}", value="a"))
                s.add(StateMeta(key=f"right-{n}", value="b"))
            with progress:
                written[0] = n + 1
                progress.notify_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        while len(copies) < 5:  # copies taken mid-stream, at known points
            with progress:
                assert progress.wait_for(lambda: written[0] >= 20 * (len(copies) + 1), timeout=60)
            copies.append(backup(url, tmp_path / f"copy-{len(copies)}.db"))
    finally:
        stop.set()
        thread.join()
    store.close()
    counts = [pair_counts(c.path) for c in copies]
    assert all(left == right for left, right in counts), counts
    assert [left for left, _ in counts] == sorted(left for left, _ in counts)
    assert counts[0][0] >= 20 and counts[-1][0] <= written[0]
    assert not list(tmp_path.glob("*.partial"))


def test_backup_into_a_folder_names_the_file(url, tmp_path):
    fill(url)
    folder = tmp_path / "backups"
    folder.mkdir()
    copied = backup(url, folder)
    assert copied.path.parent == folder and copied.path.name.startswith("glossa-state-")
    assert snapshot(sqlite_url(copied.path)) == snapshot(url)


def test_restore_puts_every_row_back_and_keeps_what_it_replaced(url, tmp_path):
    before = fill(url, n=10)
    copy = backup(url, tmp_path / "copy.db").path
    store = StateStore(url)
    assert store.open()
    with store.write() as s:
        s.add(StateMeta(key="after-backup", value="written after the copy"))
    store.close()
    after = snapshot(url)

    restored = restore(url, copy)
    assert snapshot(url) == before
    kept = list((tmp_path / "state").glob("state.db.before-restore-*"))
    assert len(kept) == 1 and snapshot(sqlite_url(kept[0])) == after
    assert restored.revision is not None


def test_restore_is_refused_while_a_server_holds_the_store_unless_forced(url, tmp_path):
    fill(url, n=2)
    copy = backup(url, tmp_path / "copy.db").path
    server = StateStore(url, hold=True)
    assert server.open()
    with server.write() as s:
        s.add(StateMeta(key="live", value="written by the running server"))
    with pytest.raises(BackupError, match="running Glossa holds"):
        restore(url, copy)
    with server.read() as s:
        assert s.get(StateMeta, "live") is not None  # refused: nothing changed
    restore(url, copy, force=True)
    with server.read() as s:  # the running server sees the restored data at once
        assert s.get(StateMeta, "live") is None
        assert s.get(StateMeta, "test-row-001") is not None
    server.close()


def test_restore_replaces_a_damaged_store_and_keeps_its_bytes(url, tmp_path):
    before = fill(url, n=4)
    copy = backup(url, tmp_path / "copy.db").path
    path = tmp_path / "state" / "state.db"
    for suffix in ("-wal", "-shm"):
        (tmp_path / "state" / f"state.db{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"garbage" * 1000)
    store = StateStore(url)
    assert not store.open()
    restore(url, copy)
    assert snapshot(url) == before
    kept = list((tmp_path / "state").glob("state.db.before-restore-*"))
    assert [k.read_bytes() for k in kept if not k.name.endswith(("-wal", "-shm"))] == [b"garbage" * 1000]
    now_open = StateStore(url)
    assert now_open.open()
    now_open.close()


@pytest.mark.parametrize("bad", ["missing", "garbage", "foreign", "newer"])
def test_restore_refuses_what_is_not_a_backup_of_ours(url, tmp_path, bad):
    before = fill(url, n=2)
    source = tmp_path / "source.db"
    if bad == "garbage":
        source.write_bytes(b"not sqlite" * 100)
    elif bad == "foreign":
        conn = sqlite3.connect(source)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    elif bad == "newer":
        backup(url, source)
        conn = sqlite3.connect(source)
        conn.execute("UPDATE alembic_version SET version_num = 'from-the-future'")
        conn.commit()
        conn.close()
    with pytest.raises(BackupError):
        restore(url, source)
    assert snapshot(url) == before
    assert not list((tmp_path / "state").glob("*before-restore*"))


def test_cli_backup_and_restore(tmp_path, capsys):
    state = tmp_path / "state"
    url = sqlite_url(state / "state.db")
    before = fill(url, n=3)
    copy = tmp_path / "copy.db"
    assert main(["backup", "--state", str(state), str(copy)]) == 0
    assert "backed up" in capsys.readouterr().out
    store = StateStore(url, hold=True)
    assert store.open()
    assert main(["restore", "--state", str(state), str(copy)]) == 2
    assert "stop it first" in capsys.readouterr().err
    store.close()
    assert main(["restore", "--state", str(state), str(copy)]) == 0
    assert snapshot(url) == before


def test_cli_backup_of_postgresql_points_to_pg_dump(capsys):
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/glossa"
    assert main(["backup", "--state-database-url", url, "x.db"]) == 2
    assert "pg_dump" in capsys.readouterr().err
