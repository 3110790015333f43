"""Learners' tests run on SQLite and, when a server answers, on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.support.learners import PASSWORD, Browser  # noqa: F401 - shared with study's tests


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path, state_url: str) -> Settings:
    return Settings(
        content_dir=content_dir,
        data_dir=tmp_path / "data",
        state_database_url=state_url,
        password_memory_kib=1024,
        password_time_cost=1,
    )


@pytest.fixture
def browser(client: TestClient) -> Browser:
    return Browser(client)


@pytest.fixture
def other_browser(app, client: TestClient) -> Browser:
    """A second device: the same running site, its own cookies."""
    return Browser(TestClient(app))
