"""Typos: results for the respelling say what was searched; a search as typed offers the
respelling instead ("Did you mean"), never both."""

from __future__ import annotations

from tests.search.conftest import slugs


def test_results_for_a_respelling_say_what_was_searched(written):
    found = written.search("precison")
    assert slugs(found)[0] == "precision"
    assert found.corrected == "precision" and found.suggestion is None
    # Only the respelt words change; filters, phrases and the words known stay as typed.
    found = written.search('precison "spam filter" category:"Model evaluation"')
    assert found.corrected == 'precision "spam filter" category:"Model evaluation"'


def test_searching_as_typed_corrects_nothing_and_offers_the_respelling(written):
    found = written.search("precison", exact=True)
    assert found.total == 0 and found.corrected is None
    assert found.suggestion == "precision"
    # Nothing to offer when what was typed is already what the glossary says.
    found = written.search("precision", exact=True)
    assert slugs(found)[0] == "precision" and found.suggestion is None and found.corrected is None


def test_words_that_need_no_respelling_report_none(written):
    found = written.search("precision recall")
    assert found.corrected is None and found.suggestion is None


def test_an_unfinished_last_word_is_completed_not_reported_as_respelt(written):
    # "gradie" is one letter from "grade", but it is the start of a name: the results are
    # mostly that name's, so "Showing results for grade" would be wrong.
    found = written.search("gradie")
    assert set(slugs(found)[:2]) == {"gradient-descent", "stochastic-gradient-descent"}
    assert found.corrected is None
