import os

from app.site import open_site
from tests.conftest import write_content


def make_builder(settings):
    """A builder on its own newly opened stores, as a new process would have."""
    return open_site(settings, serve=False).builder


def touch_later(path):
    """Make sure the file's mtime moves even on coarse file systems."""
    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 5))


def test_full_build_counts(settings):
    report = make_builder(settings).build()
    assert report.full
    assert report.entries == 6
    assert report.categories == 3
    assert report.unresolved == 0
    assert report.files_with_errors == 0


def test_incremental_rebuild_edit_add_delete(settings, content_dir):
    builder = make_builder(settings)
    builder.build()
    again = builder.build()
    assert not again.full and again.changed == 0

    # Edit: only that file is rendered again, and search sees the new words.
    path = content_dir / "clustering/inertia.md"
    path.write_text(path.read_text().replace("squared distances", "squared distances (zebra)"))
    touch_later(path)
    report = builder.build()
    assert report.changed == 1
    assert [h.slug for h in builder.index.search("zebra").hits] == ["inertia"]

    # Add: a new entry that an existing unresolved link now reaches.
    write_content(content_dir, {"misc/linker.md": "---\ntitle: Linker\n---\nSee [[Elbow method]].\n"})
    assert builder.build().unresolved == 1
    write_content(content_dir, {"misc/elbow.md": "---\ntitle: Elbow method\n---\nPick k at the bend.\n"})
    report = builder.build()
    assert report.unresolved == 0
    assert report.changed == 2  # the new entry, and the linker whose link now resolves
    assert builder.index.search("bend").hits[0].slug == "elbow"

    # Delete: gone from the store and the index.
    (content_dir / "misc/elbow.md").unlink()
    report = builder.build()
    assert report.removed == 1 and report.entries == 7
    assert builder.index.search("bend").total == 0
    assert report.unresolved == 1


def test_bad_files_are_reported_and_others_still_built(settings, content_dir):
    write_content(content_dir, {
        "bad/broken.md": "---\ntitle: [oops\n---\n",
        "bad/binary.md": b"\x00\x01binary",
        "bad/latin.md": b"---\ntitle: caf\xe9\n---\n",
        "later/k-means.md": "---\ntitle: Another k-means\n---\nDuplicate slug.\n",
    })
    report = make_builder(settings).build()
    assert report.entries == 6
    messages = {p.path: p.message for p in report.problems}
    assert "malformed front matter" in messages["bad/broken.md"]
    assert "binary" in messages["bad/binary.md"]
    assert "UTF-8" in messages["bad/latin.md"]
    assert "duplicate slug" in messages["later/k-means.md"]
    assert report.files_with_errors == 4


def test_interrupted_build_is_redone_in_full(settings):
    builder = make_builder(settings)
    builder.build()
    builder.marker.write_text("left by a killed build")
    report = builder.build()
    assert report.full and report.entries == 6
    assert not builder.marker.exists()


def test_damaged_index_is_rebuilt_from_content(settings):
    make_builder(settings).build()
    for f in settings.index_dir.glob("*.toc"):
        f.unlink()
    builder = make_builder(settings)
    assert builder.index.was_rebuilt
    report = builder.build()
    assert report.full
    assert builder.index.search("backpropagation").hits[0].slug == "backpropagation"



def test_link_cycles_and_self_links_are_handled(settings, content_dir):
    write_content(content_dir, {
        "loop/a.md": "---\ntitle: Alpha\n---\nSee [[Beta]] and [[Alpha]] itself.\n",
        "loop/b.md": "---\ntitle: Beta\n---\nSee [[Gamma]].\n",
        "loop/c.md": "---\ntitle: Gamma\n---\nBack to [[Alpha]].\n",
    })
    make_builder(settings).build()
    g = open_site(settings, serve=False).reader
    alpha = g.get_entry("a")
    assert [r.slug for r in alpha.links] == ["b"]  # the self-link is not listed
    assert [r.slug for r in alpha.backlinks] == ["c"]
    assert [r.slug for r in g.get_entry("b").backlinks] == ["a"]
    assert {(l.source, l.target) for l in g.graph().links} >= {("a", "b"), ("b", "c"), ("c", "a")}


def test_body_edits_keep_name_clashes_and_renames_relink(settings, content_dir):
    write_content(content_dir, {
        "misc/t1.md": "---\ntitle: Twin\naliases: [RNN]\n---\nA twin.\n",
        "misc/fan.md": "---\ntitle: Fan\n---\nI like [[Twin]].\n",
    })
    builder = make_builder(settings)
    clash = ["misc/t1.md:2: alias 'RNN' is already used by deep-learning/recurrent-neural-network.md; links to it go there"]
    assert [str(p) for p in builder.build().problems] == clash

    # A body-only edit changes no name's owner: the clash is still reported.
    twin = content_dir / "misc/t1.md"
    twin.write_text(twin.read_text().replace("A twin.", "A twin, edited."))
    touch_later(twin)
    report = builder.build()
    assert report.changed == 1
    assert [str(p) for p in report.problems] == clash
    assert [s.slug for s in builder.index.suggest("twi")] == ["t1"]

    # A title edit does: the link to the old title no longer resolves.
    twin.write_text(twin.read_text().replace("title: Twin", "title: Triplet"))
    touch_later(twin)
    report = builder.build()
    assert report.unresolved == 1
    assert [str(p) for p in report.problems] == ["misc/fan.md:4: unresolved link [[Twin]]", *clash]
    assert [s.title for s in builder.index.suggest("trip")] == ["Triplet"]
    assert builder.index.suggest("twi") == []
