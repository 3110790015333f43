"""Entries, categories, tags and the link graph as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, RedirectResponse

from app import urls
from app.api.paging import Page, filters_exist, past_the_end, per_size
from app.content.reader import MAX_PER_PAGE
from app.deps import ReaderDep
from app.schemas import CategoryItem, EntryDetail, EntryPage, Graph, TagItem

router = APIRouter()
_NAMES = "|".join(EntryDetail.model_fields)
FIELDS = f"^({_NAMES})(,({_NAMES}))*$"  # unknown names are refused by validation, with the schema saying so


@router.get(
    "/entries",
    response_model=EntryPage,
    summary="List entries",
    responses={404: {"description": "No such category or tag, or a page past the last"}},
)
async def list_entries(
    reader: ReaderDep,
    category: Annotated[str | None, Query(max_length=200, description="Category slug or name")] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Page = 1,
    per_page: Annotated[int | None, Query(ge=1, le=MAX_PER_PAGE, description=f"At most {MAX_PER_PAGE} (50)")] = None,
    limit: Annotated[int | None, Query(ge=1, le=MAX_PER_PAGE, description="The same as per_page")] = None,
) -> EntryPage:
    size = per_size(per_page, limit, 50)
    await filters_exist(reader, category, tag)
    found = await reader.ask(reader.list_entries, category=category, tag=tag, page=page, per_page=size)
    past_the_end(page, size, found.total)
    return found


@router.get(
    "/entries/{slug}",
    response_model=EntryDetail,
    summary="One entry",
    responses={404: {"description": "No such entry"}, 301: {"description": "An alias: moved to the canonical entry"}},
)
async def get_entry(
    slug: str,
    reader: ReaderDep,
    fields: Annotated[
        str | None,
        Query(max_length=300, pattern=FIELDS, description="Only these fields, comma-separated (title,summary)"),
    ] = None,
) -> EntryDetail | RedirectResponse | JSONResponse:
    wanted = _fields(fields)
    entry = await reader.ask(reader.get_entry, slug[:200])  # from memory, or in a worker thread
    if entry is not None:
        return JSONResponse(entry.model_dump(mode="json", include=wanted)) if wanted else entry
    canonical = await reader.ask(reader.resolve, slug[:200])
    if canonical:
        target = urls.api_entry_url(canonical)
        return RedirectResponse(urls.with_query(target, fields=fields), status_code=301)
    raise HTTPException(404, detail=f"No entry with slug {slug[:200]!r}")


def _fields(text: str | None) -> set[str] | None:
    """The fields a client asked for (a preview needs a title and a line, not the whole entry)."""
    return set(text.split(",")) if text else None


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
