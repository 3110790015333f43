"""The allow-list that keeps author HTML from running script in a reader's browser."""

import nh3

# fmt: off
_TEXT = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
    "ul", "var",
}
_MATHML = {
    "math", "mi", "mn", "mo", "ms", "mspace", "mtext", "mrow", "mfrac", "msqrt", "mroot",
    "mstyle", "merror", "mpadded", "mphantom", "menclose", "msub", "msup", "msubsup",
    "munder", "mover", "munderover", "mtable", "mtr", "mtd", "semantics", "annotation",
}
_MATH_ATTRS = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "accent", "accentunder", "columnalign", "rowalign", "columnspacing", "rowspacing",
    "width", "height", "depth", "movablelimits", "form", "minsize", "maxsize", "largeop",
    "symmetric", "linethickness", "scriptlevel", "displaystyle", "notation", "encoding",
    "columnlines", "rowlines", "frame", "voffset",
}
# fmt: on

_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"checked", "disabled"},
    "li": {"id"},
    "sup": {"id"},
    "section": {"id"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "details": {"open", "id"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
    **dict.fromkeys(_MATHML, _MATH_ATTRS),
}


# Built once: nh3.clean() converts the allow-lists on every call, 30 times the cost of cleaning
# a card's face, and a build cleans five pieces of HTML per entry.
_CLEANER = nh3.Cleaner(
    tags=_TEXT | _MATHML,
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    strip_comments=True,
    link_rel=None,  # no target=_blank is allowed, so rel adds nothing
)


def clean(html: str) -> str:
    return _CLEANER.clean(html)
