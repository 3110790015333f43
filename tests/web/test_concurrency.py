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


def test_every_blocking_route_is_a_plain_function(app):
    """FastAPI runs plain `def` routes in its thread pool; an `async def` route that touches
    a database or scores a query would hold the event loop for everyone."""
    import inspect

    from fastapi.routing import APIRoute

    asynchronous = [r.path for r in app.routes if isinstance(r, APIRoute) and inspect.iscoroutinefunction(r.endpoint)]
    assert asynchronous == []
