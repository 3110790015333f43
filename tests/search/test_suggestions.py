"""The search box's suggestions: a name that begins with what was typed, saying which alias
matched when the title does not; and for a question, the entries the search answers it with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.search import SearchIndex
from app.search.index import ANSWERS
from tests.search.conftest import built_index

GLOSSARY = {
    "serving/batch-inference.md": """\
        ---
        title: Batch inference
        aliases: [endpoint, scoring run]
        summary: Scoring a large set of inputs at once, on a schedule.
        ---
        Predictions for many inputs are computed together and written to storage.
        """,
    "serving/private-link.md": """\
        ---
        title: Private link
        aliases: [private endpoint]
        summary: Reaching a service over a private address.
        ---
        Traffic stays inside the virtual network.
        """,
    "clustering/elbow-method.md": """\
        ---
        title: Elbow method
        summary: Choosing how many clusters to make by where inertia stops falling fast.
        ---
        Plot inertia for k = 1, 2, 3 and more clusters; the bend in the curve marks the
        number of clusters worth keeping.
        """,
    "clustering/k-means.md": """\
        ---
        title: K-means clustering
        aliases: [KMC]
        summary: Splits points into k clusters around their means.
        ---
        Every point joins its nearest centroid; centroids move to the mean of their points.
        """,
    "training/overfitting.md": """\
        ---
        title: Overfitting
        summary: Learning the training examples so closely that new examples are predicted badly.
        ---
        Training loss keeps falling while validation loss rises: the model memorises noise.
        """,
}
for n in range(1, 9):  # more answers than the box shows
    GLOSSARY[f"clustering/cluster-note-{n}.md"] = f"""\
        ---
        title: Cluster note {n}
        ---
        Note {n} picks colours for the clusters of a plot.
        """


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    yield from built_index(tmp_path_factory, "suggestions", GLOSSARY)


def shown(index: SearchIndex, text: str) -> list[tuple[str, str | None]]:
    """What the list shows: (title, alias that matched) per suggestion."""
    return [(s.title, s.matched) for s in index.suggest(text)]


def test_a_suggestion_found_by_an_alias_says_which(index):
    assert shown(index, "endpoint") == [("Batch inference", "endpoint"), ("Private link", "private endpoint")]
    assert shown(index, "endp") == shown(index, "endpoint")  # as it is typed
    assert shown(index, "kmc") == [("K-means clustering", "KMC")]
    assert shown(index, "scoring r") == [("Batch inference", "scoring run")]
    assert sorted(shown(index, "endpont")) == [("Batch inference", "endpoint"), ("Private link", "private endpoint")]


def test_a_suggestion_found_by_its_title_names_no_alias(index):
    assert shown(index, "batch") == [("Batch inference", None)]
    assert shown(index, "k means") == [("K-means clustering", None)]
    # The title has one word, an alias both: the alias is named.
    assert shown(index, "private endp") == [("Private link", "private endpoint")]
    # The words are in different names: no one alias explains the match, so none is named.
    assert shown(index, "batch scor") == [("Batch inference", None)]
    assert all(s.kind == "name" for s in index.suggest("endpoint"))


def test_a_question_is_answered_with_the_first_results_of_its_search(index):
    question = "how do i pick the number of clusters"
    answers = index.suggest(question)
    assert answers and all(s.kind == "answer" and s.matched is None for s in answers)
    assert answers[0].slug == "elbow-method"
    assert [s.slug for s in answers] == [h.slug for h in index.search(question).hits[:ANSWERS]]
    many = "colours for the clusters in a plot"
    assert len(index.suggest(many)) == ANSWERS < index.search(many).total  # a short list, however many match
    # While the last word is still being typed.
    assert index.suggest("how do i pick the number of clus")[0].slug == "elbow-method"
    assert index.suggest("why does validation loss rise while training loss falls")[0].slug == "overfitting"


def test_nothing_is_suggested_for_what_neither_names_nor_finds(index):
    assert index.suggest("zzqq") == []
    assert index.suggest("zzqq xxvv") == []
    assert index.suggest("how do i") == []  # only words every question has
    assert index.suggest("") == []
