"""Names typed whole, quoted or still being typed, and quoted category and tag values."""

from __future__ import annotations

from app.search.parser import parse_query
from tests.search.conftest import slugs


def test_a_quoted_name_ranks_its_entry_first_like_the_unquoted_name(written):
    # Stochastic gradient descent says "gradient descent" five times, Gradient descent never
    # outside its title: by the words alone the longer name would win.
    assert slugs(written.search('"gradient descent"'))[:2] == ["gradient-descent", "stochastic-gradient-descent"]
    assert slugs(written.search("gradient descent"))[:2] == ["gradient-descent", "stochastic-gradient-descent"]
    assert slugs(written.search('"gd"'))[0] == "gradient-descent"  # an alias is a name too


def test_a_name_still_being_typed_ranks_its_entry_first(written):
    # The same words as above, the last one unfinished: the name being typed is Gradient
    # descent, whose name begins so; Stochastic gradient descent only contains it.
    for typed in ("gradient desc", "gradient des", "Gradient Desc"):
        assert slugs(written.search(typed))[:2] == ["gradient-descent", "stochastic-gradient-descent"], typed
    assert slugs(written.search("stochastic grad"))[0] == "stochastic-gradient-descent"
    # One unfinished word begins too many names to say which is being typed: ranked by its words.
    assert slugs(written.search("gradient")) == slugs(written.search("gradient", exact=True))
    assert "gradient-descent" not in slugs(written.search("gradient desc -eta"))


def test_a_quoted_name_does_not_override_an_exclusion(written):
    assert "gradient-descent" not in slugs(written.search('"gradient descent" -eta'))
    assert "gradient-descent" not in slugs(written.search("gradient descent -eta"))


def test_quoted_category_and_tag_values_filter(written):
    assert set(slugs(written.search('category:"Deep learning" gradient'))) == {
        "gradient-descent",
        "stochastic-gradient-descent",
        "backpropagation",
    }
    assert set(slugs(written.search('category:"Model evaluation" share'))) == {"precision", "recall"}
    # As the category's address spells it, in any case.
    assert slugs(written.search("Category:Deep-Learning chain")) == ["backpropagation"]
    assert set(slugs(written.search('tag:"Core Idea"'))) == {"gradient-descent", "precision"}
    assert set(slugs(written.search('tag:"core idea" share'))) == {"precision"}
    assert set(slugs(written.search("tag:core-idea"))) == {"gradient-descent", "precision"}
    assert slugs(written.search("loss", tags=["Core Idea"])) == ["gradient-descent"]


def test_quoted_filter_values_are_read_whole():
    parsed = parse_query('category:"Deep learning" tag:"two words" gradient "a phrase" tag:"unclosed')
    assert parsed.categories == ["Deep learning"]
    assert parsed.tags == ["two words", "unclosed"]
    assert parsed.words == ["gradient"] and parsed.phrases == ["a phrase"]
