"""Descriptions and questions: ranked by what their words mean, shown by the passage that
matches most of them, and helped by what other entries say where they link to an entry."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from app.search import SearchIndex, documents, parser, ranking
from app.search.scoring import Scorer
from app.search.snippets import snippet

FILLER = (
    "Training a model on data takes a network several passes; each layer of the network holds "
    "values that training changes, and the model is checked on new data after training."
)


def entry(slug: str, title: str, text: str, summary: str = "", aliases=(), category: str = "a", names=None):
    """An entry as the builder hands it to the index; [[links]] in text resolve through names."""
    names = names or {}
    links = [
        SimpleNamespace(target=m.group(1), slug=names.get(m.group(1).lower()), line=i + 1)
        for i, line in enumerate(text.split("\n"))
        for m in re.finditer(r"\[\[([^\]|]+)", line)
    ]
    plain = re.sub(r"\[\[([^\]|]+)\]\]", r"\1", text)
    return SimpleNamespace(
        slug=slug,
        title=title,
        aliases=list(aliases),
        category_slug=category,
        tags=[],
        text=plain,
        summary=summary,
        markdown=text,
        body_line=1,
        links=links,
    )


def fillers(count: int = 30) -> list[SimpleNamespace]:
    return [entry(f"filler-{i}", f"Filler {i}", FILLER + f" Topic{i} is discussed here.") for i in range(count)]


@pytest.fixture
def glossary(tmp_path):
    idx = SearchIndex(tmp_path / "index")
    idx.update(
        [
            *fillers(),
            entry(
                "artificial-neuron",
                "Artificial neuron",
                "A neuron sums its weighted inputs and applies an activation. Every neuron in a network "
                "does the same; neurons are stacked in layers.",
                summary="A unit that computes a weighted sum of its inputs and applies an activation.",
                aliases=["neuron", "unit"],
            ),
            entry(
                "dropout",
                "Dropout",
                "Dropout randomly switches off a share of the units on every training pass, so that no "
                "unit can rely on another. At inference nothing is switched off.",
                summary="A layer that randomly switches off units during training.",
                category="b",
            ),
        ],
        fresh=True,
    )
    yield idx
    idx.close()


def slugs(found) -> list[str]:
    return [h.slug for h in found.hits]


def test_a_question_finds_its_answer_not_the_entry_named_by_one_of_its_words(glossary):
    assert slugs(glossary.search("randomly switch off neurons during training"))[0] == "dropout"
    assert slugs(glossary.search("neuron"))[0] == "artificial-neuron"  # a name is still a name
    assert slugs(glossary.search("what is a neuron"))[0] == "artificial-neuron"


def test_a_question_is_filtered_counted_and_faceted_like_any_query(glossary):
    question = "randomly switch off neurons during training"
    found = glossary.search(question, limit=50)
    # Results are the entries that match a good share of the question's meaning, not every
    # entry that has one of its words ("training" is in all of them, and weighs nothing).
    assert slugs(found) == ["dropout"] and found.total == 1 and found.facets == {"b": 1}
    assert slugs(glossary.search(question, categories=["b"])) == ["dropout"]
    assert slugs(glossary.search(question, categories=["a"])) == []
    assert slugs(glossary.search(question + " -inference")) == []


def test_a_long_question_is_read_to_its_end(glossary):
    # Learners' questions run to twenty words that carry meaning; what names the answer often
    # comes last, after the story of what they were doing.
    story = (
        "I have been training a model on my data for weeks, tuning each layer of the network, "
        "watching curves and rates, and all looks fine, but"
    )
    long = f"{story} why is nothing switched off at inference time"
    assert len([w for w in parser.parse_query(long).words if parser.terms(w)]) > 12
    assert slugs(glossary.search(long))[0] == "dropout"


def test_question_snippets_show_the_passage_that_answers():
    text = (
        "Loss is the number a model minimises. "
        + "Other matters are discussed at length here. " * 12
        + "The typical sign is that training loss keeps falling while validation loss rises."
    )
    stems = ["valid", "loss", "train", "keep", "while"]
    weights = {"valid": 1.4, "loss": 1.4, "train": 0.3, "keep": 0.8, "while": 0.7}
    shown = snippet(text, stems, weights)
    assert shown.startswith("… ") and "<mark>validation</mark>" in shown and "<mark>keeps</mark>" in shown
    assert "minimises" not in shown
    # Without weights each stem counts once: still the passage with most of them.
    assert "<mark>validation</mark>" in snippet(text, stems)
    assert snippet("no match at all", stems) == "no match at all"


def test_question_snippet_in_results(glossary):
    hit = glossary.search("why is nothing switched off at inference time").hits[0]
    assert hit.slug == "dropout"
    assert "<mark>inference</mark>" in hit.snippet and "<mark>switched</mark>" in hit.snippet


def test_words_are_weighed_by_what_they_mean_here():
    n = 1000
    assert ranking.meaning(n, n) < 0.01 < ranking.meaning(n // 2, n) < ranking.meaning(3, n)
    # Equally rare, but one recurs where it is used (a topic) and one does not (prose).
    assert ranking.burstiness(30, 33) < 0.5 < ranking.burstiness(30, 120)


def test_question_length_is_capped_by_content_words_not_by_stop_words():
    long = "why does my validation loss go up while the training loss keeps going down after a few epochs"
    assert parser.parse_query(long).words[-1] == "epochs"  # 19 words, 11 that carry meaning
    many = parser.parse_query(" ".join(f"word{i}" for i in range(300)))
    assert len(many.words) == parser.MAX_WORDS
    assert not ranking.is_question(parser.parse_query("gradient descent"))
    assert ranking.is_question(parser.parse_query("why do gradients vanish in deep networks"))
    assert not ranking.is_question(parser.parse_query('"hidden state" of a recurrent network'))


def context_of(idx: SearchIndex, slug: str, stem: str) -> bool:
    with idx.searcher() as s:
        docnum = s.document_number(slug=slug)
        found = np.zeros(s.doc_count_all())
        Scorer(s).add_saturation(found, "context", stem)
        return bool(found[docnum] > 0)


def cited(idx: SearchIndex) -> dict[str, set]:
    with idx.searcher() as s:
        before = documents._Before(s)
        return {f["slug"]: set(before.links("cited", f["slug"])) for f in s.all_stored_fields()}


NAMES = {"dropout": "dropout", "early stopping": "early-stopping", "overfitting": "overfitting"}


def test_sentences_around_links_follow_every_edit(tmp_path):
    dropout = entry("dropout", "Dropout", "Dropout is a layer.", category="b")
    stopping = entry("early-stopping", "Early stopping", "It halts training before [[Overfitting]].", names=NAMES)
    source = "Overfitting is common.\nRemedies include [[Dropout]], which silences random units on a pass. More."
    idx = SearchIndex(tmp_path / "index")
    idx.update([*fillers(5), dropout, stopping, entry("overfitting", "Overfitting", source, names=NAMES)], fresh=True)
    assert context_of(idx, "dropout", "silenc") and not context_of(idx, "overfitting", "silenc")
    assert context_of(idx, "overfitting", "halt") and not context_of(idx, "early-stopping", "halt")

    edited = source.replace("silences random units on a pass", "mutes neurons at random")
    idx.update([entry("overfitting", "Overfitting", edited, names=NAMES)])
    assert context_of(idx, "dropout", "mute") and not context_of(idx, "dropout", "silenc")
    assert slugs(idx.search("dropout"))[0] == "dropout"  # rewritten whole, not emptied
    assert context_of(idx, "overfitting", "halt")  # what others say about the edited entry stays
    assert idx.doc_count() == 8

    idx.update([], deleted=["overfitting"])
    assert not context_of(idx, "dropout", "mute")
    idx.update([entry("overfitting", "Overfitting", edited, names=NAMES)])
    idx.update([entry("early-stopping", "Early stopping", "Halts training early, unlike [[Dropout]].", names=NAMES)])

    fresh = SearchIndex(tmp_path / "fresh")
    fresh.update(
        [
            *fillers(5),
            dropout,
            entry("early-stopping", "Early stopping", "Halts training early, unlike [[Dropout]].", names=NAMES),
            entry("overfitting", "Overfitting", edited, names=NAMES),
        ],
        fresh=True,
    )
    assert cited(idx) == cited(fresh) and not context_of(idx, "overfitting", "halt")
    assert cited(idx)["dropout"] == {
        ("overfitting", "Remedies include [[Dropout]], which mutes neurons at random."),
        ("early-stopping", "Halts training early, unlike [[Dropout]]."),
    }
    for q in ("mutes neurons at random", "halts training early on", "dropout"):
        # Scores differ (Whoosh counts deleted documents in its statistics until a merge),
        # what is found does not.
        assert slugs(idx.search(q))[:2] == slugs(fresh.search(q))[:2]
    assert slugs(idx.search("mutes neurons at random"))[:2] == ["overfitting", "dropout"]
    idx.close()
    fresh.close()
