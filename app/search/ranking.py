"""Ranking for queries that describe or ask ("randomly switch off neurons during training")
rather than name ("dropout").

A name is served best by BM25F with heavy title and alias boosts (parser.build_query). For a
description those boosts are wrong: a title sharing one ordinary word with the question
("Artificial neuron") outranks the entry whose text answers all of it. Here each word is
weighed by what it means in this collection, the fields that define an entry (summary,
opening paragraph) count most, and an entry is rewarded for the share of the question's
meaning it covers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from app.search.parser import ParsedQuery, terms
from app.search.scoring import Scorer

QUESTION_FROM = 3  # content words; shorter queries are names and keep the name ranking
# What a saturated match of a word is worth in each field, relative to the body. Titles get
# no boost: a question's answer seldom has the question's words in its name.
FIELD_WEIGHTS = {"title": 1.0, "aliases": 1.0, "summary": 3.0, "lead": 3.0, "body": 1.0, "context": 0.5}
MEANING_FIELDS = ("title", "aliases", "summary", "body")  # where a word's entries are counted
# A word's evidence saturates across fields too, as BM25's does within one: an entry whose name
# is one of the question's words has it in every field, and without this that one word could
# outweigh the rest of the question. About 8 of a possible 21 at most; 2 stays about 1.8.
# Chosen on 210 questions written after the ranking was tuned, and checked on 70 more.
ACROSS_FIELDS = 8.0
CORRECTED = 0.5  # a respelt or completed word's evidence, relative to a word as typed
NEGLIGIBLE = 0.05  # of the heaviest word's weight: a word lighter than this is not read at all
MIN_COVERAGE = 1 / 3  # share of the query's meaning an entry must match to be among the results
# Burstiness: topic words recur in the entries that use them; prose words occur once.
BURST_PRIOR = 1.5  # occurrences per entry assumed for a word seen in few entries
BURST_SCALE = 0.3
BURST_FLOOR = 0.1

WEIGHT_SIZE = 8  # a kept word weight costs about the memory of 8 kept postings

Corrector = Callable[[str], list[str]]


@dataclass
class Described:
    docs: Any  # document numbers (int64) of the entries that match enough of the query
    values: Any  # and their scores (float64)
    weights: dict[str, float] = field(default_factory=dict)  # stem -> weight, for snippets


NOTHING = Described(np.zeros(0, np.int64), np.zeros(0))


def is_question(parsed: ParsedQuery) -> bool:
    """Several content words and no phrase: a description or a question, not a name."""
    return not parsed.phrases and sum(len(terms(w)) for w in parsed.words) >= QUESTION_FROM


def meaning(df: int, n: int) -> float:
    """Robertson–Spärck Jones idf: about zero for a word in most entries ("model", "train"
    in a glossary of models), about log n for a rare one. Whoosh's idf never falls below 1,
    so there a common word in a title outweighs a rare word in a body."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def burstiness(df: int, cf: int) -> float:
    """BURST_FLOOR..1: how much a word clusters in the entries that use it. A topic word
    recurs there ("loss" 4.6 times per entry on average); a word of ordinary prose ("go",
    "down", "great") occurs about once wherever it occurs, however few entries use it."""
    per_entry = (cf + BURST_PRIOR * 2) / (df + 2)  # shrunk towards the prior when df is small
    return max(BURST_FLOOR, 1.0 - math.exp(-(per_entry - 1.0) / BURST_SCALE))


def weigh(scorer: Scorer, stem: str) -> float:
    """A word's weight in queries: what it means here, times how much it clusters. Kept with
    the searcher."""
    key = ("weight", stem)
    found = cast("float | None", scorer.kept.get(key))
    if found is None:
        counts = {f: scorer.term_counts(f, stem) for f in MEANING_FIELDS}
        df = max(n for n, _ in counts.values())
        body, occurrences = counts["body"]
        burst = burstiness(body, int(occurrences)) if body else 1.0
        found = meaning(df, max(scorer.searcher.doc_count_all(), 1)) * burst if df else 0.0
        if df:  # words the index lacks are not kept: any text could fill the memory with them
            scorer.kept.put(key, found, WEIGHT_SIZE)
    return found


def rank(scorer: Scorer, words: list[str], correct: Corrector, complete: Corrector) -> Described:
    """Scores of the entries that match at least MIN_COVERAGE of the query's meaning.

    correct(word) gives respellings of an unknown word, complete(word) the title and alias
    words it begins; the last word, when unknown, is taken as unfinished."""
    # Each unit is one stem of the query with the stems that may stand for it: stem -> factor.
    units: dict[str, dict[str, float]] = {}
    for i, word in enumerate(words):
        for stem in terms(word):
            if stem in units:
                continue
            units[stem] = {stem: 1.0}
            if not weigh(scorer, stem):
                others = correct(word) or (complete(word) if i == len(words) - 1 else [])
                units[stem].update((t, CORRECTED) for w in others for t in terms(w) if t != stem)
    weights = {u: max(f * weigh(scorer, t) for t, f in alts.items()) for u, alts in units.items()}
    heaviest = max(weights.values(), default=0.0)
    order = [u for u, w in weights.items() if w > NEGLIGIBLE * heaviest]
    total = sum(weights[u] for u in order)
    if not total:
        return NOTHING
    # Summed over every entry at once: evidence (weight x how strongly an entry matches the
    # word) and coverage (the weight of the words it matches), each one pass in C over the
    # postings of all the words, where a Python step per entry per word made a question
    # several times a name's cost.
    n = scorer.searcher.doc_count_all()
    docs, strengths, covered = [], [], []
    for unit in order:
        found, strength = _strength(scorer, units[unit], n)
        docs.append(found)
        strengths.append(weights[unit] * strength)
        covered.append(np.full(len(found), weights[unit]))
    every = np.concatenate(docs)
    evidence = np.bincount(every, np.concatenate(strengths), minlength=n)
    coverage = np.bincount(every, np.concatenate(covered), minlength=n)
    enough = MIN_COVERAGE * total
    chosen = coverage >= enough
    if not chosen.any():  # nothing matches enough of it: show whatever matches any of it
        chosen = coverage > 0
    found = np.flatnonzero(chosen)
    scores = evidence[found] * coverage[found] / total
    marks = {t: f * weights[u] for u in order for t, f in units[u].items() if weigh(scorer, t)}
    return Described(found.astype(np.int64), scores, marks)


def _strength(scorer: Scorer, alternatives: dict[str, float], n: int) -> tuple[Any, Any]:
    """(docnums, strength) of the entries matching a unit: its best stem's evidence, over all
    fields."""
    if len(alternatives) == 1:
        ((stem, factor),) = alternatives.items()
        docs, values = _fields(scorer, stem)
        return docs, factor * values
    strength = np.zeros(n)
    for stem, factor in alternatives.items():
        docs, values = _fields(scorer, stem)  # each document once
        strength[docs] = np.maximum(strength[docs], factor * values)
    docs = np.flatnonzero(strength)
    return docs, strength[docs]


def _fields(scorer: Scorer, stem: str) -> tuple[Any, Any]:
    """(docnums, sum over fields of FIELD_WEIGHTS * saturation, saturated by ACROSS_FIELDS).
    The same for every query, so kept (compactly) as long as the searcher, like the postings it
    comes from: the commonest words, the costliest, recur the most."""
    key = ("evidence", stem)
    kept = cast("tuple[Any, Any] | None", scorer.kept.get(key))
    if kept is None:
        found = np.zeros(scorer.searcher.doc_count_all())
        # One fixed order of addition (the body's, the longest list, first): the same sums,
        # to the last bit, whatever the order of FIELD_WEIGHTS.
        for fieldname in ("body", *(f for f in FIELD_WEIGHTS if f != "body")):
            scorer.add_saturation(found, fieldname, stem, FIELD_WEIGHTS[fieldname])
        docs = np.flatnonzero(found)
        kept = (docs.astype(np.int32), ACROSS_FIELDS * -np.expm1(-found[docs] / ACROSS_FIELDS))
        scorer.kept.put(key, kept, len(docs))
    return kept
