"""No request can hold up another: routes that block run in the thread pool, so a slow search
leaves every other page answering."""

from __future__ import annotations

import threading

import httpx
import pytest

from app.main import create_app
from tests.support.server import serving


@pytest.mark.parametrize("slow_path", ["/api/search?q=anything", "/search?q=anything"])
def test_a_search_that_never_finishes_holds_up_no_other_request(settings, slow_path):
    app = create_app(settings)
    reader = app.state.site.reader
    entered, release = threading.Event(), threading.Event()
    search = reader.search

    def stuck_search(*args, **kwargs):
        entered.set()
        release.wait(30)  # as long as the test needs: a search stuck in its computation
        return search(*args, **kwargs)

    reader.search = stuck_search
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        slow: dict[str, int] = {}
        thread = threading.Thread(target=lambda: slow.setdefault("status", client.get(slow_path).status_code))
        thread.start()
        try:
            assert entered.wait(10), "the search never started"
            for path in ("/entries/k-means", "/api/entries/inertia", "/api/suggest?q=rec", "/", "/api/status"):
                assert client.get(path).status_code == 200, path
            assert "status" not in slow, "the slow search finished early: this test proves nothing"
        finally:
            release.set()
            thread.join(30)
    assert slow["status"] == 200


# Async routes answer from memory on the event loop and send everything else to a worker thread
# (ContentReader.ask); every other route is a plain def, which FastAPI runs in its thread pool.
# /healthz touches nothing: it says only that the event loop answers.
ANSWER_FROM_MEMORY = {"/entries/{slug}", "/api/entries/{slug}", "/api/entries", "/search", "/api/search", "/healthz"}


def api_routes(routes, prefix=""):
    """Every endpoint, through included routers."""
    from fastapi.routing import APIRoute

    for route in routes:
        if hasattr(route, "original_router"):  # an included router (FastAPI >= 0.160): the prefix it adds
            yield from api_routes(route.original_router.routes, route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def test_only_routes_that_hand_their_work_to_threads_are_async(app):
    import inspect

    routes = dict(api_routes(app.routes))
    assert len(routes) >= 20
    asynchronous = {path for path, route in routes.items() if inspect.iscoroutinefunction(route.endpoint)}
    assert asynchronous == ANSWER_FROM_MEMORY


def test_an_entry_page_that_never_finishes_holds_up_no_other_request(settings):
    app = create_app(settings)
    reader = app.state.site.reader
    entered, release = threading.Event(), threading.Event()
    get_entry = reader.get_entry

    def stuck(slug):
        if slug == "inertia":
            entered.set()
            release.wait(30)
        return get_entry(slug)

    stuck.__name__ = "get_entry"
    reader.get_entry = stuck
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        slow: dict[str, int] = {}
        thread = threading.Thread(target=lambda: slow.setdefault("status", client.get("/entries/inertia").status_code))
        thread.start()
        try:
            assert entered.wait(10)
            for path in ("/entries/k-means", "/api/search?q=rnn", "/search?q=inertia", "/api/suggest?q=rec"):
                assert client.get(path).status_code == 200, path
            assert "status" not in slow
        finally:
            release.set()
            thread.join(30)
    assert slow["status"] == 200
