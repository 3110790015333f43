"""Session lifetimes, password hashes that follow their parameters, and what an operator
decides: sign-up open, closed or by invitation, guests or not."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, create_engine, select

from app.accounts.models import Learner
from app.cli import main
from app.main import create_app
from tests.support.learners import PASSWORD, Browser

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_an_idle_session_ends_after_the_idle_limit(settings):
    clock = FakeClock()
    browser = Browser(TestClient(create_app(settings, clock=clock)))
    browser.signup("ada")
    clock.now += timedelta(days=29)
    assert browser.client.get("/api/me").status_code == 200  # used: the idle clock starts again
    clock.now += timedelta(days=29, hours=23)
    assert browser.client.get("/api/me").status_code == 200
    clock.now += timedelta(days=30)
    assert browser.client.get("/api/me").status_code == 401


def test_a_session_ends_at_its_absolute_limit_however_much_it_is_used(settings):
    clock = FakeClock()
    browser = Browser(TestClient(create_app(settings, clock=clock)))
    browser.signup("ada")
    for _ in range(179):
        clock.now += timedelta(days=1)
        assert browser.client.get("/api/me").status_code == 200
    clock.now += timedelta(days=1)
    assert browser.client.get("/api/me").status_code == 401


def test_a_password_hash_follows_new_parameters_at_sign_in(settings):
    Browser(TestClient(create_app(settings))).signup("ada")
    settings.password_memory_kib = 2048
    stronger = Browser(TestClient(create_app(settings)))
    assert stronger.signin("ada").status_code == 200
    engine = create_engine(settings.state_db_url)
    with Session(engine) as s:
        stored = s.exec(select(Learner.password_hash).where(Learner.username_key == "ada")).one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and "m=2048" in stored
    assert stronger.signin("ada").status_code == 200


def test_closed_sign_up_and_no_guests(settings):
    settings.signup, settings.guests = "closed", False
    client = TestClient(create_app(settings))
    r = client.post("/api/auth/signup", json={"username": "ada", "password": PASSWORD})
    assert r.status_code == 403 and "closed" in r.json()["detail"]
    assert client.post("/api/auth/guest").status_code == 403
    assert "does not take new accounts" in client.get("/signup").text


def test_sign_up_by_invitation_with_codes_from_the_command_line(settings, capsys):
    settings.signup = "invite"
    client = TestClient(create_app(settings))
    body = {"username": "ada", "password": PASSWORD}
    assert client.post("/api/auth/signup", json=body).status_code == 403
    state = ["--state-database-url", settings.state_db_url]
    assert main(["learners", *state, "invite", "--days", "3"]) == 0
    code = capsys.readouterr().out.strip()
    assert client.post("/api/auth/signup", json={**body, "invite": code}).status_code == 201
    second = TestClient(create_app(settings))
    r = second.post("/api/auth/signup", json={"username": "bob", "password": PASSWORD, "invite": code})
    assert r.status_code == 403  # a code is used once
    assert 'name="invite"' in client.get("/signup").text


def test_the_learners_command(settings, capsys, monkeypatch):
    import io

    state = ["--state-database-url", settings.state_db_url]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["learners", *state, "add", "ada", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["learners", *state, "add", "bob", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    client = Browser(TestClient(create_app(settings)))
    assert client.signin("ada").status_code == 200
    assert main(["learners", *state, "list"]) == 0
    assert "ada" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new secret\n"))
    assert main(["learners", *state, "reset-password", "ada", "--password-stdin"]) == 0
    assert client.client.get("/api/me").status_code == 401  # her sessions ended
    assert client.signin("ada", "a brand new secret").status_code == 200
    assert main(["learners", *state, "delete", "ada"]) == 0
    assert client.client.get("/api/me").status_code == 401
    assert main(["learners", *state, "delete", "ada"]) == 2


def test_learners_features_answer_503_when_the_state_store_is_damaged(tmp_path, content_dir):
    from app.config import Settings

    state = tmp_path / "state"
    state.mkdir()
    (state / "state.db").write_bytes(b"not a database" * 100)
    client = TestClient(create_app(Settings(content_dir=content_dir, data_dir=tmp_path / "data", state_dir=state)))
    r = client.post("/api/auth/guest")
    assert r.status_code == 503 and "damaged" in r.json()["detail"]
    assert client.get("/entries/k-means").status_code == 200  # reading goes on
    assert "Sign in" in client.get("/").text


def _redis_url() -> str | None:
    url = os.environ.get("GLOSSA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    host, port = url.split("//", 1)[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return None
    return url


def test_sign_in_counters_are_shared_by_two_servers_through_redis(tmp_path, content_dir):
    """Two processes on one state store: attempts alternate between them, and the limit holds
    for the sum (in memory, each would count only half)."""
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis answers at 127.0.0.1:6379 (set GLOSSA_TEST_REDIS_URL): shared counters not tested")
    import httpx

    from tests.support.server import free_port, serve_command, wait_until_up

    env = {**os.environ, "GLOSSA_REDIS_URL": url, "GLOSSA_STATE_DIR": str(tmp_path / "state")}
    servers, bases = [], []
    try:
        for name in ("one", "two"):
            port = free_port()
            command = serve_command(content_dir, tmp_path / name, port)
            command[command.index("--state") + 1] = str(tmp_path / "state")  # one state store for both
            servers.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_until_up(base, 60)
        codes = []
        for i in range(12):
            r = httpx.post(bases[i % 2] + "/api/auth/signin", json={"username": "ada", "password": f"guess {i:04d} x"})
            codes.append(r.status_code)
        assert codes == [401] * 10 + [429, 429]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
