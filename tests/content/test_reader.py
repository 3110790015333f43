"""The read service, directly: what pages and the API are built from."""

from __future__ import annotations

from app.content.decks import DeckReader
from app.content.reader import ContentReader
from tests.conftest import write_content


def reader_on(site) -> ContentReader:
    site.update()
    return site.reader


def test_entries_are_listed_by_title_with_encoded_next_links(site, content_dir):
    write_content(
        content_dir,
        {
            "r-and-d/a.md": "---\ntitle: Alpha\ncategory: R & D\ntags: [x y]\n---\nA.\n",
            "r-and-d/b.md": "---\ntitle: Beta\ncategory: R & D\ntags: [x y]\n---\nB.\n",
        },
    )
    reader = reader_on(site)
    first = reader.list_entries(category="R & D", per_page=1)
    assert first.total == 2 and [i.slug for i in first.items] == ["a"]
    assert first.next_url == "/api/entries?category=R+%26+D&page=2&per_page=1"
    assert [i.slug for i in reader.list_entries(tag="x y", per_page=1, page=2).items] == ["b"]
    assert reader.list_entries(tag="x y", per_page=1).next_url == "/api/entries?tag=x+y&page=2&per_page=1"


def test_entry_detail_has_links_backlinks_and_related(site):
    reader = reader_on(site)
    entry = reader.get_entry("inertia")
    assert [r.slug for r in entry.links] == ["k-means"]
    assert [r.slug for r in entry.backlinks] == ["k-means"]
    # Related: close by tags, category and shared links, but not already linked either way.
    assert [r.slug for r in entry.related][:1] == ["hierarchical-clustering"]
    assert not {r.slug for r in entry.related} & {"k-means"}
    assert entry.url == "/entries/inertia"
    assert reader.get_entry("nothing-here") is None


def test_names_resolve_in_any_spelling(site):
    reader = reader_on(site)
    for name in ("K-Means", "k_means", "K.Means", "kmeans", "KMC", "k-means clustering"):
        assert reader.resolve(name) == "k-means", name
    assert reader.resolve("WCSS") == "inertia"
    assert reader.resolve("no such thing") is None
    assert reader.resolve("---") is None


def test_categories_tags_and_counts(site):
    reader = reader_on(site)
    assert {c.slug: c.count for c in reader.categories()} == {"clustering": 3, "data": 1, "deep-learning": 2}
    assert {t.name: t.count for t in reader.tags()}["clustering"] == 3
    assert reader.tag("Clustering").url == "/tags/clustering"
    status = reader.status()
    assert (status.entries, status.categories, status.links, status.unresolved_links) == (6, 3, 9, 0)


def test_reads_are_cached_until_the_next_build(site, content_dir):
    reader = reader_on(site)
    first = reader.get_entry("inertia")
    assert reader.get_entry("inertia") is first  # cached
    path = content_dir / "clustering/inertia.md"
    path.write_text(path.read_text().replace("sum of squared", "total of squared"))
    site.update()
    fresh = reader.get_entry("inertia")
    assert fresh is not first and "total of squared" in fresh.markdown


def test_study_decks_are_kept_while_edits_change_only_text_and_reread_when_cards_change(site, content_dir):
    decks = DeckReader(reader_on(site))
    first = decks.index()
    path = content_dir / "clustering/inertia.md"
    path.write_text(path.read_text() + "\nOne more sentence, far below the summary.\n")
    site.update()
    assert site.reader.get_entry("inertia").html.count("One more sentence") == 1
    assert decks.index() is first  # the same cards, links and names: nothing to reread
    path.write_text(path.read_text().replace("title: Inertia", "title: Inertia (WCSS)"))
    site.update()
    renamed = decks.index()
    assert renamed is not first and renamed.titles["inertia"] == "Inertia (WCSS)"
    path.write_text(path.read_text() + "\nWhat does inertia add up?::The squared distances to each centroid.\n")
    site.update()
    assert len(decks.index().of_entries({"inertia"})) == len(renamed.of_entries({"inertia"})) + 1
