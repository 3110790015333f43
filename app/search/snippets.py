"""Cheap search snippets: find the matched words in stored text with one regex.

Whoosh's highlighter re-analyses the whole body of every hit (most of a query's time);
stems are prefixes of the words they come from, so a prefix regex finds the same places.
"""

from __future__ import annotations

import html
import re

WINDOW = 220


def snippet(text: str, stems: list[str], window: int = WINDOW) -> str:
    """HTML-escaped excerpt around the densest matches, each match in <mark>."""
    stems = sorted({s for s in stems if s}, key=len, reverse=True)
    if not text:
        return ""
    if not stems:
        return html.escape(_cut(text, 0, window))
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    starts = [m.start() for m in pattern.finditer(text)]
    if not starts:
        return html.escape(_cut(text, 0, window))
    # The window that holds the most matches, starting a little before the first of them.
    best, best_count = starts[0], 0
    for i, s in enumerate(starts):
        count = sum(1 for t in starts[i:] if t < s + window - 40)
        if count > best_count:
            best, best_count = s, count
    begin = max(0, text.rfind(" ", 0, max(0, best - 40)) + 1) if best > 40 else 0
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


def _cut(text: str, begin: int, window: int) -> str:
    piece = text[begin : begin + window]
    if begin + window < len(text) and " " in piece:
        piece = piece[: piece.rfind(" ")]
    return piece
