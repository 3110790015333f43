"""SQLite FTS5 with bm25 over title, aliases and body: the baseline Glossa is measured against."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable


class FtsBaseline:
    def __init__(self, rows: Iterable[tuple[str, str, str, str]], path: str = ":memory:"):
        """rows: (slug, title, aliases, body)."""
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(slug UNINDEXED, title, aliases, body, tokenize='porter unicode61')"
        )
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", list(rows))
        self.db.commit()

    @staticmethod
    def match(text: str, prefix_last: bool = True) -> str:
        words = re.findall(r"\w+", text)
        if not words:
            return '""'
        parts = [f'"{w}"' for w in words]
        if prefix_last:
            parts[-1] += "*"
        return " ".join(parts)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, str, str]]:
        """Top hits as (slug, title, snippet); all words required, the last as a prefix."""
        return self.db.execute(
            "SELECT slug, title, snippet(docs, 3, '<mark>', '</mark>', '…', 16) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs, 5.0, 4.0, 1.0) LIMIT ?",
            (self.match(text), limit),
        ).fetchall()

    def search_any(self, text: str, limit: int = 10) -> list[tuple[str, str, str]]:
        """Top hits when any word may match (OR), ranked by bm25: the fair baseline for
        questions, which rarely have every word in one entry."""
        words = re.findall(r"\w+", text)
        return self.db.execute(
            "SELECT slug, title, snippet(docs, 3, '<mark>', '</mark>', '…', 16) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs, 5.0, 4.0, 1.0) LIMIT ?",
            (" OR ".join(f'"{w}"' for w in words) or '""', limit),
        ).fetchall()

    def suggest(self, text: str, limit: int = 8) -> list[tuple[str, str]]:
        return self.db.execute(
            "SELECT slug, title FROM docs WHERE docs MATCH ? LIMIT ?",
            ("{title aliases} : " + self.match(text), limit),
        ).fetchall()

    def close(self) -> None:
        self.db.close()
