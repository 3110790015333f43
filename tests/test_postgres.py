"""The same store on PostgreSQL. Runs when GLOSSA_TEST_POSTGRES_URL names an empty database
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/glossa_test, with `pip install -e '.[postgres]'`)."""

import os

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import write_content

URL = os.environ.get("GLOSSA_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="GLOSSA_TEST_POSTGRES_URL is not set")


def test_build_update_and_serve_on_postgres(tmp_path, content_dir):
    from sqlmodel import SQLModel

    from app.store import make_engine

    engine = make_engine(URL)
    SQLModel.metadata.drop_all(engine)  # a clean database for this run
    engine.dispose()
    settings = Settings(content_dir=content_dir, data_dir=tmp_path / "data", database_url=URL)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/entries").json()["total"] == 6
        assert [b["slug"] for b in client.get("/api/entries/inertia").json()["backlinks"]] == ["k-means"]
        assert client.get("/api/entries", params={"tag": "clustering"}).json()["total"] == 3
        assert client.get("/entries/rnn", follow_redirects=False).status_code == 301
    write_content(content_dir, {"misc/elbow.md": "---\ntitle: Elbow method\ntags: [clustering]\n---\nSee [[Inertia]].\n"})
    (content_dir / "deep-learning/backpropagation.md").unlink()
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/entries").json()["total"] == 6
        assert client.get("/api/entries/backpropagation").status_code == 404
        assert "elbow" in [b["slug"] for b in client.get("/api/entries/inertia").json()["backlinks"]]
        assert client.get("/api/status").json()["unresolved_links"] == 1  # the RNN entry's [[Backpropagation]]
