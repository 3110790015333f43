"""Property-based: no generated Markdown file crashes the pipeline, and good files survive."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.pipeline.compile import compile_content
from app.content.pipeline.links import build_resolver
from app.content.pipeline.load import Source
from app.content.pipeline.parse import parse
from app.content.pipeline.render import make_markdown, render
from tests.conftest import SAMPLE, SAMPLE_SLUGS, write_content
from tests.robustness.safety import unsafe_parts

MD = make_markdown()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.text(min_size=400, max_size=3000),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=20,
)
front_matter = st.dictionaries(
    st.sampled_from(["title", "category", "tags", "aliases", "summary", "other"]), values, max_size=6
)
markdown_bits = st.sampled_from(
    [
        "[[",
        "]]",
        "[[a|b]]",
        "[[#x]]",
        "[[|]]",
        "$",
        "$$",
        "```",
        "~~~",
        "> ",
        "> [!note] t\n",
        "- [ ] ",
        "* ",
        "#",
        "<div>",
        "</div>",
        "<script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:1)",
        "\n",
        "\n\n",
        "|a|b|\n|-|-|\n",
        "[^1]",
        "[^1]: n\n",
        "\\",
        "`",
        "**",
        "_",
        "&amp;",
        "&#0;",
        "\x00",
        "\u202e",
        "🙂",
    ]
)
bodies = st.one_of(
    st.lists(markdown_bits, max_size=60).map("".join),
    st.text(max_size=500),
    st.integers(1, 3000).map(lambda n: ">" * n),
    st.integers(1, 3000).map(lambda n: "[" * n),
    st.integers(1, 2000).map(lambda n: "- " * n),
    st.integers(1, 50000).map(lambda n: "x" * n),
)


def source(raw: bytes, path: str = "topic/entry.md") -> Source:
    return Source(path=path, raw=raw, content_hash=hashlib.sha256(raw).hexdigest(), updated=datetime.now(UTC))


def file_bytes(meta, body, style):
    if style == "yaml":
        try:
            head = yaml.safe_dump(meta, allow_unicode=True)
        except yaml.YAMLError:
            head = "title: x\n"
        return f"---\n{head}---\n{body}".encode("utf-8", "surrogatepass")
    if style == "broken":
        return f"---\ntitle: [{body[:50]}\n---\n{body}".encode("utf-8", "surrogatepass")
    return body.encode("utf-8", "surrogatepass")


@given(meta=front_matter, body=bodies, style=st.sampled_from(["yaml", "broken", "plain"]))
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
def test_parse_and_render_never_crash(meta, body, style):
    raw = file_bytes(meta, body, style)
    doc, problems = parse(source(raw))
    if doc is None:
        assert problems and all(p.path == "topic/entry.md" and p.message for p in problems)
        return
    resolver = build_resolver([doc])
    render(doc, MD, resolver)
    assert unsafe_parts(doc.html) == []


@given(raw=st.binary(max_size=2000))
@settings(max_examples=800, deadline=None)
def test_arbitrary_bytes_never_crash(raw):
    doc, problems = parse(source(raw))
    assert doc is not None or problems


@given(
    files=st.lists(
        st.tuples(front_matter, bodies, st.sampled_from(["yaml", "broken", "plain"])), min_size=1, max_size=6
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_folder_with_bad_files_still_builds_every_good_one(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fuzz")
    content = write_content(root, SAMPLE)
    for i, (meta, body, style) in enumerate(files):
        path = content / "zz-fuzz" / f"fuzz-{i}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(file_bytes(meta, body, style))
    compiled = compile_content(content)
    good = SAMPLE_SLUGS
    assert good <= set(compiled.docs)
    reported = {p.path for p in compiled.problems}
    for i in range(len(files)):
        rel = f"zz-fuzz/fuzz-{i}.md"
        assert f"fuzz-{i}" in compiled.docs or rel in reported
