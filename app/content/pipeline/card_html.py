"""Cards in place on the entry page: each a <details> whose answer stays hidden until the reader
opens it (no script needed), never raw `::` text."""

from __future__ import annotations

from typing import Any

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.content.pipeline.model import Card, CardBlock


def render_cards(state: StateCore) -> None:
    """Core rule: replace the top-level tokens of every card block by the cards' HTML."""
    blocks: list[CardBlock] = state.env.get("card_blocks") or []
    if state.inlineMode or not blocks:
        return
    tokens = state.tokens
    starts = [i for i, t in enumerate(tokens) if t.level == 0 and t.nesting >= 0]
    spans = list(zip(starts, [*starts[1:], len(tokens)]))  # top-level elements
    out: list[Token] = []
    placed: set[int] = set()
    for begin, end in spans:
        where = tokens[begin].map
        line = where[0] if where else -1
        block = next((b for b in blocks if b.start <= line < b.end), None)
        if block is None:
            out.extend(tokens[begin:end])
            continue
        if id(block) not in placed:
            placed.add(id(block))
            html = Token("html_block", "", 0)
            html.content = _block_html(state, block)
            out.append(html)
    state.tokens = out


def _block_html(state: StateCore, block: CardBlock) -> str:
    shown = [c for c in block.cards if c.kind != "reversed"]  # a two-way card shows once
    return "".join(_card_html(state, c) for c in shown)


def _card_html(state: StateCore, card: Card) -> str:
    front = state.md.renderInline(card.front, _nested_env(state, card))
    back = state.md.render(card.back, _nested_env(state, card))
    return (
        f'<details class="card" id="card-{card.key}"><summary>{front}</summary>'
        f'<div class="card-back">{back}</div></details>\n'
    )


def _nested_env(state: StateCore, card: Card) -> dict[str, Any]:
    """The page's env, so links in cards resolve and are recorded, at the card's line."""
    env = dict(state.env)
    env["card_blocks"] = []
    env["body_line"] = card.line
    return env
