import os

from fastapi.testclient import TestClient

from app.config import Settings
from app.content.watch import QUIET_AFTER, RETRY_AFTER, Watcher
from app.main import create_app
from tests.content.test_builder import full_build_of, snapshot


def test_watch_picks_up_edit_add_and_delete(settings, content_dir):
    settings.watch = True
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.watcher.ready.wait(10), "the watcher never started"
        served = app.state.site.builder.wait_until

        (content_dir / "clustering/new-one.md").write_text(
            "---\ntitle: Silhouette score\n---\nA cluster quality score.\n"
        )
        assert served(lambda: client.get("/api/entries/new-one").status_code == 200, timeout=10)

        (content_dir / "clustering/new-one.md").write_text("---\ntitle: Silhouette coefficient\n---\nEdited.\n")
        assert served(
            lambda: client.get("/api/entries/new-one").json()["title"] == "Silhouette coefficient", timeout=10
        )
        assert client.get("/api/search", params={"q": "silhouette"}).json()["total"] == 1

        (content_dir / "clustering/new-one.md").unlink()
        assert served(lambda: client.get("/api/entries/new-one").status_code == 404, timeout=10)
        assert client.get("/api/search", params={"q": "silhouette"}).json()["total"] == 0


def test_the_watchers_paths_give_what_a_full_build_gives(settings: Settings, content_dir, tmp_path):
    """Edits, a rename, a move between categories, an alias that takes a name and a deletion,
    each brought in by the watcher with the paths it saw, then compared with a full build."""
    settings.watch = True
    app = create_app(settings)
    site = app.state.site
    given = []
    build = site.builder.build

    def recording(*args, **kwargs):
        given.append(kwargs.get("changed"))
        return build(*args, **kwargs)

    site.builder.build = recording
    steps = [
        lambda: (content_dir / "clustering/inertia.md").write_text("---\ntitle: Inertia\n---\nNow [[RNN]] too.\n"),
        lambda: os.replace(content_dir / "data/feature-scaling.md", content_dir / "data/scaling.md"),
        lambda: os.replace(content_dir / "clustering/k-means.md", content_dir / "deep-learning/k-means.md"),
        lambda: (content_dir / "data/x.md").write_text("---\ntitle: X\naliases: [Backprop, Inertia]\n---\n[[KMC]]\n"),
        lambda: (content_dir / "deep-learning/recurrent-neural-network.md").unlink(),
    ]
    with TestClient(app):
        assert app.state.watcher.ready.wait(10), "the watcher never started"
        for step in steps:
            step()
            expected = full_build_of(content_dir, tmp_path)
            assert site.builder.wait_until(lambda expected=expected: snapshot(site) == expected, timeout=15)
    assert any(paths for paths in given), "the watcher never said which paths changed"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rounds_pass_the_paths_and_look_at_everything_now_and_then(content_dir, tmp_path):
    calls = []
    clock = Clock()
    watcher = Watcher(
        content_dir, tmp_path / ".watch.lock", lambda changed: calls.append(changed), rescan_every=600, clock=clock
    )
    watcher.round(set())  # the watch is set: a look at every file, for what changed before it was
    assert calls == [None]
    edited, swap = str(content_dir / "clustering/k-means.md"), str(content_dir / "clustering/.k-means.md.swp")
    watcher.round({edited, swap})
    assert calls[-1] == {edited}  # an editor's swap file is nobody's business
    watcher.round({swap})
    watcher.round(set())
    assert len(calls) == 2
    clock.now += 600
    watcher.round({edited})  # time for a look at every file: these paths among them
    assert calls[-1] is None and len(calls) == 3


def test_a_failed_build_is_followed_by_a_look_at_everything(content_dir, tmp_path):
    calls = []
    clock = Clock()

    def on_change(changed):
        calls.append(changed)
        if changed:
            raise OSError("disk full")

    watcher = Watcher(content_dir, tmp_path / ".watch.lock", on_change, rescan_every=600, clock=clock)
    watcher.round(set())
    watcher.round({str(content_dir / "clustering/k-means.md")})  # fails: logged, watching goes on
    clock.now += RETRY_AFTER - 1
    watcher.round(set())
    assert calls[-1] is not None
    clock.now += 1
    watcher.round(set())
    assert calls[-1] is None


def test_housekeeping_waits_for_a_quiet_moment(content_dir, tmp_path):
    calls = []
    clock = Clock()
    watcher = Watcher(
        content_dir,
        tmp_path / ".watch.lock",
        lambda changed: calls.append(changed),
        clock=clock,
        on_quiet=lambda: calls.append("quiet"),
    )
    watcher.round(set())
    edited = str(content_dir / "clustering/k-means.md")
    for _ in range(3):  # edits keep coming: no housekeeping between them
        clock.now += QUIET_AFTER / 2
        watcher.round({edited})
        watcher.round(set())
    assert "quiet" not in calls
    clock.now += QUIET_AFTER
    watcher.round(set())
    watcher.round(set())
    assert calls.count("quiet") == 1 and calls[-1] == "quiet"
