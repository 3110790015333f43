"""Full-text search and search-box completions as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from app.api.paging import Page, filters_exist, past_the_end, per_size
from app.deps import ReaderDep
from app.schemas import SearchResponse, Suggestion
from app.search.index import MAX_RESULTS_WINDOW
from app.urls import api_search_url

router = APIRouter()


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Full-text search",
    description=(
        "Words that match nothing but are a typo or two from a word of the glossary are searched as that "
        "word, and the response gives the query searched as corrected. With exact=true the words are "
        "searched as typed, and a respelling that would find entries is offered as suggestion instead."
    ),
    responses={404: {"description": "No such category or tag, or a page past the last"}},
)
async def search(
    reader: ReaderDep,
    q: Annotated[
        str,
        Query(max_length=2000, description='Words, "phrases", -exclusions, category:x, tag:x, category:"two words"'),
    ] = "",
    category: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Page = 1,
    limit: Annotated[int | None, Query(ge=1, le=100, description="Results per page (10)")] = None,
    per_page: Annotated[int | None, Query(ge=1, le=100, description="The same as limit")] = None,
    exact: Annotated[bool, Query(description="Search the words as typed: correct no typos")] = False,
) -> SearchResponse:
    size = per_size(limit, per_page, 10)
    if page * size > MAX_RESULTS_WINDOW:
        raise HTTPException(404, f"search pages reach the first {MAX_RESULTS_WINDOW} results; narrow the query instead")
    await filters_exist(reader, category, tag)
    # From memory on the event loop when the results are there, else in a worker thread.
    found = await reader.ask_search(q, category=category, tag=tag, page=page, limit=size, exact=exact)
    past_the_end(page, size, found.total)
    next_url = api_search_url(q, category, tag, page + 1, size, exact) if page * size < found.total else None
    return found.model_copy(update={"per_page": size, "next_url": next_url})


@router.get("/suggest", response_model=list[Suggestion], summary="Title and alias completions")
def suggest(
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[Suggestion]:
    return reader.suggest(q, limit)
