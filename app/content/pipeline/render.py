"""Markdown body -> sanitized HTML, plain text, table of contents and links."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import unquote, urlsplit

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from app.content.pipeline import sanitize
from app.content.pipeline.card_html import render_cards
from app.content.pipeline.deck import build_deck
from app.content.pipeline.links import Resolver, wikilink_plugin
from app.content.pipeline.model import Document, LinkRef, Problem
from app.content.pipeline.readable import inline_text, readable_text
from app.urls import entry_url

SUMMARY_CHARS = 220
STRAY_LINK = re.compile(r"\[\[[^\[\]\n]*(?:\]\]|$)")
CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
_FORMATTER = HtmlFormatter(nowrap=True)


def heading_slug(text: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).strip().replace(" ", "-")
    return re.sub(r"-{2,}", "-", slug) or "section"


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang.split()[0])
    except ClassNotFound:
        return ""
    return pygments_highlight(code, lexer, _FORMATTER)


def _math(content: str, options: dict) -> str:
    display = "block" if options.get("display_mode") else "inline"
    try:
        return latex_to_mathml(content, display=display)
    except Exception:  # noqa: BLE001 - any LaTeX the converter rejects is shown as source
        return f'<code class="math-source">{html_lib.escape(content)}</code>'


def _callouts(state: StateCore) -> None:
    """`> [!note] Title` blockquotes become <div class="callout callout-note">."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "blockquote_open" or i + 2 >= len(tokens):
            continue
        if tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
            continue
        first, _, rest = tokens[i + 2].content.partition("\n")
        match = CALLOUT.match(first.strip())
        if not match:
            continue
        kind = match.group(1).lower()
        title = match.group(3).strip() or kind.capitalize()
        tok.tag = "div"
        tok.attrSet("class", f"callout callout-{kind}")
        depth = 0
        for close in tokens[i + 1 :]:
            if close.type == "blockquote_open":
                depth += 1
            elif close.type == "blockquote_close":
                if depth == 0:
                    close.tag = "div"
                    break
                depth -= 1
        tokens[i + 2].content = rest
        heading = Token("html_block", "", 0)
        heading.content = f'<p class="callout-title">{html_lib.escape(title)}</p>\n'
        tokens.insert(i + 1, heading)
        if not rest.strip():
            del tokens[i + 2 : i + 5]  # the now empty paragraph


def _resolve_links(state: StateCore) -> None:
    """Resolve wikilinks and relative `.md` links once, recording them with their line."""
    resolver: Resolver = state.env["resolver"]
    links: list[LinkRef] = state.env["links"]
    offset = state.env.get("body_line", 1)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = offset + (block.map[0] if block.map else 0)
        for tok in block.children:
            if tok.type == "wikilink":
                slug = resolver.resolve(tok.meta["target"])
                tok.meta["slug"] = slug
                links.append(LinkRef(tok.meta["target"], slug, tok.meta["anchor"], line))
            elif tok.type == "link_open":
                href = str(tok.attrGet("href") or "")
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
                    continue
                target = unquote(parts.path.rsplit("/", 1)[-1])
                slug = resolver.resolve(target)
                links.append(LinkRef(target, slug, parts.fragment, line))
                if slug:
                    tok.attrSet("href", entry_url(slug, parts.fragment))
                else:
                    tok.attrSet("class", "missing")
                    tok.attrSet("title", f"No entry named {target}")


def _render_wikilink(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = meta["label"] or (f"{meta['target']} › {meta['anchor']}" if meta["anchor"] else meta["target"])
    label = html_lib.escape(label)
    slug = meta.get("slug")
    if not slug:
        title = html_lib.escape(f"No entry named {meta['target']}", quote=True)
        return f'<span class="wikilink missing" title="{title}">{label}</span>'
    href = entry_url(slug, heading_slug(meta["anchor"]) if meta["anchor"] else "")
    return f'<a class="wikilink" href="{html_lib.escape(href)}">{label}</a>'


def make_markdown() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(tasklists_plugin)
        .use(dollarmath_plugin, double_inline=True, renderer=_math)
        .use(anchors_plugin, min_level=2, max_level=4, slug_func=heading_slug, permalink=True, permalinkSymbol="#")
        .use(wikilink_plugin)
    )
    md.core.ruler.after("block", "callouts", _callouts)
    md.core.ruler.after("callouts", "cards", render_cards)
    md.core.ruler.push("resolve_links", _resolve_links)
    md.add_render_rule("wikilink", _render_wikilink)
    return md


def _inline_text(children: list[Token] | None) -> str:
    out = []
    for tok in children or []:
        if tok.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            out.append(tok.content)
        elif tok.type == "wikilink":
            out.append(tok.meta["label"] or tok.meta["target"])
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _plain_text(tokens: list[Token]) -> str:
    parts = []
    for tok in tokens:
        if tok.type == "inline":
            parts.append(_inline_text(tok.children))
        elif tok.type in ("fence", "code_block", "math_block", "math_block_label"):
            parts.append(tok.content)
    return "\n".join(p for p in parts if p.strip())


def _first_paragraph(tokens: list[Token]) -> str:
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "paragraph_open" and depth == 0 and i + 1 < len(tokens):
            text = inline_text(tokens[i + 1].children)  # math as it reads, not as LaTeX
            if text:
                return text
    return ""


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _toc(tokens: list[Token]) -> list[dict]:
    toc = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and tok.attrGet("id"):
            text = " ".join(_inline_text(tokens[i + 1].children).split())
            toc.append({"level": int(tok.tag[1]), "id": tok.attrGet("id"), "text": text})
    return toc


def _card_tokens(doc: Document, md: MarkdownIt, resolver: Resolver) -> list[list[Token]]:
    """What the cards say, for search: their questions are the questions learners ask."""
    env = {"resolver": resolver, "links": [], "card_blocks": []}
    parts = []
    for block in doc.card_blocks:
        for card in block.cards:
            if card.kind != "basic":
                continue  # a cloze's text and a two-way card's twin add nothing new
            parts.append(md.parse(f"{card.front}\n\n{card.back}", env))
        if block.cards and block.cards[0].kind == "cloze":
            parts.append(md.parse(block.cards[0].back, env))
    return parts


def _stray_links(doc: Document, tokens: list[Token]) -> list[Problem]:
    """Wikilinks the renderer could not place (they show as raw `[[…` text)."""
    found = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            if tok.type == "text" and STRAY_LINK.search(tok.content):
                line = doc.body_line + (block.map[0] if block.map else 0)
                text = STRAY_LINK.search(tok.content).group(0)  # type: ignore[union-attr]
                found.append(Problem(doc.path, line, f"link {text[:60]!r} cannot be placed here and shows as text"))
                break
    return found


def render(doc: Document, md: MarkdownIt, resolver: Resolver) -> list[Problem]:
    """Fill doc.html, doc.text, doc.toc, doc.links, and doc.summary when none was given; returns
    what could not be rendered as written."""
    links: list[LinkRef] = []
    env = {"resolver": resolver, "links": links, "body_line": doc.body_line, "card_blocks": doc.card_blocks}
    tokens = md.parse(doc.markdown, env)
    doc.html = sanitize.clean(md.renderer.render(tokens, md.options, env)).replace(
        # A heading's own name, not "Algorithm #": the anchor is for pointers, not for readers.
        '<a class="header-anchor" href=',
        '<a class="header-anchor" aria-hidden="true" tabindex="-1" href=',
    )
    cards = _card_tokens(doc, md, resolver)
    doc.text = "\n".join([_plain_text(tokens), *map(_plain_text, cards)])
    doc.prose = "\n".join(p for p in [readable_text(tokens), *map(readable_text, cards)] if p)
    doc.toc = _toc(tokens)
    doc.links = sorted(links, key=lambda link: link.line)  # cards record theirs first
    if not doc.summary:
        doc.summary = shorten(_first_paragraph(tokens))
    doc.deck = build_deck(doc, tokens, md, {"resolver": resolver, "links": [], "card_blocks": []})
    return _stray_links(doc, tokens)
