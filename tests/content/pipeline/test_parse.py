from datetime import UTC, datetime

from app.content.pipeline.load import Source
from app.content.pipeline.parse import parse, slugify


def source(text, path="notes/Some Entry.md"):
    raw = text if isinstance(text, bytes) else text.encode()
    return Source(path=path, raw=raw, content_hash="h", updated=datetime.now(UTC))


def test_front_matter_fields_and_slug_from_file_name():
    doc, problems = parse(
        source(
            "---\ntitle: Tensor\ntags: [Math, arrays]\naliases: [ndarray]\n"
            "summary: An n-dimensional array.\n---\nBody\n"
        )
    )
    assert problems == []
    assert doc.slug == "some-entry"
    assert doc.title == "Tensor"
    assert doc.category == "Notes" and doc.category_slug == "notes"
    assert doc.tags == ["math", "arrays"]
    assert doc.aliases == ["ndarray"]
    assert doc.summary == "An n-dimensional array."
    assert doc.markdown == "Body\n" and doc.body_line == 7


def test_category_from_front_matter_wins_over_folder():
    doc, _ = parse(source("---\ntitle: X\ncategory: Deep learning\n---\n"))
    assert doc.category == "Deep learning" and doc.category_slug == "deep-learning"


def test_slugify_is_url_safe():
    assert slugify("K-Means Clustering") == "k-means-clustering"
    assert slugify("Café au lait!") == "cafe-au-lait"
    assert slugify("predict_proba") == "predict-proba"


def test_malformed_yaml_reports_line():
    doc, problems = parse(source("---\ntitle: ok\ntags: [unclosed\nother: 1\n---\nbody"))
    assert doc is None
    assert problems[0].path == "notes/Some Entry.md"
    assert problems[0].line >= 3
    assert "malformed front matter" in problems[0].message


def test_missing_title_is_reported_but_entry_kept():
    doc, problems = parse(source("---\ntags: [a]\n---\nText"))
    assert doc is not None and doc.title == "Some Entry"
    assert [str(p) for p in problems] == ["notes/Some Entry.md:2: missing title; using the file name"]


def test_non_utf8_and_binary_files_are_reported():
    doc, problems = parse(source(b"---\ntitle: x\n---\n\xff\xfe"))
    assert doc is None and "UTF-8" in problems[0].message and problems[0].line == 4
    doc, problems = parse(source(b"\x00\x01\x02"))
    assert doc is None and "binary" in problems[0].message


def test_duplicate_keys_and_wrong_types_are_reported():
    doc, problems = parse(source("---\ntitle: a\ntitle: b\n---\n"))
    assert doc is None and "duplicate key" in problems[0].message
    doc, problems = parse(source("---\ntitle: T\ntags: {a: 1}\n---\n"))
    assert doc is not None and doc.tags == []
    assert [str(p) for p in problems] == ["notes/Some Entry.md:2: 'tags' must be a list of text, not dict"]


def test_unclosed_front_matter_and_non_mapping():
    doc, problems = parse(source("---\ntitle: x\nno end"))
    assert doc is None and "never closed" in problems[0].message
    doc, problems = parse(source("---\n- a\n- b\n---\n"))
    assert doc is None and "mapping" in problems[0].message
