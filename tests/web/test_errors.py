"""Errors answer a browser with a page and an API client with JSON; never a trace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.deps import StateDep
from app.main import create_app

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def broken_app(settings):
    app = create_app(settings)

    def explode(*_args, **_kwargs):
        raise RuntimeError("a bug")

    app.state.site.reader.categories = explode
    return app


def test_an_unexpected_error_is_a_page_for_browsers_and_json_for_clients(settings, caplog):
    with TestClient(broken_app(settings), raise_server_exceptions=False) as client:
        page = client.get("/", headers=HTML)
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "Something went wrong" in page.text and "RuntimeError" not in page.text
        api = client.get("/api/categories")
        assert api.status_code == 500
        assert api.json() == {"detail": "internal error; the server log has the details"}
    assert "unhandled error on /" in caplog.text and "a bug" in caplog.text


def test_a_bad_parameter_is_a_page_for_browsers_and_json_for_clients(client):
    # (A bad page number is not one: the search page shows the nearest page, test_search_page.py.)
    page = client.get("/search", params={"q": "x" * 2001}, headers=HTML)
    assert page.status_code == 422 and "<html" in page.text and "q: String should have at most" in page.text
    api = client.get("/api/search", params={"page": "x"})
    assert api.status_code == 422 and "page" in api.json()["detail"]


def test_state_features_answer_503_with_the_reason_while_reading_works(settings):
    settings.state_dir.mkdir(parents=True)
    (settings.state_dir / "state.db").write_bytes(b"damaged beyond reading" * 100)
    app = create_app(settings)

    @app.get("/api/needs-state")
    def needs_state(state: StateDep) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/needs-state")
    def needs_state_page(state: StateDep) -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app) as client:
        assert client.get("/entries/k-means").status_code == 200
        assert client.get("/api/search", params={"q": "rnn"}).json()["results"][0]["slug"] == "recurrent-neural-network"
        api = client.get("/api/needs-state")
        assert api.status_code == 503 and "damaged" in api.json()["detail"]
        assert api.headers["retry-after"]
        page = client.get("/needs-state", headers=HTML)
        assert page.status_code == 503 and "Reading the glossary still works" in page.text
        status = client.get("/api/status").json()["state"]
        assert status["available"] is False and "glossa restore" in status["problem"]
    assert (settings.state_dir / "state.db").read_bytes() == b"damaged beyond reading" * 100
