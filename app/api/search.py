"""Full-text search and search-box completions as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import ReaderDep
from app.schemas import SearchResponse, Suggestion

router = APIRouter()


@router.get("/search", response_model=SearchResponse, summary="Full-text search")
async def search(
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=2000, description='Words, "phrases", -exclusions, category:x, tag:x')] = "",
    category: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SearchResponse:
    # From memory on the event loop when the results are there, else in a worker thread.
    return await reader.ask_search(q, category=category, tag=tag, page=page, limit=limit)


@router.get("/suggest", response_model=list[Suggestion], summary="Title and alias completions")
def suggest(
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[Suggestion]:
    return reader.suggest(q, limit)
