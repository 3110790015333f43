"""A real uvicorn server on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.config import Settings
from app.main import create_app
from tests.conftest import SAMPLE, write_content
from tests.support.server import serving

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        if os.environ.get("GLOSSA_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium); CI requires it")
        pytest.skip("chromium not installed: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def serve(content: Path, data: Path, watch: bool = True) -> Iterator[tuple[str, object]]:
    """A uvicorn server for the app on content, on a free 127.0.0.1 port: (its URL, the app)."""
    app = create_app(
        Settings(
            content_dir=content,
            data_dir=data,
            state_dir=data.parent / "state",
            watch=watch,
            password_memory_kib=1024,
            password_time_cost=1,
        )
    )
    with serving(app) as url:
        assert not watch or app.state.watcher.ready.wait(10), "the watcher never started"
        yield url, app


CLUSTERING_PATH = """\
    title: Clustering from scratch
    description: Distances first, then k-means and how to judge it.
    sections:
      - title: Before clustering
        entries: [feature-scaling]
      - title: K-means
        entries: [k-means, inertia]
    """


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    content = write_content(root / "content", {**SAMPLE, "_paths/clustering.yml": CLUSTERING_PATH})
    with serve(content, root / "data") as (url, app):
        yield {"url": url, "content": content, "app": app}


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.console_errors = errors
    yield pg
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def serious_violations(page) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical findings on the page as it is now (the page's context
    must bypass CSP: axe is injected as a script)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
