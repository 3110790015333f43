"""The state store's server goes away after the node opened it (a restart, a failover, the
network): reading keeps answering 200, learners' features answer 503 with Retry-After (never
500), and the node uses the store again by itself once it is back. A TCP proxy between the
node and PostgreSQL stands in for the server: cut, it drops every connection and refuses new
ones. The shared PostgreSQL server itself is never restarted by a test."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.deploy.conftest import reviews_with_key, target_of, through
from tests.deploy.tcp_proxy import TcpProxy

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    with TcpProxy(*target_of(postgres_url)) as cut_able:
        yield cut_able


def test_reading_works_and_study_answers_503_while_the_store_is_away(tmp_path, content_dir, postgres_url, proxy):
    settings = Settings(
        content_dir=content_dir, data_dir=tmp_path / "data", state_database_url=through(proxy, postgres_url)
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.post("/api/auth/guest").status_code == 201
        csrf = {"x-csrf-token": client.get("/api/me").json()["csrf_token"]}
        card = client.get("/api/study/queue").json()["cards"][0]["id"]

        def review(key: str):
            return client.post("/api/study/reviews", json={"card_id": card, "rating": 3, "key": key}, headers=csrf)

        assert review("before").status_code == 201

        proxy.cut()
        # Reading, by this signed-in learner too: their session cannot be looked up, so they
        # read as a visitor.
        for path in ("/api/entries", "/api/entries/k-means", "/api/search?q=inertia", "/api/categories"):
            assert client.get(path).status_code == 200, path
        for path in ("/", "/entries/k-means", "/search?q=inertia"):
            assert client.get(path, headers=HTML).status_code == 200, path
        # Learners' features: 503 with the reason and when to try again; never a 500.
        for answer in (
            client.get("/api/study/queue"),
            client.get("/api/me"),
            review("during"),
            client.get("/study", headers=HTML),
        ):
            assert answer.status_code == 503, (answer.request.url, answer.status_code, answer.text[:300])
            assert int(answer.headers["retry-after"]) > 0
        assert "lost the state store" in client.get("/api/study/queue").json()["detail"]

        proxy.restore()
        # The node reconnects by itself: the first request after the store is back may still
        # meet a dropped connection; the client retries with the same key until it lands.
        deadline = time.monotonic() + 30
        while (answer := review("during")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answer.status_code == 201, answer.text
        assert review("during").status_code == 200  # a retry with the key counts once
        assert client.get("/api/study/queue").status_code == 200
    assert reviews_with_key(postgres_url, "during") == 1
    assert reviews_with_key(postgres_url, "before") == 1
