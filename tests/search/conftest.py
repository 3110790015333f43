"""Fixtures for search: the index of a small glossary written the way authors write it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from app.search import SearchIndex
from app.site import open_site
from tests.conftest import write_content
from tests.search.written import ENTRIES


def built_index(tmp_path_factory: pytest.TempPathFactory, name: str, files: dict[str, str]) -> Iterator[SearchIndex]:
    """The search index of these files (path -> text), built by the real pipeline; closed after."""
    root = tmp_path_factory.mktemp(name)
    site = open_site(Settings(content_dir=write_content(root / "content", files), data_dir=root / "data"), serve=False)
    site.update()
    yield site.index
    site.close()


def slugs(results) -> list[str]:
    """The slugs of a search's hits, in order."""
    return [h.slug for h in results.hits]


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """The search index of ENTRIES, built by the real pipeline."""
    yield from built_index(tmp_path_factory, "written", ENTRIES)
