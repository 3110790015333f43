"""Cheap search snippets: find the matched words in stored text with one regex.

Whoosh's highlighter re-analyses the whole body of every hit (most of a query's time);
stems are prefixes of the words they come from, so a prefix regex finds the same places.
"""

from __future__ import annotations

import html
import re

WINDOW = 220
LEAD_IN = 40  # characters shown before the passage's first match


def snippet(text: str, stems: list[str], weights: dict[str, float] | None = None, window: int = WINDOW) -> str:
    """HTML-escaped excerpt around the passage that matches most of the query, each match in
    <mark>. weights (stem -> weight) say what "most" means; without them each stem counts one.
    A question's passage is the one holding most of its meaning, not the first or the most
    frequent occurrence of one of its words."""
    stems = sorted({s for s in stems if s}, key=len, reverse=True)
    if not text:
        return ""
    if not stems:
        return html.escape(_cut(text, 0, window))
    # One group per stem, longest first: the group that matched names the stem.
    pattern = re.compile(r"\b(?:" + "|".join(f"({re.escape(s)})" for s in stems) + r")\w*", re.IGNORECASE)
    found = [(m.start(), stems[(m.lastindex or 1) - 1]) for m in pattern.finditer(text)]
    if not found:
        return html.escape(_cut(text, 0, window))
    begin = _passage(found, weights or {}, window - LEAD_IN)
    begin = max(0, text.rfind(" ", 0, max(0, begin - LEAD_IN)) + 1) if begin > LEAD_IN else 0
    piece = _cut(text, begin, window)
    out, last = [], 0
    for m in pattern.finditer(piece):
        out.append(html.escape(piece[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(piece[last:]))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if begin + len(piece) < len(text) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix


def _passage(found: list[tuple[int, str]], weights: dict[str, float], span: int) -> int:
    """Where the span of text starting at a match holds the greatest weight of distinct stems
    (then the most matches); the earliest such place. One pass, two pointers."""
    counts: dict[str, int] = {}
    covered = 0.0
    best, best_key = found[0][0], (-1.0, 0)
    end = 0
    for i, (start, first) in enumerate(found):
        while end < len(found) and found[end][0] < start + span:
            stem = found[end][1]
            if not counts.get(stem):
                covered += weights.get(stem, 1.0)
            counts[stem] = counts.get(stem, 0) + 1
            end += 1
        key = (round(covered, 9), end - i)
        if key > best_key:
            best, best_key = start, key
        counts[first] -= 1
        if not counts[first]:
            covered -= weights.get(first, 1.0)
    return best


def _cut(text: str, begin: int, window: int) -> str:
    piece = text[begin : begin + window]
    if begin + window < len(text) and " " in piece:
        piece = piece[: piece.rfind(" ")]
    return piece
