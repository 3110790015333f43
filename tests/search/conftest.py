"""Fixtures for search: the index of a small glossary written the way authors write it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from app.search import SearchIndex
from app.site import open_site
from tests.conftest import write_content
from tests.search.written import ENTRIES


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """The search index of ENTRIES, built by the real pipeline."""
    root = tmp_path_factory.mktemp("written")
    site = open_site(
        Settings(content_dir=write_content(root / "content", ENTRIES), data_dir=root / "data"), serve=False
    )
    site.update()
    yield site.index
    site.close()
