"""Synthetic content folders for benchmarks: realistic shape, reproducible from a seed.

Each entry has a title of 1-3 words, an acronym alias, a category (one of 12 folders), tags,
3-5 wikilinks to other entries and a ~150-word body drawn from a Zipf-like vocabulary.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SYLLABLES = [
    "ka",
    "ri",
    "to",
    "men",
    "sal",
    "vor",
    "dan",
    "li",
    "pe",
    "gra",
    "tion",
    "ent",
    "ous",
    "al",
    "ic",
    "ver",
    "mo",
    "ne",
    "sta",
    "por",
    "qu",
    "is",
    "an",
    "ber",
    "col",
    "dex",
]
CATEGORIES = [f"topic-{i:02d}" for i in range(12)]


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)  # rank must not follow the alphabet
    return ordered


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


def generate(root: Path, n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = zipf_weights(len(vocab))
    titles: set[str] = set()
    entries = []
    while len(entries) < n:
        words = rng.sample(vocab[:3000], rng.randint(1, 3))
        title = " ".join(words).capitalize()
        if title.lower() in titles:
            continue
        titles.add(title.lower())
        entries.append({"title": title, "words": words, "category": rng.choice(CATEGORIES)})
    for i, e in enumerate(entries):
        slug = f"e{i:05d}-" + "-".join(e["words"])
        e["slug"] = slug
        acronym = "".join(w[0] for w in e["words"]).upper() + f"{i}"
        body_words = rng.choices(vocab, weights=weights, k=150)
        links = rng.sample(range(n), min(4, n - 1))
        sentences, pos = [], 0
        while pos < len(body_words):
            length = rng.randint(8, 18)
            sentence = " ".join(body_words[pos : pos + length])
            sentences.append(sentence.capitalize() + ".")
            pos += length
        link_text = " ".join(f"See [[{entries[j]['title']}]]." for j in links if j != i)
        tags = rng.sample(vocab[:200], 2)
        text = (
            f"---\ntitle: {e['title']}\ntags: [{', '.join(tags)}]\naliases: [{acronym}]\n---\n"
            + " ".join(sentences[:4])
            + "\n\n"
            + " ".join(sentences[4:])
            + "\n\n"
            + link_text
            + "\n"
        )
        path = root / e["category"] / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        e["body"] = " ".join(body_words)
        e["alias"] = acronym
        e["path"] = path
    return entries


def queries(entries: list[dict], count: int = 300, seed: int = 11) -> list[str]:
    """A realistic mix: title words, two-word pairs, prefixes, typos and body words."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        e = rng.choice(entries)
        kind = k % 5
        word = rng.choice(e["words"])
        if kind == 0:
            out.append(word)
        elif kind == 1:
            out.append(" ".join(e["words"][:2]))
        elif kind == 2:
            out.append(word[: max(3, len(word) - 2)])
        elif kind == 3 and len(word) > 5:
            i = rng.randrange(1, len(word) - 1)
            out.append(word[:i] + word[i + 1 :])
        else:
            out.append(" ".join(rng.sample(e["body"].split(), 2)))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=1000)
    args = parser.parse_args()
    generate(args.folder, args.n)
    print(f"wrote {args.n} entries to {args.folder}")
