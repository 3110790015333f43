"""Faults: killed builds, damaged data, several workers, edits under load. Content is never touched."""

from __future__ import annotations

import hashlib
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from bench.corpus import generate
from bench.server import free_port, wait_until_up
from tests.conftest import SAMPLE, write_content

ROOT = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def glossa(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def count(settings: Settings) -> tuple[int, int]:
    with TestClient(create_app(settings)) as client:
        entries = client.get("/api/entries", params={"per_page": 1}).json()["total"]
        found = client.get("/api/search", params={"q": "see"}).json()["total"]
    return entries, found


def test_build_killed_midway_is_redone_on_next_start(tmp_path, caplog):
    content = tmp_path / "content"
    generate(content, 1500)
    before = digest(content)
    data = tmp_path / "data"
    proc = glossa("build", "--content", str(content), "--data", str(data))
    deadline = time.monotonic() + 60
    while not (data / ".building").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # well inside the store and index writes
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with caplog.at_level(logging.WARNING):
        entries, found = count(Settings(content_dir=content, data_dir=data))
    assert entries == 1500 and found == 1500  # every synthetic entry links with "See"
    assert any("did not finish" in r.message or "unreadable" in r.message or "disagree" in r.message
               for r in caplog.records)
    assert digest(content) == before


@pytest.mark.parametrize("damage", ["delete-db", "garbage-db", "truncate-index", "delete-index"])
def test_damaged_data_is_detected_and_rebuilt(tmp_path, caplog, damage):
    content = write_content(tmp_path / "content", SAMPLE)
    before = digest(content)
    settings = Settings(content_dir=content, data_dir=tmp_path / "data")
    assert count(settings)[0] == 6
    db = settings.data_dir / "glossa.db"
    if damage == "delete-db":
        db.unlink()
    elif damage == "garbage-db":
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        db.write_bytes(b"this is not a database" * 100)
    elif damage == "truncate-index":
        for seg in settings.index_dir.glob("*.seg"):
            seg.write_bytes(seg.read_bytes()[:20])
    else:
        target = settings.index_dir.resolve()
        for f in target.iterdir():
            f.unlink()
    with caplog.at_level(logging.WARNING):
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/entries").json()["total"] == 6
            assert client.get("/api/search", params={"q": "backprop"}).json()["results"][0]["slug"] == "backpropagation"
    assert caplog.records, "a damaged store or index must be reported in the log"
    assert digest(content) == before


def test_several_workers_share_one_data_folder(tmp_path):
    content = write_content(tmp_path / "content", SAMPLE)
    port = free_port()
    proc = glossa("serve", "--content", str(content), "--data", str(tmp_path / "data"),
                  "--port", str(port), "--workers", "3", "--watch")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, 60)
        with httpx.Client(base_url=url, timeout=10) as client:
            codes = [client.get(path).status_code for _ in range(40)
                     for path in ("/api/search?q=k+means", "/entries/inertia", "/api/suggest?q=rec")]
            assert set(codes) == {200}
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
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "LockError" not in err and "Traceback" not in err


def test_edits_under_load_cause_no_errors_and_converge(tmp_path):
    content = write_content(tmp_path / "content", SAMPLE)
    before_other = digest(content)
    settings = Settings(content_dir=content, data_dir=tmp_path / "data", watch=True)
    errors: list[str] = []
    stop = threading.Event()
    with TestClient(create_app(settings)) as client:
        time.sleep(0.3)

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
        lags = []
        try:
            for n in range(5):
                path = content / "clustering" / f"load-{n}.md"
                started = time.monotonic()
                path.write_text(f"---\ntitle: Load entry {n}\n---\nUnique word zorblax{n}.\n")
                while client.get("/api/search", params={"q": f"zorblax{n}"}).json()["total"] != 1:
                    assert time.monotonic() - started < 5
                    time.sleep(0.02)
                lags.append(time.monotonic() - started)
                path.unlink()
                started = time.monotonic()
                while client.get(f"/api/entries/load-{n}").status_code != 404:
                    assert time.monotonic() - started < 5
                    time.sleep(0.02)
                lags.append(time.monotonic() - started)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert errors == []
    # Each change showed up (within the 5 s bound above); how fast is bench/load.py's job.
    assert len(lags) == 10
    assert digest(content) == before_other
