"""What "safe HTML" means for our tests: no element or attribute that can run script."""

from html.parser import HTMLParser

SCRIPTY_TAGS = {"script", "iframe", "object", "embed", "style", "link", "meta", "base", "svg", "frame"}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SCRIPTY_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"srcdoc", "formaction"}:
                self.bad.append(f"{tag}[{name}]")
            if name == "style" and any(k in (value or "").lower() for k in ("url(", "expression", "javascript")):
                self.bad.append(f"{tag}[style={value[:30]}]")
            if name in {"href", "src", "xlink:href", "action"} and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.bad.append(f"{tag}[{name}={value[:30]}]")

    handle_startendtag = handle_starttag


def unsafe_parts(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.bad
