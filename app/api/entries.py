"""Entries, categories, tags and the link graph as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse

from app import urls
from app.content.reader import MAX_PER_PAGE
from app.deps import ReaderDep
from app.schemas import CategoryItem, EntryDetail, EntryPage, Graph, TagItem

router = APIRouter()
Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")]


@router.get("/entries", response_model=EntryPage, summary="List entries")
def list_entries(
    reader: ReaderDep,
    category: Annotated[str | None, Query(max_length=200, description="Category slug or name")] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Page = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"At most {MAX_PER_PAGE}")] = 50,
) -> EntryPage:
    return reader.list_entries(category=category, tag=tag, page=page, per_page=per_page)


@router.get(
    "/entries/{slug}",
    response_model=EntryDetail,
    summary="One entry",
    responses={404: {"description": "No such entry"}, 301: {"description": "An alias: moved to the canonical entry"}},
)
async def get_entry(slug: str, reader: ReaderDep) -> EntryDetail | RedirectResponse:
    entry = await reader.ask(reader.get_entry, slug[:200])  # from memory, or in a worker thread
    if entry is not None:
        return entry
    canonical = await reader.ask(reader.resolve, slug[:200])
    if canonical:
        return RedirectResponse(urls.api_entry_url(canonical), status_code=301)
    raise HTTPException(404, detail=f"No entry with slug {slug[:200]!r}")


@router.get("/categories", response_model=list[CategoryItem], summary="Categories with entry counts")
def categories(reader: ReaderDep) -> list[CategoryItem]:
    return reader.categories()


@router.get("/tags", response_model=list[TagItem], summary="Tags with entry counts")
def tags(reader: ReaderDep) -> list[TagItem]:
    return reader.tags()


@router.get(
    "/graph",
    response_model=Graph,
    summary="Entries and the links between them",
    responses={404: {"description": "No such entry"}},
)
def graph(
    reader: ReaderDep,
    slug: Annotated[str | None, Query(max_length=200, description="Only this entry and its neighbours")] = None,
) -> Graph:
    if slug is not None and not reader.exists(slug):
        raise HTTPException(404, detail=f"No entry with slug {slug!r}")
    return reader.graph(slug)
