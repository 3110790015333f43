"""Cheap search snippets: find the words of stored text that begin with the query's stems.

Whoosh's highlighter re-analyses the whole body of every hit (most of a query's time);
stems are prefixes of the words they come from, so a prefix search finds the same places.
Snippets are cut from an entry's readable text (no code, tables or LaTeX) and fall back to
its summary, which is also what an entry found by its name shows: the definition.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from functools import lru_cache

WINDOW = 220
LEAD_IN = 40  # characters shown before the passage's first match
ONE = 10**9  # a weight of 1 in the integer units passages are compared in


def snippet(text: str, stems: list[str], weights: dict[str, float] | None = None, window: int = WINDOW) -> str:
    """HTML-escaped excerpt around the passage that matches most of the query, each match in
    <mark>. weights (stem -> weight) say what "most" means; without them each stem counts one.
    A question's passage is the one holding most of its meaning, not the first or the most
    frequent occurrence of one of its words."""
    if not text:
        return ""
    return excerpt(text, stems, weights, window) or html.escape(_cut(text, 0, window)).replace("\n", " ")


def for_entry(prose: str, summary: str, stems: list[str], weights: dict[str, float] | None, by_name: bool) -> str:
    """An entry's snippet: its summary when it was found by its name (what a name search
    wants is what the entry is), else the passage of its readable text that matches most
    of the query, else its summary."""
    if summary and by_name:
        return marked(summary, stems)
    found = excerpt(prose, stems, weights) if prose else None
    if found:
        return found
    return marked(summary, stems) if summary else snippet(prose, [])


def excerpt(text: str, stems: list[str], weights: dict[str, float] | None = None, window: int = WINDOW) -> str | None:
    """snippet() when something in text matches, else None."""
    ordered = _ordered(stems)
    if not ordered:
        return None
    found = _found(text, ordered)
    pattern = None  # compiled only when needed: a new query's costs more than its search
    if found is None:
        pattern = _compiled(ordered)
        assert pattern is not None
        found = [(m.start(), m.group(m.lastindex or 1).lower()) for m in pattern.finditer(text)]
    if not found:
        return None
    begin = _passage(found, _units(ordered, weights), window - LEAD_IN)
    begin = max(0, text.rfind(" ", 0, max(0, begin - LEAD_IN)) + 1) if begin > LEAD_IN else 0
    piece = _cut(text, begin, window)
    prefix = "… " if begin > 0 else ""
    suffix = " …" if begin + len(piece) < len(text) else ""
    if pattern is not None:
        return prefix + _mark(piece, pattern) + suffix
    # The piece's matches are among those found: no second search. A word the cut runs
    # through is marked only if its stem is whole (as the regex over the piece would).
    end = begin + len(piece)
    inside = found[bisect_left(found, (begin, "")) : bisect_left(found, (end, ""))]
    marks = [(at - begin, len(stem)) for at, stem in inside if at + len(stem) <= end]
    return prefix + _mark_at(piece, marks) + suffix


def marked(text: str, stems: list[str]) -> str:
    """All of a short text (a summary), HTML-escaped, with the query's words in <mark>."""
    pattern = _pattern(stems)
    return _mark(text, pattern) if pattern is not None else html.escape(text).replace("\n", " ")


def _pattern(stems: list[str]) -> re.Pattern[str] | None:
    return _compiled(_ordered(stems))


@lru_cache(maxsize=1024)  # every hit of a query asks for the same one
def _compiled(ordered: tuple[str, ...]) -> re.Pattern[str] | None:
    # One group per stem, longest first: the group that matched names the stem.
    if not ordered:
        return None
    return re.compile(r"\b(?:" + "|".join(f"({re.escape(s)})" for s in ordered) + r")\w*", re.IGNORECASE)


def _ordered(stems: list[str]) -> tuple[str, ...]:
    return tuple(sorted({s.lower() for s in stems if s}, key=len, reverse=True))


@lru_cache(maxsize=1024)
def _needles(ordered: tuple[str, ...]) -> tuple[bytes, ...] | None:
    """The stems as ASCII bytes, longest first; None if one is not plain ASCII letters and
    digits (`naïv`, or `3.5`, which could run across words): those go to the regex."""
    if not all(s.isascii() and s.isalnum() for s in ordered):
        return None
    return tuple(b" " + s.encode() for s in ordered)


# Letters outside ASCII that case-insensitive matching takes for ASCII ones (İ and ı for i,
# ſ for s, the Kelvin sign for k): text with one of them goes to the regex.
_FOLDED_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")
_WORD_TAIL = re.compile(r"\w*")


def _found(text: str, ordered: tuple[str, ...]) -> list[tuple[int, str]] | None:
    """(offset, stem) of each word of text that begins with a stem (the longest), in order:
    exactly what the regex (_compiled) finds, found faster; None when only the regex can say.

    The regex tries every stem at every character (about 0.3 ms for an entry's text, ten
    entries a page: most of a long question's time); bytes.find skips through the text in C.
    The text is first made one byte per character, every character that cannot be part of a
    word a space, so that " stem" finds only the words that begin with it: Python looks at
    little else. ordered: the stems, longest first."""
    needles = _needles(ordered)
    if needles is None or any(c in text for c in _FOLDED_TO_ASCII):
        return None
    haystack = b" " + text.encode("ascii", "replace").lower().translate(_SPACES)
    at: dict[int, str] = {}
    for stem, needle in zip(ordered, needles):  # longest first: a word is named by the longest
        i = haystack.find(needle)
        while i >= 0:
            # haystack[i] is the space before the word at text[i]; a letter outside ASCII
            # was made a space too ("?"), and is the one case to look at.
            if i not in at and (i == 0 or text[i - 1] < "\x80" or not text[i - 1].isalnum()):
                at[i] = stem
            i = haystack.find(needle, i + 1)
    return sorted(at.items())


# Every byte that cannot be part of a word becomes a space (so is "?", which stands for any
# character outside ASCII).
_SPACES = bytes(c if chr(c).isalnum() or chr(c) == "_" else ord(" ") for c in range(128)) + b" " * 128


def _mark(piece: str, pattern: re.Pattern[str]) -> str:
    out, last = [], 0
    for m in pattern.finditer(piece):
        out.append(html.escape(piece[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(piece[last:]))
    return "".join(out).replace("\n", " ")


def _mark_at(piece: str, marks: list[tuple[int, int]]) -> str:
    """piece, HTML-escaped, with each word in <mark> that begins with a stem at a mark's
    (offset, length of the stem): what _mark gives, from matches already found."""
    out, last = [], 0
    for start, length in marks:
        tail = _WORD_TAIL.match(piece, start + length)  # always matches: \w* may be empty
        end = tail.end() if tail else start + length
        out.append(html.escape(piece[last:start]))
        out.append(f"<mark>{html.escape(piece[start:end])}</mark>")
        last = end
    out.append(html.escape(piece[last:]))
    return "".join(out).replace("\n", " ")


def _units(ordered: tuple[str, ...], weights: dict[str, float] | None) -> dict[str, int]:
    """Each stem's weight in billionths, as an integer (1 each without weights)."""
    return {stem: round((weights or {}).get(stem, 1.0) * ONE) for stem in ordered}


def _passage(found: list[tuple[int, str]], units: dict[str, int], span: int) -> int:
    """Where the span of text starting at a match holds the greatest weight of distinct stems
    (then the most matches); the earliest such place. One pass, two pointers. units: each
    stem's weight in billionths, as integers, so that sums do not depend on the order of
    addition."""
    counts: dict[str, int] = {}
    covered = 0
    best, best_key = found[0][0], (-1, 0)
    end, n = 0, len(found)
    for i, (start, first) in enumerate(found):
        limit = start + span
        while end < n and found[end][0] < limit:
            stem = found[end][1]
            seen = counts.get(stem, 0)
            if not seen:  # a word the regex found as typed (ſ for s) weighs one, like no weights
                covered += units.get(stem, ONE)
            counts[stem] = seen + 1
            end += 1
        key = (covered, end - i)
        if key > best_key:
            best, best_key = start, key
        counts[first] -= 1
        if not counts[first]:
            covered -= units.get(first, ONE)
    return best


def _cut(text: str, begin: int, window: int) -> str:
    piece = text[begin : begin + window]
    if begin + window < len(text) and " " in piece:
        piece = piece[: piece.rfind(" ")]
    return piece
