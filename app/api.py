"""JSON API: thin routes over the query layer, each with a response model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse

from app.deps import GlossaryDep
from app.queries import MAX_PER_PAGE
from app.schemas import (
    CategoryItem, EntryDetail, EntryPage, Graph, SearchResponse, Status, Suggestion, TagItem,
)

# Routes are async: the query layer answers in about a millisecond, and a thread-pool
# hop per call (FastAPI runs sync routes in threads) cost more than the work itself.
router = APIRouter(prefix="/api", tags=["api"])

Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")]


@router.get("/entries", response_model=EntryPage, summary="List entries")
async def list_entries(
    g: GlossaryDep,
    category: Annotated[str | None, Query(max_length=200, description="Category slug or name")] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Page = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"At most {MAX_PER_PAGE}")] = 50,
):
    return g.list_entries(category=category, tag=tag, page=page, per_page=per_page)


@router.get(
    "/entries/{slug}", response_model=EntryDetail, summary="One entry",
    responses={404: {"description": "No such entry"}, 301: {"description": "An alias: moved to the canonical entry"}},
)
async def get_entry(slug: str, g: GlossaryDep):
    entry = g.get_entry(slug[:200])
    if entry is not None:
        return entry
    canonical = g.resolve(slug[:200])
    if canonical:
        return RedirectResponse(f"/api/entries/{canonical}", status_code=301)
    raise HTTPException(404, detail=f"No entry with slug {slug[:200]!r}")


@router.get("/search", response_model=SearchResponse, summary="Full-text search")
async def search(
    g: GlossaryDep,
    q: Annotated[str, Query(max_length=2000, description="Words, \"phrases\", -exclusions, category:x, tag:x")] = "",
    category: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
):
    return g.search(q, category=category, tag=tag, page=page, limit=limit)


@router.get("/suggest", response_model=list[Suggestion], summary="Title and alias completions")
async def suggest(
    g: GlossaryDep,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
):
    return g.suggest(q, limit)


@router.get("/categories", response_model=list[CategoryItem], summary="Categories with entry counts")
async def categories(g: GlossaryDep):
    return g.categories()


@router.get("/tags", response_model=list[TagItem], summary="Tags with entry counts")
async def tags(g: GlossaryDep):
    return g.tags()


@router.get("/graph", response_model=Graph, summary="Entries and the links between them",
            responses={404: {"description": "No such entry"}})
async def graph(
    g: GlossaryDep,
    slug: Annotated[str | None, Query(max_length=200, description="Only this entry and its neighbours")] = None,
):
    if slug is not None and not g.exists(slug):
        raise HTTPException(404, detail=f"No entry with slug {slug!r}")
    return g.graph(slug)


@router.get("/status", response_model=Status, summary="Counts and the problems of the latest build")
async def status(g: GlossaryDep):
    return g.status()
