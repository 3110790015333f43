import pytest

from app.search.parser import parse_query
from tests.search.conftest import built_index


@pytest.fixture
def index(site):
    site.update()
    return site.index


def slugs(results):
    return [h.slug for h in results.hits]


def test_title_match_outranks_body_mention(index):
    # "tensors" appears in two bodies; none has it in the title, so both are found.
    assert set(slugs(index.search("tensors"))) == {"recurrent-neural-network", "feature-scaling"}
    # "k-means" is a title in one entry and a body mention in others.
    assert slugs(index.search("k-means"))[0] == "k-means"


def test_aliases_and_spelling_variants(index):
    for q in ("RNN", "rnn", "backprop", "kmeans", "k means", "WCSS"):
        assert slugs(index.search(q))[0] in {"recurrent-neural-network", "backpropagation", "k-means", "inertia"}, q
    assert slugs(index.search("kmeans"))[0] == "k-means"


def test_stemming_typos_and_prefix(index):
    assert slugs(index.search("clusters"))[0] in {"k-means", "hierarchical-clustering"}
    assert slugs(index.search("backpropagaton"))[0] == "backpropagation"
    assert slugs(index.search("hierarch"))[0] == "hierarchical-clustering"


def test_filters_phrases_and_exclusions(index):
    assert set(slugs(index.search("clustering", categories=["deep-learning"]))) == set()
    assert slugs(index.search("category:deep-learning sequence")) == ["recurrent-neural-network"]
    assert slugs(index.search("tag:metric")) == ["inertia"]
    assert slugs(index.search('"hidden state"')) == ["recurrent-neural-network"]
    assert "k-means" not in slugs(index.search("clustering -centroids"))


@pytest.fixture
def labelled(tmp_path_factory):
    """Two clustering entries, the one that explains noise points saying "-1"."""
    yield from built_index(
        tmp_path_factory,
        "minus",
        {
            "clustering/dbscan.md": "---\ntitle: DBSCAN\n---\nPoints in no dense region are labelled -1: noise.\n",
            "clustering/k-means.md": "---\ntitle: K-means\n---\nEvery point is labelled with its nearest centroid.\n",
        },
    )


def test_a_minus_before_a_number_is_part_of_the_question_not_an_exclusion(labelled):
    parsed = parse_query("why are points labelled -1, pip install --upgrade -dropout")
    assert parsed.excluded == ["dropout"]
    assert {"-1,", "--upgrade"} <= set(parsed.words)
    # "-1" once excluded every entry with a 1 in it: the one that answers the question.
    assert slugs(labelled.search("why are some points labelled -1 by my clustering"))[0] == "dbscan"


def test_snippets_highlight_and_escape(index):
    hit = index.search("centroid").hits[0]
    assert "<mark" in hit.snippet and "centroid" in hit.snippet.lower()


def test_facets_and_suggestion(index):
    found = index.search("clustering")
    assert found.facets.get("clustering", 0) >= 2
    assert found.total == sum(found.facets.values())
    respelt = index.search("clusterng centroyds")
    assert respelt.corrected is not None and respelt.corrected.startswith("clustering centroid")
    assert respelt.suggestion is None  # the results are already for the respelling
    assert index.search("clusterng centroyds", exact=True).suggestion == respelt.corrected


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "AND OR",
        "*",
        "l*",
        "*a*",
        "title:",
        'title:"x',
        "(",
        "🙂",
        "x" * 2000,
        "-",
        "category:",
        "tag:",
        "NOT",
        "a:b:c",
        "\x00",
        "why " * 200,
        "how do I " + "é" * 490,
        " ".join(f"w{i}" for i in range(300)),
        'why do "unclosed phrases and -exclusions -"x y" category:z matter to questions',
        "what is the the the of of a a an",
        "whyy doees trainnig lossss neverr stoop goinng dowwn",
    ],
)
def test_odd_input_never_raises(index, q):
    index.search(q)


def test_suggest_completes_titles_and_aliases(index):
    assert [s.slug for s in index.suggest("rec")] == ["recurrent-neural-network"]
    assert [s.slug for s in index.suggest("backpr")] == ["backpropagation"]
    assert "k-means" in [s.slug for s in index.suggest("km")]
    assert [s.slug for s in index.suggest("inertai")] == ["inertia"]
    assert index.suggest("") == []


@pytest.mark.parametrize(
    "text", ["clustering", "k means", "clustering -centroids", '"hidden state"', "tensr", "tag:clustering"]
)
def test_fast_docsets_agree_with_whoosh(index, text):
    from app.search import parser
    from app.search.scoring import Scorer

    parsed = parser.parse_query(text)
    built = parser.build_query(parsed, correct=lambda w: [], complete=lambda w: [])
    if built is None:
        return
    with index.searcher() as s:
        assert Scorer(s).docset(built) == set(s.docs_for_query(built))


def test_total_counts_every_match_not_just_the_page(index):
    found = index.search("clustering", limit=1)
    assert len(found.hits) == 1 and found.total >= 3


def test_many_quoted_phrases_are_bounded_and_the_first_ones_still_count():
    from app.search.parser import MAX_PHRASES, parse_query

    parsed = parse_query(" ".join(f'"{w} rate"' for w in ["loss", "gradient", "model", "data", "layer"] * 10))
    assert parsed.phrases == ["loss rate", "gradient rate", "model rate", "data rate"][:MAX_PHRASES]
    assert len(parse_query(" ".join(f"-w{i}" for i in range(50))).excluded) == 12
