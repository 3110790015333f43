"""Full-text search: the only package that imports whoosh, so the engine stays swappable."""

from app.search.index import Hit, SearchIndex, SearchResults, Suggestion

__all__ = ["Hit", "SearchIndex", "SearchResults", "Suggestion"]
