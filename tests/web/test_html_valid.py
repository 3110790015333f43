"""Every page is well-formed HTML: no unclosed or misnested elements, one h1, lang set."""

from html.parser import HTMLParser

import pytest

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose end tag HTML lets you leave out; we close them ourselves anyway, so
# the checker treats them like any other element.
PAGES = [
    "/",
    "/entries/k-means",
    "/entries/inertia",
    "/categories",
    "/categories/clustering",
    "/tags",
    "/tags/clustering",
    "/az",
    "/search?q=clustering",
    "/search?q=zzzz",
    "/search",
    "/graph",
    "/docs",
    "/entries/missing-page",
]


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple]] = []
        self.errors: list[str] = []
        self.h1 = 0
        self.lang = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID and not tag.startswith("m"):  # MathML may self-close
            self.errors.append(f"<{tag}/> at {self.getpos()}")

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"end tag for void <{tag}> at {self.getpos()}")
            return
        if not self.stack or self.stack[-1][0] != tag:
            open_tag = self.stack[-1] if self.stack else None
            self.errors.append(f"</{tag}> at {self.getpos()} while {open_tag} is open")
            # recover: pop up to the matching element if there is one
            names = [t for t, _ in self.stack]
            if tag in names:
                while self.stack and self.stack.pop()[0] != tag:
                    pass
            return
        self.stack.pop()


@pytest.mark.parametrize("url", PAGES)
def test_page_is_well_formed(client, url):
    r = client.get(url)
    checker = Checker()
    checker.feed(r.text)
    checker.close()
    assert checker.errors == []
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert checker.lang == "en"
    assert checker.h1 == 1


def test_shipped_entries_are_well_formed(tmp_path):
    from pathlib import Path

    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    content = Path(__file__).resolve().parents[2] / "content"
    with TestClient(create_app(Settings(content_dir=content, data_dir=tmp_path))) as client:
        slugs = [i["slug"] for i in client.get("/api/entries", params={"per_page": 500}).json()["items"]]
        bad = {}
        for slug in slugs:
            checker = Checker()
            checker.feed(client.get(f"/entries/{slug}").text)
            checker.close()
            if checker.errors or checker.stack or checker.h1 != 1:
                bad[slug] = (checker.errors[:2], checker.stack[:2])
    assert bad == {}
