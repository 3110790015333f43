"""The search box in the browser: which alias a suggestion matched, and answers to a question."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_suggestion_found_by_an_alias_says_so(page, live_server):
    page.goto(live_server["url"] + "/")
    page.focus("#site-search")
    page.keyboard.type("wcss")
    option = page.locator("#suggest-0 [role=option]").first
    option.wait_for()
    assert option.locator(".suggest-title").inner_text() == "WCSS — alias of Inertia"
    assert page.locator("#suggest-0").get_attribute("aria-label") == "Matching entries"
    caption = page.locator("#suggest-0").evaluate("ul => getComputedStyle(ul, '::before').content")
    assert caption in ("none", "normal")
    assert not page.console_errors


def test_a_question_is_answered_in_the_suggestions_and_one_opens_its_entry(page, live_server):
    page.goto(live_server["url"] + "/entries/inertia")
    page.focus("#site-search")
    page.keyboard.type("tree of clusters by merging")
    listbox = page.locator("#suggest-0")
    first = listbox.locator("[role=option]").first
    # Waits out the lists for the words typed on the way: the last one is for the whole question.
    expect(first.locator(".suggest-title")).to_have_text("Hierarchical clustering")
    expect(listbox).to_have_attribute("aria-label", "Entries that answer this")
    # Seen, not only announced: the list says these answer the question, not names it begins.
    caption = listbox.evaluate("ul => getComputedStyle(ul, '::before').content")
    assert caption == '"Entries that answer this"'
    first.click()
    page.wait_for_url("**/entries/hierarchical-clustering")
    assert page.locator("h1").inner_text() == "Hierarchical clustering"
    assert not page.console_errors
