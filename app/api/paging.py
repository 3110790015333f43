"""What the listing routes share: one page size under either name, filters that must name
something, and a page past the last refused with the last page's number."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query

from app.content.pipeline.parse import slugify
from app.content.reader import ContentReader
from app.urls import tag_slug

Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")]


def per_size(first: int | None, second: int | None, default: int) -> int:
    """`limit` and `per_page` name the same thing; the route's own name (first) wins."""
    return first or second or default


async def filters_exist(reader: ContentReader, category: str | None, tag: str | None) -> None:
    """A category or tag that does not exist is a 404 that says so, not an empty list. Both
    lists are in memory after the first request of a build."""
    if category is not None and slugify(category) not in {c.slug for c in await reader.ask(reader.categories)}:
        raise HTTPException(404, f"there is no category {category!r}; GET /api/categories lists them")
    tags = await reader.ask(reader.tags) if tag is not None else []
    if tag is not None and not any(t.slug == tag_slug(tag) or t.name == tag.lower() for t in tags):
        raise HTTPException(404, f"no entry is tagged {tag!r}; GET /api/tags lists the tags")


def past_the_end(page: int, size: int, total: int) -> None:
    if page > 1 and (page - 1) * size >= total:
        last = max(1, -(-total // size))
        raise HTTPException(404, f"page {page} is past the last page ({last}, at {size} per page, {total} in all)")
