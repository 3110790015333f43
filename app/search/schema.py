"""Index schema and analyzers; an exact-name field lets `RNN` or `k means` win outright."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import (
    STOP_WORDS,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from app.names import name_key

# Split on underscores and hyphens too, so `predict_proba` and `k-means` index as words,
# and never keep `*` from Markdown emphasis (the default tokenizer's trap).
TOKEN = r"[^\W_]+(?:\.[^\W_]+)*"

# Question words drown the content words of "what is a tensor" unless they are stopped.
QUESTION_WORDS = frozenset(
    {
        "what",
        "whats",
        "how",
        "why",
        "which",
        "who",
        "does",
        "do",
        "did",
        "explain",
        "define",
        "definition",
        "meaning",
        "mean",
        "means",
        "difference",
        "between",
        "vs",
        "versus",
        "use",
        "using",
        "used",
        "i",
        "my",
        "should",
        "would",
        "there",
    }
)
STOP = frozenset(STOP_WORDS) | QUESTION_WORDS


# British spellings folded to American ones, on index and query alike, so `normalisation`
# finds `normalization`. Being applied to both sides, an odd rewrite is harmless.
_SPELLING = [
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})yse(d|s)?$"), r"yze\1"),
    (re.compile(r"(?<=[a-z]{3})our(s|ed|ing)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{3})tre(s)?$"), r"ter\1"),
]


@lru_cache(maxsize=200_000)
def fold_spelling(word: str) -> str:
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


class SpellingFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_spelling(t.text)  # cached: words repeat (Zipf), regexes are slow
            yield t


def stem_analyzer(stop: frozenset[str] = STOP):
    return (
        RegexTokenizer(TOKEN)
        | LowercaseFilter()
        | StopFilter(stoplist=stop, minsize=1)
        | SpellingFilter()
        | StemFilter()
    )


def title_key(title: str, slug: str) -> bytes:
    return f"{title.casefold()}\x00{slug}".encode()  # the slug settles equal titles


def squashed(text: str) -> str:
    """`k-means` -> `kmeans`: names people also write as one word."""
    return name_key(text).replace(" ", "")


_NAME_STEMMER = stem_analyzer(stop=frozenset())


def name_keys(text: str) -> set[str]:
    """Keys of the `exact` field for a name: as written, as one word, and stemmed with spelling
    folded (`convolutional neural networks` and `normalisation` then name their entries)."""
    stemmed = " ".join(t.text for t in _NAME_STEMMER(text))
    return {k for k in (name_key(text), squashed(text), stemmed) if k}


# Bump when the schema or analyzers change: an index of another version is rebuilt.
SCHEMA_VERSION = "8"


def make_schema() -> Schema:
    analyzer = stem_analyzer()
    return Schema(
        slug=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=5.0),
        aliases=TEXT(analyzer=analyzer, stored=True, field_boost=4.0),
        body=TEXT(analyzer=analyzer, stored=True),
        prose=STORED(),  # what snippets are cut from: the body as read, without code or LaTeX
        category=ID(stored=True, sortable=True),
        tags=KEYWORD(commas=True, lowercase=True, stored=True),
        # Filters compare tags as their addresses do (`tag:"Some Tag"` is /tags/some-tag).
        tag_slugs=KEYWORD(commas=True),
        exact=KEYWORD(commas=True, lowercase=True),
        # Fields for descriptions and questions (app/search/ranking.py); none takes phrases.
        summary=TEXT(analyzer=analyzer, stored=True, phrase=False),
        lead=TEXT(analyzer=analyzer, phrase=False),
        context=TEXT(analyzer=analyzer, phrase=False),
        # Link sentences this entry holds and those about it (app/search/documents.py): read
        # by edits only, so kept out of the stored fields that every search hit reads.
        cites=COLUMN(VarBytesColumn()),
        cited=COLUMN(VarBytesColumn()),
        # Orders equal scores A-Z, the same whichever segment a document landed in.
        title_key=COLUMN(VarBytesColumn()),
    )
