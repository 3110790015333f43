from datetime import UTC, datetime

from app.content.pipeline.links import build_resolver
from app.content.pipeline.model import Document
from app.content.pipeline.render import make_markdown, render


def doc(slug, title, body="", aliases=()):
    return Document(
        path=f"{slug}.md",
        content_hash="h",
        updated=datetime.now(UTC),
        slug=slug,
        title=title,
        aliases=list(aliases),
        markdown=body,
    )


def rendered(body, others=()):
    d = doc("page", "Page", body)
    docs = [
        d,
        doc("k-means", "K-means clustering", aliases=["kmeans"]),
        doc("recurrent-neural-network", "Recurrent neural network", aliases=["RNN"]),
        *others,
    ]
    resolver = build_resolver(docs)
    render(d, make_markdown(), resolver)
    return d


def test_wikilink_forms_resolve_by_title_alias_and_slug_case_insensitively():
    d = rendered("[[k-means clustering]] [[rnn|recurrent nets]] [[K-Means#How it works]] [[kmeans]]")
    assert '<a class="wikilink" href="/entries/k-means">k-means clustering</a>' in d.html
    assert 'href="/entries/recurrent-neural-network">recurrent nets</a>' in d.html
    assert 'href="/entries/k-means#how-it-works"' in d.html
    assert [link.slug for link in d.links] == ["k-means", "recurrent-neural-network", "k-means", "k-means"]


def test_unresolved_wikilink_is_visibly_missing_not_a_dead_link():
    d = rendered("See [[Nowhere to be found]].")
    assert '<span class="wikilink missing"' in d.html
    assert "/entries/nowhere" not in d.html
    assert d.links[0].slug is None and d.links[0].line == 1


def test_markdown_links_to_entry_files_resolve():
    d = rendered("[the RNN](recurrent-neural-network.md) and [gone](gone.md)")
    assert 'href="/entries/recurrent-neural-network"' in d.html
    assert 'class="missing"' in d.html


def test_script_and_event_handlers_are_removed():
    d = rendered(
        '<script>alert(1)</script><img src="x" onerror="alert(1)"> [x](javascript:alert(1)) '
        '<a href="data:text/html,hi">d</a> [[<img src=x onerror=alert(1)>]]'
    )
    assert "<script" not in d.html
    assert "onerror" not in d.html
    assert 'href="javascript' not in d.html
    assert "data:text" not in d.html


def test_commonmark_extras_render():
    body = """\
| a | b |
|---|---|
| 1 | 2 |

- [x] done
- [ ] todo

Text with a note.[^1]

[^1]: The footnote.

```python
def f(x):
    return x
```

Inline $x^2$ and display:

$$\\sum_i x_i$$

> [!warning] Careful
> Scale first.

## First heading
### Sub heading
## Second heading
"""
    d = rendered(body)
    assert "<table>" in d.html
    assert 'type="checkbox"' in d.html
    assert 'class="footnote' in d.html
    assert '<span class="k">def</span>' in d.html
    assert "<math" in d.html and "<msup>" in d.html
    assert 'class="callout callout-warning"' in d.html and "Careful" in d.html
    assert '<h2 id="first-heading">' in d.html
    assert [t["id"] for t in d.toc] == ["first-heading", "sub-heading", "second-heading"]


def test_summary_derived_from_first_paragraph():
    d = rendered("# Title\n\nThe first **paragraph** explains [[RNN|things]].\n\nSecond.")
    assert d.summary == "The first paragraph explains things."
    assert "Second." in d.text


def test_a_labelled_wikilink_in_a_table_cell_stays_in_its_cell_written_either_way():
    body = (
        "| metric | value |\n|---|---|\n"
        "| [[rnn|recurrent nets]] (RNN) | 7.2 |\n"
        "| [[k-means\\|K-means]] | `[[a|b]]` |\n"
        "\n```\n| [[rnn|x]] |\n```\n"
    )
    d = rendered(body)
    assert '<td><a class="wikilink" href="/entries/recurrent-neural-network">recurrent nets</a> (RNN)</td>' in d.html
    assert "<td>7.2</td>" in d.html
    assert '<td><a class="wikilink" href="/entries/k-means">K-means</a></td>' in d.html
    assert "<td><code>[[a|b]]</code></td>" in d.html
    assert "| [[rnn|x]] |" in d.html  # code blocks are left as written
    assert "[[" not in d.html.split("<pre")[0].replace("<code>[[a|b]]</code>", "")


def test_a_link_the_renderer_cannot_place_is_reported_with_its_line():
    d = doc("page", "Page", "Intro.\n\nA link [[never closed, and text.\n")
    d.body_line = 5
    problems = render(d, make_markdown(), build_resolver([d]))
    assert [(p.path, p.line) for p in problems] == [("page.md", 7)]
    assert "cannot be placed" in problems[0].message and "[[never closed" in problems[0].message


def test_a_headings_name_is_its_text_not_its_anchor_symbol():
    d = rendered("## Choosing k\n\nText.")
    assert '<h2 id="choosing-k">Choosing k <a class="header-anchor" aria-hidden="true" tabindex="-1"' in d.html
