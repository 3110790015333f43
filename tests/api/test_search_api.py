"""/api/search says what it searched (`corrected`) and searches as typed on request (`exact`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_content
from tests.search.written import ENTRIES


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content", ENTRIES)


def test_a_respelt_query_names_what_was_searched(client):
    data = client.get("/api/search", params={"q": "precison"}).json()
    assert data["query"] == "precison" and data["corrected"] == "precision" and data["suggestion"] is None
    assert data["results"][0]["slug"] == "precision"


def test_exact_searches_the_words_as_typed_and_pages_so(client):
    data = client.get("/api/search", params={"q": "precison", "exact": "true"}).json()
    assert data["total"] == 0 and data["corrected"] is None and data["suggestion"] == "precision"
    first = client.get("/api/search", params={"q": "gradient", "exact": "true", "limit": 1}).json()
    assert first["next_url"] == "/api/search?q=gradient&page=2&limit=1&exact=true"
    assert client.get(first["next_url"]).json()["page"] == 2


def test_quoted_category_and_tag_values_work_through_the_api(client):
    data = client.get("/api/search", params={"q": 'category:"Deep learning" gradient'}).json()
    assert {r["slug"] for r in data["results"]} == {
        "gradient-descent",
        "stochastic-gradient-descent",
        "backpropagation",
    }
    data = client.get("/api/search", params={"q": 'tag:"Core Idea"'}).json()
    assert {r["slug"] for r in data["results"]} == {"gradient-descent", "precision"}


def test_openapi_documents_exact_and_corrected(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/search"]["get"]
    exact = next(p for p in operation["parameters"] if p["name"] == "exact")
    assert exact["schema"]["type"] == "boolean" and "as typed" in exact["description"]
    assert "corrected" in operation["description"] and "exact=true" in operation["description"]
    response = spec["components"]["schemas"]["SearchResponse"]["properties"]
    assert "exact=true" in response["corrected"]["description"]


def test_suggest_names_the_alias_that_matched(client):
    found = client.get("/api/suggest", params={"q": "gd"}).json()
    assert found[0]["title"] == "Gradient descent" and found[0]["matched"] == "GD" and found[0]["kind"] == "name"
    by_title = client.get("/api/suggest", params={"q": "gradient d"}).json()
    assert [s["matched"] for s in by_title] == [None, None]


def test_suggest_answers_a_question_with_what_the_search_finds(client):
    question = "how do I make my weights take smaller steps against the loss"
    found = client.get("/api/suggest", params={"q": question}).json()
    searched = client.get("/api/search", params={"q": question}).json()["results"]
    assert found and all(s["kind"] == "answer" for s in found)
    assert [s["url"] for s in found] == [r["url"] for r in searched[: len(found)]]
    spec = client.get("/openapi.json").json()["components"]["schemas"]["Suggestion"]["properties"]
    assert "alias" in spec["matched"]["description"] and spec["kind"]["enum"] == ["name", "answer"]
