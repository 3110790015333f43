"""Name keys: the one rule by which two spellings of a name are the same name.

Links (`[[K-Means]]`), redirects (`/entries/K_Means`) and search's exact-name matches all
compare names by this key, so a name that reaches an entry one way reaches it every way.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=200_000)  # every build asks again for the same tens of thousands of names
def name_key(text: str) -> str:
    """Lower-case words of letters and digits, one space apart.

    `K-Means`, `k means`, `k_means` and `K.Means` all give `k means`; an empty key means
    the text names nothing.
    """
    return " ".join(_WORD.findall(text.casefold()))
