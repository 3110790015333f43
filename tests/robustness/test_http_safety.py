"""Security headers on every response, and hostile paths that never reach a file or a 500."""

import pytest

ROUTES = [
    "/",
    "/entries/k-means",
    "/search?q=x",
    "/api/entries",
    "/api/search?q=x",
    "/static/style.css",
    "/docs",
    "/openapi.json",
    "/nope",
    "/api/nope",
    "/sitemap.xml",
    "/feed.xml",
]


@pytest.mark.parametrize("url", ROUTES)
def test_security_headers_everywhere(client, url):
    r = client.get(url)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "http" not in csp  # no outside origin
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]


def test_pages_use_no_inline_script(client):
    for url in ("/", "/entries/k-means", "/graph", "/docs", "/search?q=k"):
        html = client.get(url).text
        assert "<script>" not in html and "onload=" not in html and "onclick=" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/static/../app/config.py",
        "/static/%2e%2e/app/config.py",
        "/static/..%2fapp%2fconfig.py",
        "/entries/..%2F..%2Fetc%2Fpasswd",
        "/entries/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/entries/a%00b",
        "/categories/..%2F..",
        "/tags/%00",
        "/api/entries/..%2F..%2Fetc%2Fpasswd",
        "/api/entries/" + "x" * 10000,
        "/entries/" + "é" * 3000,
        "/" + "a/" * 500,
        "/api/graph?slug=%00",
    ],
)
def test_hostile_paths(client, url):
    r = client.get(url)
    assert r.status_code in (404, 422), (url, r.status_code)
    assert "root:" not in r.text and "GLOSSA_" not in r.text


def test_docs_page_is_served_locally(client):
    html = client.get("/docs/try").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert 'href="/docs">API reference</a>' in html and 'href="/">' in html  # a way back


def test_the_api_reference_lists_every_route_from_the_schema_itself(client):
    html = client.get("/docs").text
    for path, route in client.get("/openapi.json").json()["paths"].items():
        for method in route:
            assert f"<code>{method.upper()} {path}</code>" in html, (method, path)
    assert 'id="schema-SearchResponse"' in html and "<code>next_url</code>" in html
    assert "<script" not in html.split("<main")[1]  # readable without script


def test_sitemap_robots_feed_favicon(client):
    assert "<loc>http://testserver/entries/k-means</loc>" in client.get("/sitemap.xml").text
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").text
    feed = client.get("/feed.xml")
    assert feed.headers["content-type"].startswith("application/atom+xml") and "<entry>" in feed.text
    assert client.get("/favicon.ico", follow_redirects=True).status_code == 200


def test_head_requests_answer_like_get_without_body(client):
    r = client.head("/entries/k-means")
    assert r.status_code == 200 and r.content == b"" and r.headers["content-security-policy"]
    assert client.head("/entries/rnn", follow_redirects=False).status_code == 301
