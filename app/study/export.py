"""A scope's cards for other tools: an Anki deck (genanki) and CSV.

Anki shows math with MathJax, so math is written with its delimiters: `\\(…\\)` inline and
`\\[…\\]` for display. A note's GUID comes from the card's identity, so importing a newer
export updates the notes instead of adding copies.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zlib
from pathlib import Path

import genanki
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from app.content.pipeline import sanitize
from app.content.pipeline.links import wikilink_plugin
from app.study.scope import parse_scope, resolve_scope
from app.study.service import Study

MODEL_ID = 1_607_392_319  # fixed: Anki keeps one note type for every Glossa deck
MODEL = genanki.Model(
    MODEL_ID,
    "Glossa card",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Entry"}],
    templates=[
        {
            "name": "Card",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<p class="entry">{{Entry}}</p>',
        }
    ],
    css=".card { font-family: sans-serif; font-size: 20px; text-align: left; } .entry { font-size: 14px; }",
)


def _math(content: str, options: dict[str, object]) -> str:
    tex = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"\\[{tex}\\]" if options.get("display_mode") else f"\\({tex}\\)"


def _markdown() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(dollarmath_plugin, double_inline=True, renderer=_math)
        .use(wikilink_plugin)
    )
    md.add_render_rule(
        "wikilink", lambda self, tokens, idx, options, env: tokens[idx].meta["label"] or tokens[idx].meta["target"]
    )
    return md


def _anki_html(md: MarkdownIt, text: str, inline: bool) -> str:
    return sanitize.clean(md.renderInline(text) if inline else md.render(text))


def _name(scope_text: str) -> str:
    return "glossa-" + (re.sub(r"[^a-z0-9]+", "-", scope_text.lower()).strip("-") or "all")


def _cards(study: Study, scope_text: str) -> list[tuple[str, str, str, str, str, list[str]]]:
    """(id, front Markdown, back Markdown, entry title, entry slug, tags) for the scope's cards."""
    deck = study.decks.index()
    resolved = resolve_scope(parse_scope(scope_text), study.reader, deck, set())
    faces = study.decks.faces([c.id for c in resolved.cards])
    out = []
    for ref in resolved.cards:
        face = faces.get(ref.id)
        if face is not None:
            tags = [deck.categories[ref.entry_slug], *sorted(deck.tags.get(ref.entry_slug, ()))]
            out.append((ref.id, face.front_md, face.back_md, face.entry_title, ref.entry_slug, tags))
    return out


def export_apkg(study: Study, scope_text: str) -> tuple[str, bytes]:
    name = _name(scope_text)
    deck = genanki.Deck(zlib.crc32(name.encode()) & 0x7FFFFFFF or 1, f"Glossa::{name.removeprefix('glossa-')}")
    md = _markdown()
    for card_id, front, back, title, _slug, tags in _cards(study, scope_text):
        deck.add_note(
            genanki.Note(
                model=MODEL,
                fields=[_anki_html(md, front, True), _anki_html(md, back, False), title],
                tags=[re.sub(r"\s+", "_", t) for t in tags],
                guid=genanki.guid_for("glossa", card_id),
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return name, path.read_bytes()


def export_csv(study: Study, scope_text: str) -> tuple[str, str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["front", "back", "entry", "tags"])
    for _, front, back, title, _, tags in _cards(study, scope_text):
        writer.writerow([front, back, title, " ".join(tags)])
    return _name(scope_text), out.getvalue()
