import pytest

ITEM_KEYS = {"slug", "title", "category", "tags", "aliases", "summary", "url"}


def test_list_entries_shape_and_paging(client):
    data = client.get("/api/entries", params={"per_page": 2}).json()
    assert data["total"] == 6 and data["page"] == 1 and data["per_page"] == 2
    assert len(data["items"]) == 2 and set(data["items"][0]) >= ITEM_KEYS
    assert data["next_url"].startswith("/api/entries?page=2")
    second = client.get(data["next_url"]).json()
    assert {i["slug"] for i in second["items"]}.isdisjoint({i["slug"] for i in data["items"]})


def test_list_entries_filters(client):
    cat = client.get("/api/entries", params={"category": "clustering"}).json()
    assert {i["slug"] for i in cat["items"]} == {"k-means", "inertia", "hierarchical-clustering"}
    by_name = client.get("/api/entries", params={"category": "Deep learning"}).json()
    assert by_name["total"] == 2
    tagged = client.get("/api/entries", params={"tag": "metric"}).json()
    assert [i["slug"] for i in tagged["items"]] == ["inertia"]


@pytest.mark.parametrize("params", [{"per_page": 501}, {"per_page": 0}, {"page": 0}, {"page": "x"}])
def test_invalid_paging_is_422_with_message(client, params):
    r = client.get("/api/entries", params=params)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_entry_detail(client):
    e = client.get("/api/entries/inertia").json()
    assert ITEM_KEYS | {"markdown", "html", "links", "backlinks", "related", "updated"} <= set(e)
    assert e["aliases"] == ["WCSS", "within-cluster sum of squares"]
    assert [link["slug"] for link in e["links"]] == ["k-means"]
    assert [b["slug"] for b in e["backlinks"]] == ["k-means"]
    assert e["related"] and all({"slug", "title", "url"} == set(r) for r in e["related"])
    assert "[[k-means]]" in e["markdown"] and 'href="/entries/k-means"' in e["html"]


def test_backlinks_come_from_links(client):
    e = client.get("/api/entries/k-means").json()
    assert {b["slug"] for b in e["backlinks"]} == {"inertia", "hierarchical-clustering", "feature-scaling"}


def test_unknown_entry_is_json_404_and_alias_redirects(client):
    r = client.get("/api/entries/no-such-thing")
    assert r.status_code == 404 and "no-such-thing" in r.json()["detail"]
    r = client.get("/api/entries/rnn", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/api/entries/recurrent-neural-network"


def test_search_shape(client):
    data = client.get("/api/search", params={"q": "k means"}).json()
    assert set(data) >= {"query", "total", "page", "limit", "results", "facets", "suggestion"}
    first = data["results"][0]
    assert first["slug"] == "k-means"
    assert set(first) >= {"slug", "title", "category", "summary", "snippet", "score", "url"}
    assert data["facets"]["category"]["Clustering"] >= 1


def test_search_suggestion_for_typos(client):
    data = client.get("/api/search", params={"q": "hierarchicl"}).json()
    assert data["results"][0]["slug"] == "hierarchical-clustering"
    assert data["corrected"] == "hierarchical" and data["suggestion"] is None
    data = client.get("/api/search", params={"q": "hierarchicl", "exact": "true"}).json()
    assert data["total"] == 0 and data["corrected"] is None and data["suggestion"] == "hierarchical"


@pytest.mark.parametrize("q", ['"unbalanced', "AND OR", "*", "title:x", "🙂🙂", "x" * 2000, "<script>", "%00"])
def test_search_never_500(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200


def test_search_too_long_is_422(client):
    assert client.get("/api/search", params={"q": "x" * 2001}).status_code == 422


def test_categories_and_tags(client):
    cats = client.get("/api/categories").json()
    assert {
        "slug": "clustering",
        "name": "Clustering",
        "count": 3,
        "url": "/categories/clustering",
        "description": "",
    } in cats
    tags = client.get("/api/tags").json()
    assert {"slug": "clustering", "name": "clustering", "count": 3, "url": "/tags/clustering"} in tags


def test_suggest(client):
    data = client.get("/api/suggest", params={"q": "back", "limit": 8}).json()
    assert data == [
        {
            "slug": "backpropagation",
            "title": "Backpropagation",
            "category": "Deep learning",
            "url": "/entries/backpropagation",
            "matched": None,  # the title matched, not an alias
            "kind": "name",
        }
    ]


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {
        "/api/entries",
        "/api/entries/{slug}",
        "/api/search",
        "/api/suggest",
        "/api/categories",
        "/api/tags",
    } <= set(spec["paths"])


def test_both_listings_page_alike_under_either_name_with_next_url(client):
    entries = client.get("/api/entries", params={"limit": 2}).json()
    assert entries["per_page"] == 2 and len(entries["items"]) == 2
    assert entries["next_url"] == "/api/entries?page=2&per_page=2"
    found = client.get("/api/search", params={"q": "clustering", "per_page": 1}).json()
    assert found["limit"] == found["per_page"] == 1 and len(found["results"]) == 1 and found["total"] >= 2
    assert found["next_url"] == "/api/search?q=clustering&page=2&limit=1"
    following = client.get(found["next_url"]).json()
    assert following["page"] == 2 and following["results"][0]["slug"] != found["results"][0]["slug"]
    last = client.get("/api/search", params={"q": "clustering", "limit": 100}).json()
    assert last["next_url"] is None
    both = client.get("/api/entries", params={"limit": 2, "per_page": 3}).json()
    assert both["per_page"] == 3  # each route's own name wins
    assert client.get("/api/search", params={"q": "clustering", "limit": 1, "per_page": 2}).json()["limit"] == 1


def test_a_page_past_the_last_and_unknown_filters_say_what_was_not_found(client):
    past = client.get("/api/entries", params={"page": 999})
    assert past.status_code == 404 and "past the last page (1, at 50 per page, 6 in all)" in past.json()["detail"]
    past = client.get("/api/search", params={"q": "clustering", "page": 50})
    assert past.status_code == 404 and "past the last page" in past.json()["detail"]
    assert client.get("/api/search", params={"q": "zzzzqqq"}).status_code == 200  # no hits: an empty first page
    assert client.get("/api/entries", params={"category": "Clustering"}).json()["total"] == 3
    for route in ("/api/entries", "/api/search"):
        r = client.get(route, params={"q": "x", "category": "nope"})
        detail = r.json()["detail"]
        assert r.status_code == 404 and "no category 'nope'" in detail and "/api/categories" in detail
        r = client.get(route, params={"q": "x", "tag": "nope"})
        assert r.status_code == 404 and "/api/tags" in r.json()["detail"]
    window = client.get("/api/search", params={"q": "x", "page": 100, "limit": 100})
    assert window.status_code == 404 and "first 1000 results" in window.json()["detail"]


def test_an_entry_with_only_the_fields_asked_for(client):
    brief = client.get("/api/entries/inertia", params={"fields": "title,summary"})
    assert brief.json() == {"title": "Inertia", "summary": brief.json()["summary"]} and brief.json()["summary"]
    assert len(brief.content) < len(client.get("/api/entries/inertia").content) / 3
    moved = client.get("/api/entries/WCSS", params={"fields": "title"}, follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/api/entries/inertia?fields=title"
    bad = client.get("/api/entries/inertia", params={"fields": "title,secret"})
    assert bad.status_code == 422 and "fields" in bad.json()["detail"] and "summary" in bad.json()["detail"]
