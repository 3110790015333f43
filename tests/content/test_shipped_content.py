"""Guards for the shipped glossary in content/: it builds clean and every name finds its entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.content.builder import check_content
from app.content.pipeline.compile import compile_content
from app.names import name_key

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SEEDS_CHECK = ROOT.parent / "shared" / "tools" / "check_copying.py"


@pytest.fixture(scope="module")
def compiled():
    return compile_content(CONTENT)


def test_shipped_content_builds_without_problems(compiled):
    report, _ = check_content(CONTENT)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert len(compiled.docs) >= 200
    assert 10 <= len(compiled.categories) <= 15


def test_every_entry_has_front_matter_and_links(compiled):
    for doc in compiled.docs.values():
        meta = yaml.safe_load((CONTENT / doc.path).read_text().split("---")[1])
        assert meta.get("title") and meta.get("category") and meta.get("summary"), doc.path
        assert len(meta["summary"]) <= 220, doc.path
        assert len({link.slug for link in doc.links} - {doc.slug}) >= 3, doc.path
        assert 80 <= len(doc.text.split()) <= 700, doc.path


@pytest.mark.skipif(not SEEDS_CHECK.exists(), reason="the seed notes are not beside this checkout")
def test_content_is_in_our_own_words():
    result = subprocess.run([sys.executable, str(SEEDS_CHECK), str(CONTENT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_every_title_and_alias_finds_its_entry(client_on_shipped):
    index = client_on_shipped
    compiled = compile_content(CONTENT)
    misses = []
    for doc in compiled.docs.values():
        for name in [doc.title, *doc.aliases]:
            if not name_key(name):
                continue
            top = [h.slug for h in index.search(name, limit=3).hits]
            if doc.slug not in top:
                misses.append(f"{name!r} -> {top} (want {doc.slug})")
    assert not misses, "\n".join(misses)


@pytest.fixture(scope="module")
def client_on_shipped(tmp_path_factory):
    from app.config import Settings
    from app.site import open_site

    site = open_site(Settings(content_dir=CONTENT, data_dir=tmp_path_factory.mktemp("shipped")), serve=False)
    site.update()
    yield site.index
    site.close()
