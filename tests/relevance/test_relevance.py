"""Relevance of search on the shipped glossary, against SQLite FTS5 measured in the same run.

queries.tsv holds how learners phrase things (typos, acronyms, plurals, questions, two-word
concepts), each with the entry it should find. Figures are printed; `pytest -s` shows them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Settings
from app.content import store
from app.site import open_site
from tests.support.fts_baseline import FtsBaseline

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).with_name("queries.tsv")


def load_queries() -> list[tuple[str, str, str]]:
    with QUERIES.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return [(r[0], r[1], r[2] if len(r) > 2 else "") for r in rows]


def metrics(ranked: list[list[str]], expected: list[str]) -> dict[str, float]:
    n = len(expected)
    s1 = sum(1 for r, e in zip(ranked, expected) if r[:1] == [e]) / n
    s3 = sum(1 for r, e in zip(ranked, expected) if e in r[:3]) / n
    mrr = sum(1 / (r.index(e) + 1) for r, e in zip(ranked, expected) if e in r[:10]) / n
    return {"success@1": s1, "success@3": s3, "MRR@10": mrr}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    work = tmp_path_factory.mktemp("relevance")
    site = open_site(Settings(content_dir=ROOT / "content", data_dir=work / "data"), serve=False)
    site.update()
    with store.session_scope(site.content_engine) as s:
        rows = [(e.slug, e.title, " ".join(e.aliases), e.text) for e in s.execute(select(store.Entry)).scalars()]
    yield site.index, FtsBaseline(rows), {r[0] for r in rows}
    site.close()


def test_queries_point_at_real_entries(shipped):
    _, _, slugs = shipped
    missing = [(q, e) for q, e, _ in load_queries() if e not in slugs]
    assert not missing, f"queries.tsv names entries that do not exist: {missing}"
    assert len(load_queries()) >= 80


def test_glossa_beats_fts5_baseline(shipped):
    index, fts, _ = shipped
    queries = load_queries()
    expected = [e for _, e, _ in queries]
    glossa = [[h.slug for h in index.search(q, limit=10).hits] for q, _, _ in queries]
    baseline = [[row[0] for row in fts.search(q, 10)] for q, _, _ in queries]
    g, b = metrics(glossa, expected), metrics(baseline, expected)
    print(f"\nrelevance over {len(queries)} queries on the shipped glossary")
    print("| measure | Glossa | SQLite FTS5 |")
    print("|---|---|---|")
    for key in g:
        print(f"| {key} | {g[key]:.3f} | {b[key]:.3f} |")
    misses = [(q, e, r[:3]) for (q, e, _), r in zip(queries, glossa) if r[:1] != [e]]
    for q, e, top in misses:
        print(f"  miss: {q!r} -> {top} (want {e})")
    assert g["MRR@10"] >= b["MRR@10"] + 0.05
    assert g["success@1"] >= b["success@1"] + 0.08
    assert g["success@1"] >= 0.90
    assert g["MRR@10"] >= 0.93
