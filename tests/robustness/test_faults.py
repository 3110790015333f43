"""Faults: killed builds, damaged and deleted derived data, several workers, edits under load.
Content files are never touched, and learners' rows in the state store never change."""

from __future__ import annotations

import hashlib
import logging
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings
from app.main import create_app
from tests.conftest import SAMPLE, write_content
from tests.support.corpus import generate
from tests.support.server import free_port, wait_until_up
from tests.support.state_rows import fill, snapshot

ROOT = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def glossa(*args: str, log: Path) -> subprocess.Popen:
    """`python -m app ARGS` with its log (standard error) in a file: a server logs a line per
    request, and would stop at a full pipe that nobody reads until it ends."""
    with open(log, "wb") as err:
        return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)


def wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the build ended before its pause point: {proc.communicate()}"
        assert time.monotonic() < deadline, "the build never reached its pause point"
        time.sleep(0.02)


def served_counts(settings: Settings) -> tuple[int, int]:
    with TestClient(create_app(settings)) as client:
        entries = client.get("/api/entries", params={"per_page": 1}).json()["total"]
        found = client.get("/api/search", params={"q": "see"}).json()["total"]
        assert client.get("/api/status").json()["state"]["available"]
    return entries, found


@pytest.mark.parametrize("point", ["after-store", "in-index"])
def test_build_killed_midway_is_redone_and_touches_no_state(tmp_path, caplog, point):
    content = tmp_path / "content"
    generate(content, 1500)  # under the parallel writer's threshold: one writer to pause
    before = digest(content)
    settings = Settings(content_dir=content, data_dir=tmp_path / "data", state_dir=tmp_path / "state")
    state = fill(settings.state_db_url)
    flag = tmp_path / "paused"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.paused_build",
            point,
            str(flag),
            "build",
            "--content",
            str(content),
            "--data",
            str(settings.data_dir),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_file(flag, proc)
    assert (settings.data_dir / ".building").exists()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with caplog.at_level(logging.WARNING):
        entries, found = served_counts(settings)
    assert (entries, found) == (1500, 1500)  # every synthetic entry links with "See"
    assert "previous build did not finish; rebuilding from content" in caplog.text
    assert digest(content) == before
    assert snapshot(settings.state_db_url) == state


DAMAGE_LOGGED = {
    "full-build": None,
    "delete-data-folder": None,
    "delete-content-store": "search index and store disagree; rebuilding both from content",
    "garbage-content-store": "setting it aside and rebuilding from content",
    "truncate-index": "is unreadable",
    "delete-index": "is missing its files",
}


@pytest.mark.parametrize("damage", DAMAGE_LOGGED)
def test_derived_data_damaged_or_deleted_is_rebuilt_and_state_is_untouched(tmp_path, caplog, damage):
    content = write_content(tmp_path / "content", SAMPLE)
    before = digest(content)
    settings = Settings(content_dir=content, data_dir=tmp_path / "data", state_dir=tmp_path / "state")
    state = fill(settings.state_db_url)
    assert served_counts(settings)[0] == 6
    db = settings.data_dir / "content.db"
    if damage == "full-build":
        assert main(["build", "--full", "--content", str(content), "--data", str(settings.data_dir)]) == 0
    elif damage == "delete-data-folder":
        shutil.rmtree(settings.data_dir)
    elif damage == "delete-content-store":
        db.unlink()
    elif damage == "garbage-content-store":
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(b"this is not a database" * 100)
    elif damage == "truncate-index":
        for seg in settings.index_dir.glob("*.seg"):
            seg.write_bytes(seg.read_bytes()[:20])
    else:
        for f in settings.index_dir.resolve().iterdir():
            f.unlink()
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as client:
        assert client.get("/api/entries").json()["total"] == 6
        top = client.get("/api/search", params={"q": "backprop"}).json()["results"][0]
        assert top["slug"] == "backpropagation"
    if DAMAGE_LOGGED[damage]:
        assert DAMAGE_LOGGED[damage] in caplog.text
    assert digest(content) == before
    assert snapshot(settings.state_db_url) == state


def test_several_workers_share_one_data_folder_and_one_state_store(tmp_path):
    content = write_content(tmp_path / "content", SAMPLE)
    port = free_port()
    proc = glossa(
        "serve",
        "--content",
        str(content),
        "--data",
        str(tmp_path / "data"),
        "--state",
        str(tmp_path / "state"),
        "--port",
        str(port),
        "--workers",
        "3",
        "--watch",
        log=tmp_path / "serve.log",
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url)
        with httpx.Client(base_url=url, timeout=10) as client:
            codes = [
                client.get(path).status_code
                for _ in range(40)
                for path in ("/api/search?q=k+means", "/entries/inertia", "/api/suggest?q=rec")
            ]
            assert set(codes) == {200}
            stores = {
                (s["state"]["store_id"], s["state"]["revision"])
                for s in (client.get("/api/status").json() for _ in range(30))
            }
            assert len(stores) == 1 and None not in next(iter(stores))  # migrated once, shared
            (content / "clustering/new.md").write_text("---\ntitle: Silhouette score\n---\nQuality.\n")
            deadline = time.monotonic() + 10
            seen = 0
            while time.monotonic() < deadline and seen < 10:  # every worker must see it
                r = client.get("/api/entries/new")
                seen = seen + 1 if r.status_code == 200 else 0
                time.sleep(0.05)
            assert seen >= 10
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    err = (tmp_path / "serve.log").read_text()
    assert "LockError" not in err and "Traceback" not in err


def test_edits_under_load_cause_no_errors_and_converge(tmp_path):
    content = write_content(tmp_path / "content", SAMPLE)
    before_other = digest(content)
    settings = Settings(content_dir=content, data_dir=tmp_path / "data", state_dir=tmp_path / "state", watch=True)
    errors: list[str] = []
    stop = threading.Event()
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.watcher.ready.wait(10)
        served = app.state.site.builder.wait_until

        def hammer():
            paths = ["/api/search?q=cluster", "/entries/k-means", "/api/suggest?q=in", "/api/entries", "/"]
            i = 0
            while not stop.is_set():
                r = client.get(paths[i % len(paths)])
                if r.status_code != 200:
                    errors.append(f"{paths[i % len(paths)]}: {r.status_code}")
                i += 1

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for n in range(5):
                path = content / "clustering" / f"load-{n}.md"
                path.write_text(f"---\ntitle: Load entry {n}\n---\nUnique word zorblax{n}.\n")
                assert served(
                    lambda n=n: client.get("/api/search", params={"q": f"zorblax{n}"}).json()["total"] == 1, timeout=10
                )
                path.unlink()
                assert served(lambda n=n: client.get(f"/api/entries/load-{n}").status_code == 404, timeout=10)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert errors == []
    assert digest(content) == before_other
