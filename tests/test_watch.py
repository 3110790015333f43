import time

from fastapi.testclient import TestClient

from app.main import create_app


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_watch_picks_up_edit_add_and_delete(settings, content_dir):
    settings.watch = True
    with TestClient(create_app(settings)) as client:
        time.sleep(0.3)  # let the watcher start
        (content_dir / "clustering/new-one.md").write_text("---\ntitle: Silhouette score\n---\nA cluster quality score.\n")
        assert wait_for(lambda: client.get("/api/entries/new-one").status_code == 200)
        (content_dir / "clustering/new-one.md").write_text("---\ntitle: Silhouette coefficient\n---\nEdited.\n")
        assert wait_for(lambda: client.get("/api/entries/new-one").json()["title"] == "Silhouette coefficient")
        assert wait_for(lambda: client.get("/api/search", params={"q": "silhouette"}).json()["total"] == 1)
        (content_dir / "clustering/new-one.md").unlink()
        assert wait_for(lambda: client.get("/api/entries/new-one").status_code == 404)
