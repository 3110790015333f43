"""The whole site on PostgreSQL: content store and state store each in a database of its own
(fresh for this test, dropped after it). Skipped, with the reason, when no server answers."""

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import write_content
from tests.support.state_rows import fill, snapshot


def test_build_update_and_serve_on_postgres(tmp_path, content_dir, new_postgres_database):
    content_url, state_url = new_postgres_database(), new_postgres_database()
    state = fill(state_url)
    settings = Settings(
        content_dir=content_dir,
        data_dir=tmp_path / "data",
        content_database_url=content_url,
        state_database_url=state_url,
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/entries").json()["total"] == 6
        assert [b["slug"] for b in client.get("/api/entries/inertia").json()["backlinks"]] == ["k-means"]
        assert client.get("/api/entries", params={"tag": "clustering"}).json()["total"] == 3
        assert client.get("/entries/rnn", follow_redirects=False).status_code == 301
        status = client.get("/api/status").json()["state"]
        assert status["available"] and status["backend"] == "postgresql"
    write_content(
        content_dir, {"misc/elbow.md": "---\ntitle: Elbow method\ntags: [clustering]\n---\nSee [[Inertia]].\n"}
    )
    (content_dir / "deep-learning/backpropagation.md").unlink()
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/entries").json()["total"] == 6
        assert client.get("/api/entries/backpropagation").status_code == 404
        assert "elbow" in [b["slug"] for b in client.get("/api/entries/inertia").json()["backlinks"]]
        assert client.get("/api/status").json()["unresolved_links"] == 1  # the RNN entry's [[Backpropagation]]
    assert snapshot(state_url) == state
