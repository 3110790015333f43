"""Study paths: files in content/_paths that name entries in order."""

from __future__ import annotations

from app.content.build_report import check_content
from app.content.pipeline.paths import load_paths
from tests.conftest import write_content


def test_a_path_lists_its_entries_in_order_by_any_name(content_dir):
    write_content(
        content_dir,
        {
            "_paths/clusters.yml": """\
        title: Clustering in an afternoon
        summary: From distances to choosing k.
        sections:
          - title: First ideas
            entries: [feature-scaling, K-Means Clustering]
          - title: Measuring it
            entries:
              - WCSS
        """
        },
    )
    report, compiled = check_content(content_dir)
    assert report.problems == []
    paths, problems = load_paths(content_dir, compiled.resolver.resolve)
    assert problems == []
    [path] = paths
    assert (path.slug, path.title, path.summary) == (
        "clusters",
        "Clustering in an afternoon",
        "From distances to choosing k.",
    )
    assert [s.title for s in path.sections] == ["First ideas", "Measuring it"]
    assert path.entries == ["feature-scaling", "k-means", "inertia"]


def test_a_broken_path_is_reported_with_file_and_line(content_dir):
    write_content(
        content_dir,
        {
            "_paths/broken.yml": (
                "title: Broken\nsections:\n  - title: One\n    entries:\n"
                "      - k-means\n      - no-such-entry\n      - kmeans\n  - title: Empty\n"
            ),
            "_paths/garbage.yml": "title: [unclosed\n",
            "_paths/untitled.yml": "sections: []\n",
        },
    )
    report, _ = check_content(content_dir)
    assert [str(p) for p in report.problems] == [
        "_paths/broken.yml:6: study path names no entry 'no-such-entry'",
        "_paths/broken.yml:7: 'kmeans' is already in this path",
        "_paths/broken.yml:8: section 'Empty' has no entries",
        "_paths/garbage.yml:2: malformed study path: expected ',' or ']', but got '<stream end>'",
        "_paths/untitled.yml:1: study path has no title",
    ]


def test_description_is_read_and_summary_is_its_synonym(content_dir):
    write_content(
        content_dir,
        {
            "_paths/both.yml": """\
        title: Both spellings
        description: Written as the issue asks.
        sections:
          - title: One
            summary: Written as the first paths were.
            entries: [k-means]
        """
        },
    )
    report, compiled = check_content(content_dir)
    [path], problems = load_paths(content_dir, compiled.resolver.resolve)
    assert problems == [] and report.problems == []
    assert (path.summary, path.sections[0].summary) == (
        "Written as the issue asks.",
        "Written as the first paths were.",
    )
