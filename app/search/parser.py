"""The query parser: what a user types, read as words, phrases and filters, and built into a
Whoosh query without exposing Whoosh's own syntax.

Supported: plain words, "quoted phrases", -exclusions, category:x and tag:x filters (also
category:"Deep learning"). Anything else is read as words, so no input is an error and none
is expensive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as q

from app.search.schema import STOP, name_keys, stem_analyzer

MAX_QUERY_CHARS = 500
MAX_WORDS = 20  # content words: learners' questions run to 20 (about 35 words with stop words)
MAX_EXCLUDED = 12  # -words: each is a set of documents to take away
MAX_PHRASES = 4  # each phrase is matched by Whoosh, position by position: the costliest part of a query
PART = re.compile(r'(-?)"([^"]*)"?|((?i:category|tag)):"([^"]*)"?|(\S+)')


class Or(q.Or):
    """Always a tree of union matchers: Whoosh's default for indexes under 5,000 documents
    preloads every clause into arrays as long as the index, costing more than it saves."""

    matcher_type = q.Or.DEFAULT_MATCHER


_analyzer = stem_analyzer()
_unstopped = stem_analyzer(stop=frozenset())


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # raw content words, in order
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)  # words and phrases in the order typed

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def name(self) -> str:
        """What the query would be as a name: `"gradient descent"` names Gradient descent."""
        return " ".join(self.spoken) if self.phrases else self.text


def parse_query(raw: str) -> ParsedQuery:
    """-word and -"a phrase" exclude; a minus before anything but a letter is part of a word:
    "labelled -1 as noise" and "pip install --upgrade" ask about -1 and --upgrade."""
    parsed = ParsedQuery()
    for m in PART.finditer(raw[:MAX_QUERY_CHARS]):
        neg, phrase, name, value, word = m.groups()
        if phrase is not None:
            (parsed.excluded if neg else parsed.phrases).append(phrase)
            if not neg:
                parsed.spoken.append(phrase)
            continue
        if name is not None:
            if value.strip():
                (parsed.categories if name.lower() == "category" else parsed.tags).append(value.strip())
            continue
        low = word.lower()
        for prefix, bucket in (("category:", parsed.categories), ("tag:", parsed.tags)):
            if low.startswith(prefix) and len(word) > len(prefix):
                bucket.append(word[len(prefix) :])
                break
        else:
            if word.startswith("-") and word[1:2].isalpha():
                parsed.excluded.append(word[1:])
            else:
                parsed.words.append(word)
                parsed.spoken.append(word)
    # A repeated word adds nothing to what matches, only to the cost of matching it. Stop
    # words cost nothing, so the cap counts content words, and it is high enough for a long
    # question: a word dropped is a word of its meaning lost.
    words, content = [], 0
    for word in dict.fromkeys(parsed.words):
        if content == MAX_WORDS:
            break
        words.append(word)
        content += bool(terms(word))
    parsed.words = words
    parsed.phrases = list(dict.fromkeys(parsed.phrases))[:MAX_PHRASES]
    parsed.excluded = list(dict.fromkeys(parsed.excluded))[:MAX_EXCLUDED]
    return parsed


def as_typed(parsed: ParsedQuery) -> str:
    """The query's words and phrases in the order typed, repeats and stop words kept (a
    sentence encoder reads them), up to MAX_WORDS content words like the query itself."""
    spoken, content = [], 0
    for part in parsed.spoken:
        if content >= MAX_WORDS:
            break
        spoken.append(part)
        content += len(terms(part))
    return " ".join(spoken)


def terms(text: str, stop: bool = True) -> list[str]:
    return list(_terms(text, stop))


@lru_cache(maxsize=4096)  # a query's words are analysed by several steps; once is enough
def _terms(text: str, stop: bool) -> tuple[str, ...]:
    return tuple(t.text for t in (_analyzer if stop else _unstopped)(text))


Corrector = Callable[[str], list[str]]


def _fields(stem: str, weight: float = 1.0) -> list[q.Query]:
    return [
        q.Term("title", stem, boost=3.0 * weight),
        q.Term("aliases", stem, boost=2.5 * weight),
        q.Term("body", stem, boost=weight),
    ]


def _word_clause(
    word: str,
    is_last: bool,
    correct: Corrector | None,
    complete: Corrector | None,
    stop: bool = True,
) -> q.Query | None:
    stems = terms(word, stop)
    if not stems:
        return None
    # Corrections are whole real words (not stems), so `tensr` finds `tensor`; they
    # score well below exact terms so an exact match always ranks first.
    fixes = [t for fix in (correct(word) if correct else []) for t in terms(fix)]
    per_stem = []
    for i, stem in enumerate(stems):
        options = _fields(stem)
        if is_last and i == len(stems) - 1 and complete is not None:
            # Search-as-you-type: the last word also stands for the few title and alias
            # words it begins (a bounded list, unlike Whoosh's Prefix, which reads them all).
            longer = {t for w in complete(word) for t in terms(w)} - {stem}
            options += [q.Term(f, t, boost=0.5) for t in sorted(longer) for f in ("title", "aliases")]
        per_stem.append(Or(options))
    clause = per_stem[0] if len(per_stem) == 1 else q.And(per_stem)
    if fixes:
        clause = Or([clause, *[o for t in dict.fromkeys(fixes) for o in _fields(t, 0.3)]])
    return clause


def _phrase(text: str) -> q.Query | None:
    words = terms(text)
    if not words:
        return None
    if len(words) == 1:
        return Or([q.Term(f, words[0]) for f in ("title", "aliases", "body")])
    return Or([q.Phrase(f, words) for f in ("title", "aliases", "body")])


def whole_names(parsed: ParsedQuery, correct: Corrector | None = None) -> tuple[set[str], set[str]]:
    """The whole query as a name, also without its stop words ("what is a tensor"); and as
    respelled by correct(). Keys of the `exact` field: an entry named so is what was asked for."""
    if not parsed.spoken:
        return set(), set()
    name = parsed.name
    content = " ".join(w for w in name.split() if w.lower() not in STOP)
    exact = name_keys(name) | name_keys(content)
    fixed: set[str] = set()
    if correct is not None and not parsed.phrases:  # a quoted name is meant as typed
        respelled = " ".join((correct(w) or [w])[0] for w in parsed.words)
        fixed = name_keys(respelled) - exact
    return exact, fixed


def build_query(
    parsed: ParsedQuery,
    require_all: bool = True,
    correct: Corrector | None = None,
    complete: Corrector | None = None,
) -> q.Query | None:
    """The scoring query; None when nothing searchable remains (only stop words, say).

    correct(word) gives respellings of an unknown word; complete(word) the title and
    alias words that begin with it.
    """
    last = len(parsed.words) - 1
    clauses = [
        c for i, w in enumerate(parsed.words) if (c := _word_clause(w, i == last, correct, complete)) is not None
    ]
    if not clauses and parsed.words:
        # Only stop words ("mean", "what is"): then they are what the user is looking for.
        clauses = [
            c
            for i, w in enumerate(parsed.words)
            if (c := _word_clause(w, i == last, None, complete, stop=False)) is not None
        ]
    required = [p for p in (_phrase(t) for t in parsed.phrases) if p is not None]
    if not clauses and not required:
        return None
    words_query: q.Query | None = None
    if clauses:
        words_query = (q.And if require_all else q.Or)(clauses) if len(clauses) > 1 else clauses[0]
    main = q.And([c for c in [words_query, *required] if c is not None])
    if parsed.spoken:
        exact, fixed = whole_names(parsed, correct)
        terms_ = [q.Term("exact", key, boost=40.0) for key in sorted(exact)]
        terms_ += [q.Term("exact", key, boost=20.0) for key in sorted(fixed)]
        main = Or([main, *terms_])
    excluded = excluded_query(parsed)
    return main if excluded is None else q.AndNot(main, excluded)


def excluded_query(parsed: ParsedQuery) -> q.Query | None:
    """What -word and -"phrase" take away, or None."""
    excluded = [p for p in (_phrase(t) for t in parsed.excluded) if p is not None]
    return Or(excluded) if excluded else None


def respelled(raw: str, fixes: dict[str, str]) -> str:
    """The query as typed with each corrected word in its respelling: what was searched."""

    def swap(m: re.Match[str]) -> str:
        word = m.group(5)
        return fixes.get(word, word) if word is not None else m.group(0)

    return " ".join(PART.sub(swap, raw[:MAX_QUERY_CHARS]).split())
