"""The HTML search page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.deps import ReaderDep
from app.schemas import SearchResponse
from app.urls import with_query
from app.web.render import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 10
MAX_PAGES = 100
SHOWN_AS_TYPED = 20  # characters of an unusable page number repeated back in the notice


def asked_page(raw: str) -> int | None:
    """The page number in the address, or None when it is not a whole number. A person
    edits this by hand, so it is read leniently here and judged against the results later."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        return None
    # Digits beyond any page there can be: compared as a number, never converted in full.
    return int(text) if len(text) <= 9 else 10**9


def page_notice(raw: str, asked: int | None, shown: int, pages: int) -> str | None:
    """What to say when the page shown is not the page asked for; None when it is."""
    if asked == shown or (asked is None and not raw.strip()):
        return None
    typed = raw.strip() if len(raw.strip()) <= SHOWN_AS_TYPED else raw.strip()[:SHOWN_AS_TYPED] + "…"
    which = "the only one" if pages == 1 else "the last" if shown == pages else "the first"
    return f"There is no page {typed}; showing page {shown}, {which}"


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    reader: ReaderDep,
    q: str = Query("", max_length=2000),
    category: str | None = Query(None, max_length=200),
    tag: str | None = Query(None, max_length=200),
    # A string, not an int: a bad page number shows the nearest page, not an error page.
    page_raw: str = Query("", alias="page", max_length=200),
    exact: str = Query("", max_length=10),
) -> HTMLResponse:
    # "Search instead for …" links here with exact=1: the words as typed, no typo correction.
    verbatim = exact.strip().lower() in ("1", "true", "yes", "on")
    wanted = q.strip() or category or tag
    asked = asked_page(page_raw)
    page_no = min(max(asked or 1, 1), MAX_PAGES)

    async def results_on(number: int) -> SearchResponse:
        return await reader.ask_search(q, category=category, tag=tag, page=number, limit=PER_PAGE, exact=verbatim)

    result = await results_on(page_no) if wanted else None
    pages = min((result.total + PER_PAGE - 1) // PER_PAGE, MAX_PAGES) if result else 0
    if result is not None and pages and page_no > pages:  # past the last: show the last
        page_no = pages
        result = await results_on(page_no)
    notice = page_notice(page_raw, asked, page_no, pages) if pages else None
    params: dict[str, Any] = {"q": q, "category": category, "tag": tag, "exact": 1 if verbatim else None}

    def url(**changes: Any) -> str:
        merged = {**params, **changes}
        if merged.get("page") == 1:
            merged["page"] = None
        return with_query("/search", **merged)

    return page(
        request,
        "search.html",
        {
            "q": q,
            "result": result,
            "category": category,
            "tag": tag,
            "page_no": page_no,
            "pages": pages,
            "page_notice": notice,
            "url": url,
            "per_page": PER_PAGE,
        },
        json_url=with_query("/api/search", **params, page=page_no),
    )
