"""Readable text: an entry's prose as a reader sees it, for search snippets and summaries.

Plain text for the index keeps everything a word could be searched by, code and LaTeX
included; text shown to a reader must not. Here math becomes what it says (`\\frac{1}{n}`
as `1/n`, `\\varepsilon` as `ε`) or is left out when it cannot be written on one line,
and code blocks, tables and headings are left out rather than run together as prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

DISPLAY_CHARS = 80  # display math longer than this reads worse as one line than not at all
_CLOSED = (".", "!", "?", ":", ";", ",", "…")

# fmt: off
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
    "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
]
SYMBOLS = {
    **{name: chr(0x3B1 + i + (i > 16)) for i, name in enumerate(_GREEK)},  # no final sigma
    **{name.capitalize(): chr(0x391 + i + (i > 16)) for i, name in enumerate(_GREEK)},
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς",
    "cdot": " · ", "times": " × ", "div": " ÷ ", "pm": " ± ", "mp": " ∓ ", "odot": " ⊙ ", "otimes": " ⊗ ",
    "le": " ≤ ", "leq": " ≤ ", "ge": " ≥ ", "geq": " ≥ ", "ne": " ≠ ", "neq": " ≠ ", "approx": " ≈ ",
    "sim": " ~ ", "equiv": " ≡ ", "propto": " ∝ ", "ll": " ≪ ", "gg": " ≫ ", "mid": " | ",
    "to": " → ", "rightarrow": " → ", "leftarrow": " ← ", "longrightarrow": " → ", "Rightarrow": " ⇒ ",
    "implies": " ⇒ ", "iff": " ⇔ ", "Longleftrightarrow": " ⇔ ", "leftrightarrow": " ↔ ", "mapsto": " ↦ ",
    "in": " ∈ ", "notin": " ∉ ", "subset": " ⊂ ", "subseteq": " ⊆ ", "cup": " ∪ ", "cap": " ∩ ",
    "land": " ∧ ", "lor": " ∨ ", "forall": "∀", "exists": "∃", "neg": "¬", "emptyset": "∅",
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫", "top": "ᵀ",
    "dots": "…", "ldots": "…", "cdots": "⋯", "prime": "′", "circ": "∘", "star": "⋆", "ast": "∗",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖", "lvert": "|", "rvert": "|",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩",
    "{": "{", "}": "}", "%": "%", "$": "$", "#": "#", "&": "&", "_": "_",
    ",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ", "!": "", "displaystyle": "",
    "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": "", "bigl": "", "bigr": "",
    "Bigl": "", "Bigr": "", "limits": "", "nolimits": "",
}
FUNCTIONS = {
    "log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arg", "max", "min", "argmax", "argmin",
    "sup", "inf", "lim", "det", "dim", "ker", "Pr", "var", "cov",
}
TEXT = {"text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf", "mathcal", "mathtt",
        "operatorname", "boldsymbol", "bm", "vec", "mathbb"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304", "tilde": "\u0303",
           "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308"}
FRACTIONS = {"frac", "tfrac", "dfrac", "cfrac"}
SUPER = dict(zip("0123456789+-=()nijkTtxᵀ−′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗˣᵀ⁻′"))
SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₋"))
# fmt: on
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)
_ATOM = re.compile(r"√?[\w.′\u0300-\u036f]+|.", re.S)  # a number, a name, a root, an accented letter


class Unreadable(ValueError):
    """LaTeX that has no one-line readable form here (matrices, alignments, unknown commands)."""


def math_text(latex: str) -> str | None:
    """LaTeX as one line of readable text, or None when it has none."""
    tokens = _TOKEN.findall(latex)
    try:
        out, rest = _sequence(tokens, 0)
    except (Unreadable, IndexError):
        return None
    if rest < len(tokens):
        return None  # an unmatched closing brace
    return " ".join(out.split()) or None


def _sequence(tokens: list[str], i: int, until: str = "") -> tuple[str, int]:
    out: list[str] = []
    while i < len(tokens):
        tok = tokens[i]
        if tok == until:
            return "".join(out), i + 1
        if tok == "}":
            break
        if tok in ("^", "_"):
            arg, i = _argument(tokens, i + 1)
            out.append(_script(arg, SUPER if tok == "^" else SUB, tok))
            continue
        piece, i = _atom(tokens, i)
        out.append(piece)
    if until:
        raise Unreadable(f"no closing {until}")
    return "".join(out), i


def _argument(tokens: list[str], i: int) -> tuple[str, int]:
    while i < len(tokens) and tokens[i].isspace():
        i += 1
    if tokens[i] == "{":
        return _sequence(tokens, i + 1, "}")
    return _atom(tokens, i)


def _atom(tokens: list[str], i: int) -> tuple[str, int]:
    tok = tokens[i]
    if tok == "{":
        return _sequence(tokens, i + 1, "}")
    if tok in ("&", "\\\\"):
        raise Unreadable("alignment")
    if tok == "~":
        return " ", i + 1
    if not tok.startswith("\\"):
        return (" " if tok.isspace() else tok), i + 1
    name = tok[1:]
    if name in SYMBOLS:
        if name in ("left", "right") and i + 1 < len(tokens) and tokens[i + 1] == ".":
            return "", i + 2  # an invisible delimiter
        return SYMBOLS[name], i + 1
    if name in FUNCTIONS:
        attached = i + 1 < len(tokens) and tokens[i + 1] in ("^", "_", "(", "{", "[")
        return name + ("" if attached else " "), i + 1
    if name in TEXT:
        arg, i = _argument(tokens, i + 1)
        return ("".join(BLACKBOARD.get(c, c) for c in arg) if name == "mathbb" else arg), i
    if name in ACCENTS:
        arg, i = _argument(tokens, i + 1)
        return (arg + ACCENTS[name] if len(arg) == 1 else arg), i
    if name in FRACTIONS:
        top, i = _argument(tokens, i + 1)
        bottom, i = _argument(tokens, i)
        return f"{_grouped(top)}/{_grouped(bottom)}", i
    if name == "sqrt":
        if tokens[i + 1] == "[":
            raise Unreadable("a root of another degree")
        arg, i = _argument(tokens, i + 1)
        return "√" + _grouped(arg), i
    if name == "binom":
        n, i = _argument(tokens, i + 1)
        k, i = _argument(tokens, i)
        return f"C({n.strip()}, {k.strip()})", i
    raise Unreadable(tok)


def _grouped(text: str) -> str:
    text = " ".join(text.split())
    return text if len(_ATOM.findall(text)) <= 1 else f"({text})"


def _script(arg: str, table: dict[str, str], mark: str) -> str:
    arg = " ".join(arg.split())
    if arg and all(c in table for c in arg):
        return "".join(table[c] for c in arg)
    return mark + _grouped(arg)


def inline_text(children: list[Token] | None) -> str:
    """A paragraph's or list item's words on one line, math readable or left out."""
    out = []
    for tok in children or []:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("math_inline", "math_inline_double"):
            out.append(math_text(tok.content) or "")
        elif tok.type == "wikilink":
            out.append(tok.meta["label"] or tok.meta["target"])
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return " ".join("".join(out).split())


def readable_text(tokens: list[Token]) -> str:
    """One line per paragraph or list item, each ending as a sentence ends."""
    return "\n".join(_blocks(tokens))


def _blocks(tokens: list[Token]) -> Iterator[str]:
    skipping = 0  # depth inside tables and headings
    for tok in tokens:
        if tok.type in ("table_open", "heading_open"):
            skipping += 1
        elif tok.type in ("table_close", "heading_close"):
            skipping -= 1
        elif skipping:
            continue
        elif tok.type == "inline":
            text = inline_text(tok.children)
            if text:
                yield text if text.endswith(_CLOSED) else text + "."
        elif tok.type == "math_block":
            shown = math_text(tok.content)
            if shown and len(shown) <= DISPLAY_CHARS:
                yield shown if shown.endswith(_CLOSED) else shown + "."
