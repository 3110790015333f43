"""A typed answer to a *meaning → name* card: any of the entry's names counts, and typos are
forgiven by the rule search uses (none in short words, one in 5–8 letters, two beyond)."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from app.names import name_key
from app.search.spelling import edit_distance, typo_budget


@dataclass(frozen=True)
class Typed:
    correct: bool
    closest: str  # the name the answer comes nearest to
    diff_html: str  # the answer against that name: <del> for what was wrong, <ins> for what was missing


def _close_enough(typed: str, name: str) -> bool:
    a, b = name_key(typed).split(), name_key(name).split()
    if a == b:
        return True
    if len(a) != len(b):
        return name_key(typed).replace(" ", "") == name_key(name).replace(" ", "")  # "kmeans" for "k-means"
    return all(x == y or ((n := typo_budget(y)) and edit_distance(x, y, n) <= n) for x, y in zip(a, b, strict=True))


def check_typed(typed: str, names: list[str]) -> Typed:
    typed = " ".join(typed.split())[:200]
    if not names:
        return Typed(False, "", html.escape(typed))
    closest = max(names, key=lambda n: difflib.SequenceMatcher(None, typed.casefold(), n.casefold()).ratio())
    correct = bool(typed) and any(_close_enough(typed, n) for n in names)
    return Typed(correct, closest, _diff(typed, closest))


def _diff(typed: str, target: str) -> str:
    out = []
    same_length = len(typed.casefold()) == len(typed) and len(target.casefold()) == len(target)
    a, b = (typed.casefold(), target.casefold()) if same_length else (typed, target)  # case is no mistake
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            out.append(html.escape(typed[i1:i2]))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(typed[i1:i2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(target[j1:j2])}</ins>")
    return "".join(out)
