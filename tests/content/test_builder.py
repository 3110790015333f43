import logging
import os
import random
import shutil
import textwrap

import pytest

from app.config import Settings
from app.content import store
from app.search.documents import unpack
from app.search.postings import leaves
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
    write_content(
        content_dir,
        {
            "bad/broken.md": "---\ntitle: [oops\n---\n",
            "bad/binary.md": b"\x00\x01binary",
            "bad/latin.md": b"---\ntitle: caf\xe9\n---\n",
            "later/k-means.md": "---\ntitle: Another k-means\n---\nDuplicate slug.\n",
        },
    )
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
    write_content(
        content_dir,
        {
            "loop/a.md": "---\ntitle: Alpha\n---\nSee [[Beta]] and [[Alpha]] itself.\n",
            "loop/b.md": "---\ntitle: Beta\n---\nSee [[Gamma]].\n",
            "loop/c.md": "---\ntitle: Gamma\n---\nBack to [[Alpha]].\n",
        },
    )
    make_builder(settings).build()
    g = open_site(settings, serve=False).reader
    alpha = g.get_entry("a")
    assert [r.slug for r in alpha.links] == ["b"]  # the self-link is not listed
    assert [r.slug for r in alpha.backlinks] == ["c"]
    assert [r.slug for r in g.get_entry("b").backlinks] == ["a"]
    assert {(link.source, link.target) for link in g.graph().links} >= {("a", "b"), ("b", "c"), ("c", "a")}


def test_body_edits_keep_name_clashes_and_renames_relink(settings, content_dir):
    write_content(
        content_dir,
        {
            "misc/t1.md": "---\ntitle: Twin\naliases: [RNN]\n---\nA twin.\n",
            "misc/fan.md": "---\ntitle: Fan\n---\nI like [[Twin]].\n",
        },
    )
    builder = make_builder(settings)
    clash = [
        "misc/t1.md:2: alias 'RNN' is already used by deep-learning/recurrent-neural-network.md; links to it go there"
    ]
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


# -- incremental builds agree with full builds ------------------------------------------------
# An update given the paths a watcher reports must store and index exactly what a full build
# of the same folder would: entries, links, backlinks, unresolved links, names, cards,
# categories, study paths and problems. Each test below edits, then compares the two.

EXTRA = {
    "clustering/_category.yml": "name: Clustering\ndescription: Grouping without labels.\n",
    "_paths/basics.yml": """\
        title: Basics
        sections:
          - title: First
            entries: [k means, Inertia, backprop, Nowhere yet]
        """,
    "misc/t1.md": "---\ntitle: Twin\naliases: [RNN, Fan club]\n---\nA twin, see [[Fan]] and [inertia](inertia.md).\n",
    "misc/fan.md": (
        "---\ntitle: Fan\n---\nI like [[Twin]], [[Triplet]] and [[KMC#Algorithm]].\n\n"
        "Q: What is a fan?\nA: A [[Twin]] admirer.\n"
    ),
    "later/k-means.md": "---\ntitle: Another k-means\n---\nDuplicate slug of [[Inertia]].\n",
    "bad/broken.md": "---\ntitle: [oops\n---\n",
}


def snapshot(site) -> dict:
    """Everything a build leaves that a reader can see, in a comparable form."""
    tables = {
        "entry": "slug, title, category, category_slug, tags, aliases, summary, markdown, html, text, toc, "
        "source_path, content_hash, file_size, file_mtime, updated, deck_hash",
        "entrytag": "entry_slug, tag",
        "alias": "key, entry_slug, rank",
        "link": "source, target, target_text, target_key, anchor, line",
        "card": "entry_slug, key, kind, position, front_md, back_md, front_html, back_html, answers, line",
        "category": "slug, name, description",
        "study_path": "slug, title, description, position, sections",
        "problem": "path, line, message, severity, kind",
    }
    found = {}
    with site.content_engine.connect() as conn:
        for table, cols in tables.items():
            found[table] = sorted((tuple(r) for r in conn.exec_driver_sql(f"SELECT {cols} FROM {table}")), key=repr)
        meta = "SELECT key, value FROM meta WHERE key IN ('deck', 'schema', 'folders')"
        found["meta"] = sorted(tuple(r) for r in conn.exec_driver_sql(meta))
    with site.index.searcher() as s:
        found["index"] = sorted(sorted((k, str(v)) for k, v in f.items()) for f in s.all_stored_fields())
        # What links say about each entry, indexed with it (search's `context`): kept in step
        # by every update for the entries whose sentences changed.
        columns = []
        for sub, _ in leaves(s.reader()):
            if sub.segment() is None:
                continue
            cites, cited = (sub.column_reader(name, translate=True) for name in ("cites", "cited"))
            columns += [
                (sub.stored_fields(n)["slug"], sorted(unpack(cites[n])), sorted(unpack(cited[n])))
                for n in sub.all_doc_ids()
            ]
        found["link columns"] = sorted(columns)
    # Completions are kept in step with each edit, not made afresh: they must agree too.
    found["suggest"] = [sorted(c.slug for c in site.index.suggest(q, 100)) for q in SUGGESTED]
    return found


SUGGESTED = ["tw", "tri", "in", "wcs", "al", "be", "gam", "del", "fan", "rnn", "ba", "fea", "rec", "k m", "kmc", "an"]


def full_build_of(content_dir, tmp_path) -> dict:
    """What a full build of content_dir stores, in a data folder of its own."""
    data = tmp_path / f"full-{len(list(tmp_path.iterdir()))}"
    settings = Settings(content_dir=content_dir, data_dir=data, state_dir=tmp_path / "full-state")
    site = open_site(settings, serve=False)
    try:
        assert site.update(full=True).full
        return snapshot(site)
    finally:
        site.close()


def assert_same(a: dict, b: dict) -> None:
    for key in a:
        assert a[key] == b[key], key


class Edits:
    """A content folder edited the way an editor would, remembering which paths it touched
    (what a watcher would report, as absolute paths)."""

    def __init__(self, root):
        self.root = root
        self.touched: set[str] = set()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        touch_later(path)
        self.touched.add(str(path))

    def edit(self, rel: str, old: str, new: str) -> None:
        text = (self.root / rel).read_text()
        assert old in text, (rel, old)
        self.write(rel, text.replace(old, new))

    def delete(self, rel: str) -> None:
        path = self.root / rel
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        self.touched.add(str(path))

    def move(self, rel: str, to: str) -> None:
        (self.root / to).parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / rel, self.root / to)
        self.touched |= {str(self.root / rel), str(self.root / to)}

    def take(self) -> set[str]:
        touched, self.touched = self.touched, set()
        return touched


@pytest.fixture
def edited(settings, content_dir, tmp_path):
    """A site built in full on the sample content with duplicates, clashes, a category file,
    a study path and a broken file; then an Edits on its folder."""
    write_content(content_dir, EXTRA)
    site = open_site(settings, serve=False)
    site.update()
    site.index.suggest("warm")  # as a server has: completions made, to be kept in step
    yield site, Edits(content_dir)
    site.close()


def check(site, edits, tmp_path, **expected):
    """Update with the touched paths, compare with a full build, and check the report."""
    report = site.update(changed=edits.take())
    assert not report.full
    for name, value in expected.items():
        assert getattr(report, name) == value, (name, getattr(report, name))
    assert_same(snapshot(site), full_build_of(edits.root, tmp_path))
    with store.session_scope(site.content_engine) as s:  # the report keeps count as it goes
        assert store.counts(s) == store.Counts(report.entries, report.categories, report.links, report.unresolved)
    return report


def test_body_edit_renders_one_entry(edited, tmp_path):
    site, edits = edited
    edits.edit("clustering/inertia.md", "squared distances", "squared distances (zebra)")
    check(site, edits, tmp_path, changed=1, removed=0)
    assert [h.slug for h in site.index.search("zebra").hits] == ["inertia"]


def test_title_and_alias_edits_move_names_and_relink(edited, tmp_path):
    site, edits = edited
    # A title change: links to the old title no longer resolve, links to the new one do.
    edits.edit("misc/t1.md", "title: Twin", "title: Triplet")
    check(site, edits, tmp_path, changed=2)  # t1 and fan, which links to both names
    # An alias that an earlier path already has: a clash, reported, links keep their target.
    edits.edit("misc/fan.md", "title: Fan", "title: Fan\naliases: [Inertia, WCSS, Triplet]")
    check(site, edits, tmp_path)
    # The alias goes again: the clashes go with it.
    edits.edit("misc/fan.md", "aliases: [Inertia, WCSS, Triplet]", "aliases: [Backprop]")
    check(site, edits, tmp_path)
    # The owner of a contested name goes: the next claimant takes it, its linkers follow.
    edits.delete("deep-learning/recurrent-neural-network.md")
    check(site, edits, tmp_path, removed=1)
    assert site.reader.resolve("rnn") == "t1"


def test_renames_deletions_and_additions(edited, tmp_path):
    site, edits = edited
    edits.move("clustering/inertia.md", "clustering/wcss.md")  # a new slug
    check(site, edits, tmp_path, removed=1)
    edits.write("misc/new.md", "---\ntitle: Elbow method\n---\nPick k at the bend of [[WCSS]].\n")
    edits.write("misc/linker.md", "---\ntitle: Linker\n---\nSee [[Elbow method]] and [[Nowhere yet]].\n")
    check(site, edits, tmp_path)
    edits.write("misc/nowhere.md", "---\ntitle: Nowhere yet\n---\nNow somewhere.\n")  # a path's step resolves
    check(site, edits, tmp_path)
    edits.delete("misc/new.md")
    edits.delete("misc/nowhere.md")
    check(site, edits, tmp_path, removed=2)


def test_duplicate_slugs_change_hands(edited, tmp_path):
    site, edits = edited
    # The winner goes: the file that lost the slug until now takes it.
    edits.delete("clustering/k-means.md")
    check(site, edits, tmp_path, removed=0)
    assert site.reader.get_entry("k-means").title == "Another k-means"
    # An earlier path takes it back.
    edits.write("a-first/k-means.md", "---\ntitle: First k-means\n---\nEarliest.\n")
    check(site, edits, tmp_path)
    assert site.reader.get_entry("k-means").title == "First k-means"
    # The loser changes: nothing a reader sees, but its own problems.
    edits.edit("later/k-means.md", "Duplicate slug", "Still a duplicate slug")
    check(site, edits, tmp_path, changed=0)


def test_moves_between_categories_and_category_names(edited, tmp_path):
    site, edits = edited
    edits.move("clustering/hierarchical-clustering.md", "data/hierarchical-clustering.md")
    check(site, edits, tmp_path, changed=1, removed=0)
    edits.edit("clustering/_category.yml", "name: Clustering", "name: Grouping")
    check(site, edits, tmp_path, changed=2)  # the entries in that folder name no category
    edits.delete("clustering/_category.yml")
    check(site, edits, tmp_path)
    edits.edit("data/feature-scaling.md", "title: Feature scaling", "title: Feature scaling\ncategory: Clustering")
    check(site, edits, tmp_path, changed=1)
    # The last entry of a category leaves: the category goes.
    edits.move("deep-learning/backpropagation.md", "data/backpropagation.md")
    edits.move("deep-learning/recurrent-neural-network.md", "data/recurrent-neural-network.md")
    check(site, edits, tmp_path)


def test_whole_folders_moved_in_and_out(edited, tmp_path):
    site, edits = edited
    # A folder moved away and one moved in are reported as one path each, not per file.
    os.replace(edits.root / "clustering", tmp_path / "away")
    edits.touched.add(str(edits.root / "clustering"))
    check(site, edits, tmp_path, removed=2)  # k-means goes to the file that lost it until now
    os.replace(tmp_path / "away", edits.root / "grouping")
    edits.touched.add(str(edits.root / "grouping"))
    # Its three, and the two linking by names that had no owner while the folder was away.
    check(site, edits, tmp_path, changed=5)


def test_problems_files_and_paths(edited, tmp_path):
    site, edits = edited
    edits.write("bad/broken.md", "---\ntitle: Mended\n---\nLinks to [[Twin]].\n")
    check(site, edits, tmp_path, changed=1)
    edits.write("bad/binary.md", "---\ntitle: [oops\n---\n")
    check(site, edits, tmp_path, changed=0)
    edits.delete("bad/binary.md")
    check(site, edits, tmp_path, changed=0)
    edits.edit("_paths/basics.yml", "backprop, Nowhere yet", "backprop, Twin")
    check(site, edits, tmp_path, changed=0)
    edits.write("_paths/broken.yml", "title: [oops\n")
    check(site, edits, tmp_path, changed=0)
    edits.delete("_paths")
    check(site, edits, tmp_path, changed=0)


def test_many_random_edits_agree_with_full_builds(settings, content_dir, tmp_path):
    """Random edits on a small glossary whose names collide on purpose: slugs shared between
    folders, titles and aliases drawn from a few names, links to those names."""
    rng = random.Random(16)
    names = ["Alpha", "Beta", "Gamma", "Delta", "alpha beta", "K-means", "Inertia", "Twin"]
    stems = ["alpha", "beta", "gamma", "delta", "k-means", "inertia", "twin", "one", "two"]
    folders = ["a", "b", "c"]
    edits = Edits(content_dir)

    def entry() -> str:
        title = rng.choice(names)
        aliases = rng.sample(names, rng.randint(0, 2))
        links = " ".join(f"[[{rng.choice(names)}]]" for _ in range(rng.randint(0, 3)))
        return f"---\ntitle: {title}\naliases: [{', '.join(aliases)}]\n---\nAbout {title}: {links} {rng.random()}\n"

    site = open_site(settings, serve=False)
    site.update()
    site.index.suggest("warm")
    for step in range(12):
        for _ in range(rng.randint(1, 3)):
            present = sorted(p.relative_to(content_dir).as_posix() for p in content_dir.rglob("*.md"))
            op = rng.random()
            if op < 0.4 or not present:
                edits.write(f"{rng.choice(folders)}/{rng.choice(stems)}.md", entry())
            elif op < 0.6:
                edits.delete(rng.choice(present))
            elif op < 0.8:
                edits.move(rng.choice(present), f"{rng.choice(folders)}/{rng.choice(stems)}-{step}.md")
            else:
                edits.write(f"{rng.choice(folders)}/_category.yml", f"name: Folder {rng.randint(1, 3)}\n")
        check(site, edits, tmp_path)
    site.close()


def test_a_missed_change_is_caught_by_the_next_scan(edited, tmp_path):
    site, edits = edited
    edits.edit("clustering/inertia.md", "title: Inertia", "title: Inertness")
    edits.take()  # the watcher never said
    site.update(changed=[])
    assert site.reader.get_entry("inertia").title == "Inertia"
    report = site.update()  # a scan, as the watcher does now and then
    assert report.changed == 1  # links by its slug still reach it
    assert_same(snapshot(site), full_build_of(edits.root, tmp_path))


def test_a_start_with_nothing_changed_renders_and_writes_nothing(edited, settings, tmp_path, caplog):
    site, edits = edited
    generation = site.reader.generation()
    before = snapshot(site)
    again = open_site(settings, serve=False)  # as a new process would
    report = again.update()
    assert not report.full and report.changed == 0 and report.removed == 0
    assert again.reader.generation() == generation
    assert_same(snapshot(again), before)
    # What the start read is kept for the watcher's updates: they look at their paths alone.
    edits.edit("misc/t1.md", "title: Twin", "title: Triplet")
    with caplog.at_level(logging.INFO, logger="app.content.builder"):
        report = again.update(changed=edits.take())
    assert "1 paths changed" in caplog.text
    assert report.changed == 2
    assert_same(snapshot(again), full_build_of(edits.root, tmp_path))
    again.close()


def test_an_update_after_another_process_built_reads_the_store_again(edited, settings, tmp_path):
    site, edits = edited
    other = open_site(settings, serve=False)
    other.update()
    edits.edit("misc/t1.md", "title: Twin", "title: Triplet")
    other.update(changed=edits.take())  # this process's catalog is now behind
    edits.edit("misc/fan.md", "I like", "I love")
    site.update(changed=edits.take())
    assert_same(snapshot(site), full_build_of(edits.root, tmp_path))
    other.close()


def test_files_touched_but_unchanged_render_nothing(edited, tmp_path):
    site, edits = edited
    generation = site.reader.generation()
    (edits.root / ".inertia.md.swp").write_text("an editor's")
    (edits.root / "notes.txt").write_text("not content")
    site.update(changed=[str(edits.root / ".inertia.md.swp"), str(edits.root / "notes.txt")])
    assert site.reader.generation() == generation  # nothing written
    touch_later(edits.root / "clustering/inertia.md")
    report = site.update(changed=[str(edits.root / "clustering/inertia.md")])
    assert report.changed == 0  # but its row says when the file was updated, as a full build's does
    assert_same(snapshot(site), full_build_of(edits.root, tmp_path))


def test_edits_leave_small_segments_for_a_quiet_moment(edited, tmp_path):
    site, edits = edited

    def segments() -> int:
        with site.index.searcher() as s:
            return len(leaves(s.reader()))

    before = segments()
    for n in range(6):
        edits.edit("clustering/inertia.md", "squared distances", f"squared distances {n}")
        site.update(changed=edits.take())
    assert segments() == before + 6  # each edit its own small segment, none merged while someone waits
    site.tidy()
    assert segments() < before + 6
    assert site.index.search("distances 5").hits[0].slug == "inertia"
    assert_same(snapshot(site), full_build_of(edits.root, tmp_path))


def test_a_start_reads_the_snapshot_the_last_close_left_if_still_current(edited, settings, tmp_path, caplog):
    site, edits = edited
    site.close()  # leaves its catalog beside the store
    caplog.set_level(logging.INFO, logger="app.content.builder")
    second = open_site(settings, serve=False)
    assert second.update().changed == 0
    assert "from its snapshot" in caplog.text
    edits.edit("misc/t1.md", "title: Twin", "title: Triplet")
    check(second, edits, tmp_path, changed=2)
    # Another process builds after this one closed: its snapshot is of an older store.
    second.close()
    third = open_site(settings, serve=False)
    third.update()
    edits.edit("misc/t1.md", "aliases: [RNN, Fan club]", "aliases: [Fan club]")
    third.update(changed=edits.take())
    caplog.clear()
    fourth = open_site(settings, serve=False)
    fourth.update()
    assert "from the store" in caplog.text
    edits.edit("misc/fan.md", "I like", "I love")
    check(fourth, edits, tmp_path, changed=1)
    # A damaged snapshot is no reason to fail.
    fourth.close()
    third.close()  # behind the store: leaves nothing
    settings.data_dir.joinpath("catalog.snapshot").write_bytes(b"\x00garbage")
    caplog.clear()
    fifth = open_site(settings, serve=False)
    assert fifth.update().changed == 0
    assert "unusable" in caplog.text and "from the store" in caplog.text
    fifth.close()
