"""What a search returns: its hits, with the snippet each shows, and what was searched."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.search import parser, snippets


@dataclass
class Hit:
    slug: str
    title: str
    category: str  # category slug
    summary: str
    snippet: str  # HTML-escaped, matches in <mark>
    score: float


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, int] = field(default_factory=dict)  # category slug -> count
    # Set only when the results are for a respelling of what was typed: the query searched.
    corrected: str | None = None
    # Set only when the results are for what was typed but a respelling finds entries.
    suggestion: str | None = None


@dataclass
class Wanted:
    """What a query asked for, as the hits' snippets need it."""

    marks: list[str]  # stems to highlight
    weights: dict[str, float] | None = None  # a question's stems by weight (app/search/ranking.py)
    named: dict[int, int] = field(default_factory=dict)  # docnum -> name tier (SearchIndex._named)
    name_stems: frozenset[str] = frozenset()  # stems searched for, as respelled; empty for questions
    snippets: bool = True  # False for the search box's answers, which show none


def hit(docnum: int, fields: dict, score: float, wanted: Wanted) -> Hit:
    summary = fields.get("summary", "")
    prose = fields.get("prose")
    by_name = bool(wanted.named.get(docnum)) or _in_name(fields, wanted.name_stems)
    return Hit(
        slug=fields["slug"],
        title=fields["title"],
        category=fields["category"],
        summary=summary,
        snippet=snippets.for_entry(
            fields.get("body", "") if prose is None else prose, summary, wanted.marks, wanted.weights, by_name
        )
        if wanted.snippets
        else "",
        score=round(float(score), 4),
    )


def _in_name(fields: dict, stems: frozenset[str]) -> bool:
    """Whether every word searched for is in the entry's title or one of its aliases."""
    if not stems:
        return False
    names = [fields["title"], *(fields.get("aliases") or "").split(" | ")]
    return any(stems <= set(parser.terms(name)) for name in names if name)


def searched_stems(parsed: parser.ParsedQuery, correct: parser.Corrector) -> frozenset[str]:
    """The stems a name query searched for: each word's own, or its respelling's when it was
    corrected, and the phrases'."""
    stems: set[str] = set()
    for word in parsed.words:
        fixes = correct(word)
        stems.update(parser.terms(fixes[0]) if fixes else parser.terms(word))
    for phrase in parsed.phrases:
        stems.update(parser.terms(phrase))
    return frozenset(stems)
