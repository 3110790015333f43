"""Study tests: a fake clock drives months of study in milliseconds; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.support.learners import Browser


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> None:
        self.now += timedelta(**span)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path, state_url: str) -> Settings:
    return Settings(
        content_dir=content_dir,
        data_dir=tmp_path / "data",
        state_database_url=state_url,
        password_memory_kib=1024,
        password_time_cost=1,
        # Sessions outlive the months a test studies through (their own limits are tested elsewhere).
        session_idle_days=3650,
        session_max_days=3650,
    )


@pytest.fixture
def app(settings: Settings, clock: FakeClock):
    return create_app(settings, clock=clock)


@pytest.fixture
def learner(client: TestClient) -> Browser:
    browser = Browser(client)
    browser.guest()
    return browser


def queue(browser: Browser, scope: str = "all", limit: int = 100) -> dict:
    r = browser.client.get("/api/study/queue", params={"scope": scope, "limit": limit})
    assert r.status_code == 200, r.text
    return r.json()


def answer(browser: Browser, card_id: str, rating: int, **extra) -> dict:
    r = browser.post("/api/study/reviews", json={"card_id": card_id, "rating": rating, **extra})
    assert r.status_code in (200, 201), r.text
    return r.json()
