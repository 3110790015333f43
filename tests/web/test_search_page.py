"""The search page says what it searched: "Showing results for …" when it respelt the query,
with a way to search the words as typed, and "Did you mean …" only when it did not; and a page
number that names no page shows the nearest page that exists, saying so."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from tests.conftest import write_content
from tests.search.written import ENTRIES

# Enough entries about one thing for three pages of results (10 a page).
LOGS = {
    f"notes/training-log-{n}.md": f"""\
        ---
        title: Training log {n}
        category: Notes
        ---
        Run {n} recorded its validation loss after every epoch.
        """
    for n in range(1, 24)
}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content", {**ENTRIES, **LOGS})


def notice(page: str) -> str:
    """The sentence above the results about spelling, as text, or ""."""
    found = re.search(r'<p class="suggestion">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def link_after(page: str, words: str) -> str:
    found = re.search(re.escape(words) + r'.*?<a href="([^"]+)"', page, re.S)
    assert found, words
    return html_lib.unescape(found.group(1))


def test_a_respelt_query_says_what_was_searched_and_offers_the_words_as_typed(client):
    page = client.get("/search", params={"q": "precison"}).text
    assert notice(page) == "Showing results for precision; search instead for precison"
    assert "Did you mean" not in page
    assert 'href="/entries/precision"' in page
    as_typed = link_after(page, "search instead for")
    assert as_typed == "/search?q=precison&exact=1"
    page = client.get(as_typed).text
    assert notice(page) == "Did you mean precision?"
    assert "Nothing matches" in page and 'value="precison"' in page
    # The offered respelling searches normally again.
    assert link_after(page, "Did you mean") == "/search?q=precision"


def test_a_query_that_needs_no_respelling_has_no_notice(client):
    page = client.get("/search", params={"q": "precision"}).text
    assert notice(page) == "" and 'href="/entries/precision"' in page
    assert notice(client.get("/search", params={"q": "precision", "exact": "1"}).text) == ""


def test_search_as_typed_keeps_its_filter_and_its_json_twin_searches_as_typed(client):
    r = client.get("/search", params={"q": "gradiant", "exact": "1", "category": "deep-learning"})
    assert notice(r.text) == "Did you mean gradient?"
    assert link_after(r.text, "Did you mean") == "/search?q=gradient&category=deep-learning"
    twin = re.match(r"<([^>]+)>", r.headers["link"]).group(1)
    assert "exact=1" in twin
    data = client.get(twin).json()
    assert data["total"] == 0 and data["suggestion"] == "gradient" and data["corrected"] is None


def test_snippets_on_the_page_are_readable(client):
    page = client.get("/search", params={"q": "spam filter flags"}).text
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    text = re.sub(r"</?mark>", "", snippet)
    assert "30/38 ≈ 0.79" in text and "\\approx" not in text and "sklearn" not in text


def page_notice(page: str) -> str:
    found = re.search(r'<p class="page-notice"[^>]*>(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def shown(page: str) -> tuple[int, int]:
    """(number of the first result shown, results listed) on a results page."""
    listing = re.search(r'<ol class="results" start="(\d+)">(.*?)</ol>', page, re.S)
    assert listing, "no results are listed"
    return int(listing.group(1)), listing.group(2).count("<li>")


def test_a_page_past_the_last_shows_the_last_page_and_says_so(client):
    r = client.get("/search", params={"q": "validation loss", "page": "999"})
    assert r.status_code == 200
    assert page_notice(r.text) == "There is no page 999; showing page 3, the last"
    assert shown(r.text) == (21, 3)  # results 21 to 23 of 23
    assert "Page 3 of 3" in r.text and 'rel="next"' not in r.text
    assert "page=3" in r.headers["link"]  # its JSON twin is the page shown


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client):
    for raw, said in (("abc", "abc"), ("0", "0"), ("-2", "-2"), ("2.5", "2.5")):
        r = client.get("/search", params={"q": "validation loss", "page": raw})
        assert r.status_code == 200, raw
        assert page_notice(r.text) == f"There is no page {said}; showing page 1, the first"
        assert shown(r.text) == (1, 10) and "Page 1 of 3" in r.text
    endless = client.get("/search", params={"q": "validation loss", "page": "9" * 50}).text
    assert page_notice(endless) == f"There is no page {'9' * 20}…; showing page 3, the last"


def test_a_page_that_exists_has_no_notice(client):
    for params in ({"page": "2"}, {"page": ""}, {}):
        r = client.get("/search", params={"q": "validation loss", **params})
        assert r.status_code == 200 and page_notice(r.text) == ""
    assert shown(client.get("/search", params={"q": "validation loss", "page": "2"}).text) == (11, 10)


def test_one_page_of_results_is_the_only_one(client):
    page = client.get("/search", params={"q": "precision", "page": "4"}).text
    assert page_notice(page) == "There is no page 4; showing page 1, the only one"
    assert 'href="/entries/precision"' in page
    # No results: nothing to page through, so nothing to say about pages.
    nothing = client.get("/search", params={"q": "zzqqxx", "page": "4"}).text
    assert "Nothing matches" in nothing and page_notice(nothing) == ""


def test_the_api_refuses_a_bad_page_with_a_reason(client):
    past = client.get("/api/search", params={"q": "validation loss", "page": 50})
    assert past.status_code == 404 and "last page (3" in past.json()["detail"]
    assert client.get("/api/search", params={"q": "validation loss", "page": "abc"}).status_code == 422
