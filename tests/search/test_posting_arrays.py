"""Segments' postings decoded whole into arrays must answer exactly as Whoosh's own postings
do, deletions and segments included, and be decoded once per segment: search order is what
users see, and a question's speed is what these arrays are for."""

from __future__ import annotations

import random
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from app.config import Settings
from app.search import SearchIndex, posting_arrays
from app.search.index import QUESTION_FIELDS
from app.search.posting_arrays import PostingArrays
from app.search.scoring import Scorer
from app.site import open_site
from tests.conftest import write_content
from tests.search.test_scoring import WORDS
from tests.search.test_scoring import doc as scored_doc
from tests.search.written import ENTRIES

QUESTIONS = [
    "why does the gradient of the loss vanish in a deep network",
    "how do I pick the number of clusters for a kernel model",
    "which layer of the neuron network holds the bias vector",
    "tensor",
    "gradient descent",
    "learning -bias",
]


def doc(i: int, rng: random.Random) -> SimpleNamespace:
    """A random entry as test_scoring makes them, with a summary too."""
    made = scored_doc(i, rng)
    made.summary = " ".join(rng.choices(WORDS, k=rng.randint(0, 8)))
    return made


def join_decoding() -> None:
    """Wait for the threads that decode posting arrays behind the searches."""
    for thread in threading.enumerate():
        if thread.name == "glossa-search-arrays":
            thread.join(timeout=60)


def segmented(path, seed: int = 3) -> SearchIndex:
    """An index of three segments, the first with deletions from rewrites and removals."""
    rng = random.Random(seed)
    idx = SearchIndex(path)
    idx.update([doc(i, rng) for i in range(300)], fresh=True)
    idx.update([doc(i, rng) for i in range(300, 340)])
    idx.update([doc(i, rng) for i in range(0, 300, 7)])
    idx.update([], deleted=["doc-5", "doc-301"])
    return idx


@pytest.fixture
def index(tmp_path):
    idx = segmented(tmp_path / "index")
    yield idx
    idx.close()


def test_arrays_hold_what_whoosh_holds(index):
    with index.searcher() as s:
        assert len(list(s.leaf_searchers())) == 3 and s.reader().has_deletions()
        plain, arrayed = Scorer(s), Scorer(s, PostingArrays(QUESTION_FIELDS))
        n = s.doc_count_all()
        deleted = [d + offset for sub, offset in s.leaf_searchers() for d in sub.reader().deleted_docs_set]
        assert deleted
        for fieldname in QUESTION_FIELDS:
            words = {t.decode() if isinstance(t, bytes) else t for t in s.reader().lexicon(fieldname)}
            for word in [*sorted(words), "absent"]:
                a, b = np.zeros(n), np.zeros(n)
                plain.add_saturation(a, fieldname, word, 3.0)
                arrayed.add_saturation(b, fieldname, word, 3.0)
                assert np.array_equal(a, b), (fieldname, word)
                assert not b[deleted].any(), (fieldname, word)
                expected = (s.doc_frequency(fieldname, word), s.frequency(fieldname, word))
                assert arrayed.term_counts(fieldname, word) == expected, (fieldname, word)


def test_results_are_the_same_before_the_arrays_are_decoded_and_after(tmp_path, monkeypatch):
    decoded = segmented(tmp_path / "decoded")  # small segments: decoded by the first search
    monkeypatch.setattr(posting_arrays, "DECODE_AT_ONCE", 0)
    # Every segment counts as large: nothing is decoded until prepared, searches meanwhile
    # read Whoosh's postings, and a thread decodes them.
    waiting = segmented(tmp_path / "waiting")
    for text in QUESTIONS:
        a, b = waiting.search(text, limit=50), decoded.search(text, limit=50)
        assert a.total == b.total and a.facets == b.facets, text
        assert [(h.slug, h.score) for h in a.hits] == [(h.slug, h.score) for h in b.hits], text
    join_decoding()
    assert waiting.prepared() and decoded.prepared()
    waiting.close()
    decoded.close()


def test_an_edit_decodes_only_its_own_segment(index, monkeypatch):
    decoded = []
    original = posting_arrays.SegmentPostings.__init__

    def counting(self, sub, fields):
        decoded.append(sub.doc_count_all())
        original(self, sub, fields)

    monkeypatch.setattr(posting_arrays.SegmentPostings, "__init__", counting)
    index.warm()
    assert sorted(decoded) == [40, 43, 300]
    index.update([doc(400, random.Random(2))])
    assert index.search(QUESTIONS[0]).total
    assert sorted(decoded) == [1, 40, 43, 300]  # the new segment only

    index.update([doc(i, random.Random(i)) for i in range(500, 520)], fresh=True)  # a full build
    assert {h.slug for h in index.search("kernel matrix vector descent tensor", limit=50).hits} <= {
        f"doc-{i}" for i in range(500, 520)
    }
    assert decoded[-1] == 20 and index.prepared()
    with index.searcher() as s:
        live = {sub.reader().segment().segment_id() for sub, _ in s.leaf_searchers()}
    assert index._posting_arrays.segment_ids() == live  # the old segments are forgotten


def test_a_server_answers_while_its_posting_arrays_are_decoded_behind_it(tmp_path, monkeypatch):
    monkeypatch.setattr(posting_arrays, "DECODE_AT_ONCE", 0)  # every segment large, as at 50,000 entries
    release, decoding = threading.Event(), []
    prepare = Scorer.prepare

    def slow(scorer: Scorer) -> None:
        decoding.append(threading.current_thread().name)
        assert release.wait(60)
        prepare(scorer)

    monkeypatch.setattr(Scorer, "prepare", slow)
    content = write_content(tmp_path / "content", ENTRIES)
    site = open_site(Settings(content_dir=content, data_dir=tmp_path / "data"), serve=True)
    try:
        # Started, built and answering, the arrays not decoded yet: the same answers from Whoosh's postings.
        assert not site.index.prepared()
        assert [h.slug for h in site.index.search("why does the share of predicted positives drop").hits]
        release.set()
        join_decoding()
        assert site.index.prepared() and decoding == ["glossa-search-arrays"]
    finally:
        release.set()
        site.close()
