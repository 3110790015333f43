"""Every address the site writes, built in one place (pages, API, rendered links, templates)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from app.content.pipeline.parse import slugify


def _segment(value: str) -> str:
    return quote(value, safe="")


def entry_url(slug: str, anchor: str = "") -> str:
    return f"/entries/{_segment(slug)}" + (f"#{quote(anchor, safe='-_.~%')}" if anchor else "")


def api_entry_url(slug: str) -> str:
    return f"/api/entries/{_segment(slug)}"


def category_url(slug: str) -> str:
    return f"/categories/{_segment(slug)}"


def tag_slug(tag: str) -> str:
    return slugify(tag) or tag


def tag_url(tag: str) -> str:
    return f"/tags/{_segment(tag_slug(tag))}"


def api_search_url(q: str, category: str | None, tag: str | None, page: int, limit: int, exact: bool = False) -> str:
    return with_query(
        "/api/search", q=q, category=category, tag=tag, page=page, limit=limit, exact="true" if exact else None
    )


def path_url(slug: str) -> str:
    return f"/paths/{_segment(slug)}"


def entry_in_path_url(slug: str, path_slug: str) -> str:
    """An entry opened as a step of a path: its page shows the path's previous and next steps."""
    return f"{entry_url(slug)}?path={quote(path_slug, safe='')}"


def with_query(path: str, **params: object) -> str:
    """path?params, leaving out parameters that are None or empty."""
    kept = {k: v for k, v in params.items() if v is not None and v != ""}
    return f"{path}?{urlencode(kept)}" if kept else path


def api_entries_url(
    category: str | None = None, tag: str | None = None, page: int | None = None, per_page: int | None = None
) -> str:
    return with_query("/api/entries", category=category, tag=tag, page=page, per_page=per_page)
