"""The HTML search page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.deps import ReaderDep
from app.urls import with_query
from app.web.render import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 10
MAX_PAGES = 100


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    reader: ReaderDep,
    q: str = Query("", max_length=2000),
    category: str | None = Query(None, max_length=200),
    tag: str | None = Query(None, max_length=200),
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGES),
) -> HTMLResponse:
    wanted = q.strip() or category or tag
    result = await reader.ask_search(q, category=category, tag=tag, page=page_no, limit=PER_PAGE) if wanted else None
    params: dict[str, Any] = {"q": q, "category": category, "tag": tag}

    def url(**changes: Any) -> str:
        merged = {**params, **changes}
        if merged.get("page") == 1:
            merged["page"] = None
        return with_query("/search", **merged)

    pages = (result.total + PER_PAGE - 1) // PER_PAGE if result else 0
    return page(
        request,
        "search.html",
        {
            "q": q,
            "result": result,
            "category": category,
            "tag": tag,
            "page_no": page_no,
            "pages": min(pages, MAX_PAGES),
            "url": url,
            "per_page": PER_PAGE,
        },
        json_url=with_query("/api/search", **params, page=page_no),
    )
