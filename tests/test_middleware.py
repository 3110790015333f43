"""HTTP for what every visitor sees alike: compressed, revalidated by build, open to scripts
on other sites; learners' pages never revalidated from a shared tag."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import write_content


def test_text_is_compressed_when_the_client_accepts_it(client: TestClient):
    r = client.get("/api/graph", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.json()["nodes"]  # httpx decompresses: the body is intact
    plain = client.get("/api/graph", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == r.json()


def test_a_repeat_visit_is_answered_304_until_the_next_build(client: TestClient, app, content_dir):
    client.get("/entries/k-means")  # a first visit sets the CSRF cookie its forms carry
    first = client.get("/entries/k-means")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/entries/k-means", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    api = client.get("/api/entries/k-means")
    assert client.get("/api/entries/k-means", headers={"if-none-match": api.headers["etag"]}).status_code == 304
    assert api.headers["etag"] != etag  # each address its own tag
    write_content(content_dir, {"clustering/k-means.md": "---\ntitle: K-means clustering\n---\nRewritten.\n"})
    app.state.site.update()
    fresh = client.get("/entries/k-means", headers={"if-none-match": etag})
    assert fresh.status_code == 200 and "Rewritten." in fresh.text and fresh.headers["etag"] != etag


def test_learners_pages_carry_no_shared_tag(client: TestClient):
    assert client.post("/api/auth/guest").status_code == 201  # the client now holds a session cookie
    r = client.get("/entries/k-means")
    assert r.status_code == 200 and "etag" not in r.headers
    assert "etag" not in client.get("/api/study/queue").headers


def test_the_read_api_is_open_to_scripts_on_other_sites_without_credentials(client: TestClient):
    r = client.get("/api/entries", headers={"origin": "https://elsewhere.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    preflight = client.options(
        "/api/study/reviews",
        headers={"origin": "https://elsewhere.example", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 400  # writing is not offered across sites


def test_static_files_are_fingerprinted_and_kept_a_year(client: TestClient):
    html = client.get("/").text
    [css] = re.findall(r'href="(/static/style\.css\?v=[0-9a-f]{10})"', html)
    r = client.get(css)
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/style.css").headers["cache-control"] == "no-cache"  # no fingerprint: ask again
    assert "?v=" in client.get("/entries/k-means").text.split("graph.js")[1][:20]
