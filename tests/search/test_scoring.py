"""Our posting-list scorer must rank exactly as Whoosh's own BM25F would, deletions and
segments included: search order is what users see."""

import random
from types import SimpleNamespace

import pytest

from app.search import SearchIndex, parser
from app.search.index import QUESTION_FIELDS
from app.search.posting_arrays import PostingArrays
from app.search.scoring import Scorer

WORDS = [
    "tensor",
    "gradient",
    "descent",
    "cluster",
    "kernel",
    "matrix",
    "vector",
    "model",
    "learning",
    "network",
    "neuron",
    "layer",
    "loss",
    "bias",
    "variance",
    "sample",
]


def doc(i: int, rng: random.Random) -> SimpleNamespace:
    title = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
    return SimpleNamespace(
        slug=f"doc-{i}",
        title=title,
        aliases=[title.split()[0][:3].upper()],
        category_slug=rng.choice(["a", "b", "c"]),
        tags=[rng.choice(WORDS)],
        text=" ".join(rng.choices(WORDS, k=rng.randint(5, 60))),
        summary="",
    )


@pytest.fixture
def index(tmp_path):
    rng = random.Random(3)
    idx = SearchIndex(tmp_path / "index")
    idx.update([doc(i, rng) for i in range(300)], fresh=True)
    idx.update([doc(i, rng) for i in range(300, 340)])  # a second segment
    idx.update([doc(i, rng) for i in range(0, 300, 7)])  # rewritten: deletions in the first
    idx.update([], deleted=["doc-5", "doc-301"])
    yield idx
    idx.close()


QUERIES = [
    "tensor",
    "gradient descent",
    "neuron network layer",
    "bias -variance",
    '"gradient descent"',
    "KER",
    "vector model sample loss",
    'learning -"loss bias"',
]


@pytest.mark.parametrize("arrays", [False, True], ids=["whoosh-postings", "posting-arrays"])
@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh_bm25f(index, text, arrays):
    with index.searcher() as s:
        assert len(list(s.leaf_searchers())) > 1 and any(r.reader().has_deletions() for r, _ in s.leaf_searchers())
        query = parser.build_query(parser.parse_query(text))
        expected = {hit.docnum: hit.score for hit in s.search(query, limit=None)}
        got = Scorer(s, PostingArrays(QUESTION_FIELDS) if arrays else None).scores(query)
        assert expected, text
        assert got.keys() == expected.keys()
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-9)


def test_parallel_build_finds_what_a_serial_build_finds(tmp_path, monkeypatch):
    import app.search.writer as writer_mod

    rng = random.Random(5)
    docs = [doc(i, rng) for i in range(400)]
    serial = SearchIndex(tmp_path / "serial")
    serial.update(docs, fresh=True)
    monkeypatch.setattr(writer_mod, "PARALLEL_FROM", 100)
    monkeypatch.setattr(writer_mod, "_cores", lambda: 2)
    parallel = SearchIndex(tmp_path / "parallel")
    parallel.update(docs, fresh=True)
    with parallel.searcher() as s:
        assert len(list(s.leaf_searchers())) == 2  # one segment per process, not merged
    for text in [*QUERIES, "category:b tensor", "tag:loss"]:
        a, b = serial.search(text, limit=50), parallel.search(text, limit=50)
        assert b.total == a.total and b.facets == a.facets, text
        assert [(h.slug, h.score) for h in b.hits] == [(h.slug, h.score) for h in a.hits], text
    serial.close()
    parallel.close()


def test_an_empty_index_answers_every_query(tmp_path):
    idx = SearchIndex(tmp_path / "empty")
    for text in ["tensor", "category:a", '"a phrase"', "tensr -x", ""]:
        found = idx.search(text)
        assert found.total == 0 and found.hits == [] and found.facets == {}
    assert idx.suggest("ten") == []
    idx.close()


def test_segment_files_read_in_place_give_back_what_was_written():
    import pickle

    from app.search.patches import _View

    items = [(128, 12345, 3.5, 1, 12, 200), {"ids": list(range(3000))}, "x" * 10_000]
    data = b"".join(pickle.dumps(item, 2) for item in items) + b"line one\nrest"
    view = _View(memoryview(data))
    assert [pickle.load(view) for _ in items] == items
    assert view.readline() == b"line one\n" and view.read(2) == b"re" and view.read() == b"st"
    assert view.read(5) == b"" and view.seek(-4, 2) == len(data) - 4 and view.read() == b"rest"


def test_another_process_full_rebuild_is_seen_even_at_the_same_generation(tmp_path):
    # Two workers share one data folder; one rebuilds the index in full into a new folder.
    rng = random.Random(9)
    writer, reader = SearchIndex(tmp_path / "index"), None
    old = [doc(i, rng) for i in range(20)]
    writer.update(old, fresh=True)
    reader = SearchIndex(tmp_path / "index")
    assert reader.search("tensor").total > 0
    new = [doc(i, rng) for i in range(5)]
    for d in new:
        d.text += " zeppelin"
        d.title += " airship"
    writer.update(new, fresh=True)  # a new index folder at the same generation number
    assert reader.search("zeppelin").total == 5
    assert [s.title for s in reader.suggest("airsh", 8)] and reader.doc_count() == 5
    writer.close()
    reader.close()
