"""Flashcards written in an entry, in the syntax of Obsidian's Spaced Repetition plugin, so that
existing vaults work unchanged:

- `Question::Answer` on one line; `Question:::Answer` makes a card in each direction;
- question lines, a line holding only `?`, answer lines (`??`: both directions); a blank line
  ends the card;
- a paragraph with `==highlighted spans==`: a cloze card per span, with that span hidden.

Cards are found line by line in the Markdown body (code blocks, inline code and display math
are never cards). Each card has a key that stays the same while its question does, so that a
learner's schedule survives edits to the answer and to everything around it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from app.content.pipeline.model import Card, CardBlock, Problem

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
CLOZE = re.compile(r"==(?=\S)(.+?)(?<=\S)==")
SR_COMMENT = re.compile(r"^\s*<!--SR:.*-->\s*$")
HIDDEN = "[…]"


def _without_code(line: str) -> str:
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:10]


def _split_once(line: str, separator: str) -> tuple[str, str]:
    """Split at the first separator that is not inside inline code."""
    at = _without_code(line).index(separator)
    return line[:at].strip(), line[at + len(separator) :].strip()


class _Reader:
    def __init__(self, path: str, body_line: int):
        self.path = path
        self.body_line = body_line
        self.problems: list[Problem] = []
        self.keys: set[str] = set()
        self.cloze_seen: dict[str, int] = {}

    def problem(self, index: int, message: str) -> None:
        self.problems.append(Problem(self.path, self.body_line + index, message))

    def key(self, base: str) -> str:
        key, n = base, 2
        while key in self.keys:
            key, n = f"{base}-{n}", n + 1
        self.keys.add(key)
        return key

    def card(self, kind: str, front: str, back: str, index: int, identity: str) -> Card:
        prefix = {"basic": "q", "reversed": "r", "cloze": "c"}[kind]
        return Card(self.key(f"{prefix}-{_digest(identity)}"), kind, front, back, self.body_line + index)

    # -- one block: consecutive non-blank lines --------------------------------------------
    def block(self, lines: list[str], start: int) -> CardBlock | None:
        rows = [(start + i, line) for i, line in enumerate(lines) if not SR_COMMENT.match(line)]
        if rows and HEADING.match(rows[0][1]):
            rows = rows[1:]  # "## Check yourself" right above the first card
        if not rows:
            return None
        plain = _plain_rows(rows)
        separators = [(i, line.strip()) for i, line in plain if line.strip() in ("?", "??")]
        if separators:
            return self._multi_line(rows, separators)
        if any("::" in line for _, line in plain):
            return self._one_line(rows, plain)
        if any("==" in line for _, line in plain):
            return self._cloze(rows)
        return None

    def _multi_line(self, rows: list[tuple[int, str]], separators: list[tuple[int, str]]) -> CardBlock:
        block = CardBlock(rows[0][0], rows[-1][0] + 1)
        at, mark = separators[0]
        if len(separators) > 1:
            self.problem(separators[1][0], "a card has more than one '?' line; the first splits it")
        question = "\n".join(line for i, line in rows if i < at).strip()
        answer = "\n".join(line for i, line in rows if i > at).strip()
        if not question or not answer:
            self.problem(at, f"card with '{mark}' has no {'question' if not question else 'answer'}")
            return block
        block.cards.append(self.card("basic", question, answer, rows[0][0], _normal(question)))
        if mark == "??":
            block.cards.append(self.card("reversed", answer, question, rows[0][0], _normal(question)))
        return block

    def _one_line(self, rows: list[tuple[int, str]], plain: list[tuple[int, str]]) -> CardBlock:
        block = CardBlock(rows[0][0], rows[-1][0] + 1)
        card_lines = {i for i, line in plain if "::" in line}
        for i, line in rows:
            if i not in card_lines:
                if i in dict(plain):
                    self.problem(i, "text among one-line cards is not a card (leave a blank line around cards)")
                continue
            text = LIST_MARKER.sub("", line, count=1)
            separator = ":::" if ":::" in _without_code(text) else "::"
            question, answer = _split_once(text, separator)
            if not question or not answer:
                self.problem(i, f"card with '{separator}' has no {'question' if not question else 'answer'}")
                continue
            block.cards.append(self.card("basic", question, answer, i, _normal(question)))
            if separator == ":::":
                block.cards.append(self.card("reversed", answer, question, i, _normal(question)))
        return block

    def _cloze(self, rows: list[tuple[int, str]]) -> CardBlock | None:
        text = "\n".join(line for _, line in rows)
        masked = "\n".join(_without_code(line) for _, line in rows)  # same offsets as text
        spans = list(CLOZE.finditer(masked))
        if "==" in CLOZE.sub("", masked):
            self.problem(rows[0][0], "unclosed ==highlight== (a cloze needs == on both sides)")
        if not spans:
            return None
        block = CardBlock(rows[0][0], rows[-1][0] + 1)

        def inner(m: re.Match[str]) -> str:
            return text[m.start(1) : m.end(1)]

        answer = _replace_spans(text, spans, lambda m, _k: f"<mark>{inner(m)}</mark>")
        for n, span in enumerate(spans):
            hidden = _normal(inner(span))
            seen = self.cloze_seen.get(hidden, 0)
            self.cloze_seen[hidden] = seen + 1

            def hide(m: re.Match[str], k: int, n: int = n) -> str:
                return HIDDEN if k == n else inner(m)

            front = _replace_spans(text, spans, hide)
            block.cards.append(self.card("cloze", front, answer, rows[0][0], f"{hidden}\x00{seen}"))
        return block


def _plain_rows(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The rows outside fenced code and display math, with inline code blanked out."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    in_math = False
    for i, line in rows:
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        opened = FENCE.match(line)
        if opened:
            fence = opened.group(1)[0] * 3
            continue
        if line.strip().startswith("$$"):
            in_math = not in_math if line.strip() == "$$" or not line.strip().endswith("$$") else in_math
            continue
        if in_math:
            continue
        out.append((i, _without_code(line)))
    return out


def _replace_spans(text: str, spans: list[re.Match[str]], value: Callable[[re.Match[str], int], str]) -> str:
    out, last = [], 0
    for k, m in enumerate(spans):
        out.append(text[last : m.start()])
        out.append(value(m, k))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def find_cards(markdown: str, path: str = "", body_line: int = 1) -> tuple[list[CardBlock], list[Problem]]:
    """The card blocks of a Markdown body, and its malformed cards as problems."""
    reader = _Reader(path, body_line)
    lines = markdown.split("\n")
    blocks: list[CardBlock] = []
    i = 0
    while i < len(lines):
        opened = FENCE.match(lines[i])
        if opened:  # a code block on its own is never a card
            i = _after_fence(lines, i, opened.group(1)[0] * 3)
            continue
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            inner = FENCE.match(lines[j])
            j = _after_fence(lines, j, inner.group(1)[0] * 3) if inner and j > i else j + 1
        found = reader.block(lines[i:j], i)
        if found is not None and found.cards:
            blocks.append(found)
        i = j
    return blocks, reader.problems


def _after_fence(lines: list[str], start: int, fence: str) -> int:
    for k in range(start + 1, len(lines)):
        if lines[k].strip().startswith(fence):
            return k + 1
    return len(lines)
