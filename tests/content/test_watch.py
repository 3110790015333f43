from fastapi.testclient import TestClient

from app.main import create_app


def test_watch_picks_up_edit_add_and_delete(settings, content_dir):
    settings.watch = True
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.watcher.ready.wait(10), "the watcher never started"
        served = app.state.site.builder.wait_until

        (content_dir / "clustering/new-one.md").write_text("---\ntitle: Silhouette score\n---\nA cluster quality score.\n")
        assert served(lambda: client.get("/api/entries/new-one").status_code == 200, timeout=10)

        (content_dir / "clustering/new-one.md").write_text("---\ntitle: Silhouette coefficient\n---\nEdited.\n")
        assert served(lambda: client.get("/api/entries/new-one").json()["title"] == "Silhouette coefficient",
                      timeout=10)
        assert client.get("/api/search", params={"q": "silhouette"}).json()["total"] == 1

        (content_dir / "clustering/new-one.md").unlink()
        assert served(lambda: client.get("/api/entries/new-one").status_code == 404, timeout=10)
        assert client.get("/api/search", params={"q": "silhouette"}).json()["total"] == 0
