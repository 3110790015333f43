"""Full-text search: the only package that imports whoosh, so the engine stays swappable."""

from app.search.completion import Completion
from app.search.index import Hit, SearchIndex, SearchResults

__all__ = ["Completion", "Hit", "SearchIndex", "SearchResults"]
