"""HTML pages for reading: home, entries, categories, tags, the A–Z index and the graph."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app import urls
from app.content.paths import Place
from app.content.reader import ContentReader
from app.deps import ReaderDep
from app.web.paths import opened
from app.web.progress import entry_standing
from app.web.render import not_found, page

router = APIRouter(include_in_schema=False)
LISTED = 500  # entries listed on a category or tag page


@router.get("/", response_class=HTMLResponse)
def home(request: Request, reader: ReaderDep) -> HTMLResponse:
    return page(
        request,
        "home.html",
        {"categories": reader.categories(), "starters": reader.starters()},
        json_url="/api/categories",
    )


# The most visited page: async, answered from memory on the event loop when it can be; what must
# be computed or read from the database runs in a worker thread (ReaderDep.ask).
@router.get("/entries/{slug}", response_class=HTMLResponse, response_model=None)
async def entry(
    slug: str, request: Request, reader: ReaderDep, path: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse | RedirectResponse:
    slug = slug[:200]
    item = await reader.ask(reader.get_entry, slug)
    if item is None:
        canonical = await reader.ask(reader.resolve, slug)
        if canonical:
            return RedirectResponse(urls.entry_url(canonical), status_code=301)
        return await _no_such_entry(request, reader, slug)
    prev, nxt = await reader.ask(reader.neighbours, slug)
    place, standing = None, None
    if path or getattr(request.state, "viewer", None):  # readers without either stay on the event loop
        place, standing = await anyio.to_thread.run_sync(_for_the_reader, request, item.slug, path)
    return page(
        request,
        "entry.html",
        {"entry": item, "prev": prev, "next": nxt, "place": place, "standing": standing},
        json_url=urls.api_entry_url(item.slug),
    )


async def _no_such_entry(request: Request, reader: ContentReader, slug: str) -> HTMLResponse:
    """A mistyped address: the closest entries by the search's own typo rules, and the search
    box filled with the words of the address."""
    words = " ".join(slug.replace("-", " ").replace("_", " ").split())[:100]
    closest = (await reader.ask_search(words, limit=5)).results if words else []
    return not_found(request, f"There is no entry named “{slug}”.", closest=closest, query=words)


def _for_the_reader(request: Request, slug: str, path: str) -> tuple[Place | None, dict[str, object] | None]:
    """What an entry page shows of its reader, in one worker thread: where it stands in the path
    it was opened from (and the learner has now read it), and the learner's standing on it."""
    return opened(request, slug, path), entry_standing(request, slug)


@router.get("/random")
def random_entry(reader: ReaderDep) -> RedirectResponse:
    slug = reader.random_slug()
    return RedirectResponse(urls.entry_url(slug) if slug else "/", status_code=302)


@router.get("/categories", response_class=HTMLResponse)
def categories(request: Request, reader: ReaderDep) -> HTMLResponse:
    return page(request, "categories.html", {"categories": reader.categories()}, json_url="/api/categories")


@router.get("/categories/{slug}", response_class=HTMLResponse)
def category(slug: str, request: Request, reader: ReaderDep) -> HTMLResponse:
    cat = reader.category(slug[:200])
    if cat is None:
        return not_found(request, f"There is no category named “{slug[:200]}”.")
    entries = reader.list_entries(category=cat.slug, per_page=LISTED).items
    return page(
        request,
        "category.html",
        {"category": cat, "entries": entries},
        json_url=urls.api_entries_url(category=cat.slug, per_page=LISTED),
    )


@router.get("/tags", response_class=HTMLResponse)
def tags(request: Request, reader: ReaderDep) -> HTMLResponse:
    return page(request, "tags.html", {"tags": reader.tags()}, json_url="/api/tags")


@router.get("/tags/{tag}", response_class=HTMLResponse)
def tag(tag: str, request: Request, reader: ReaderDep) -> HTMLResponse:
    found = reader.tag(tag[:200])
    if found is None:
        return not_found(request, f"No entry is tagged “{tag[:200]}”.")
    entries = reader.list_entries(tag=found.name, per_page=LISTED).items
    return page(
        request,
        "tag.html",
        {"tag": found, "entries": entries},
        json_url=urls.api_entries_url(tag=found.name, per_page=LISTED),
    )


@router.get("/az", response_class=HTMLResponse)
def az(request: Request, reader: ReaderDep) -> HTMLResponse:
    return page(request, "az.html", {"groups": reader.az()}, json_url=urls.api_entries_url(per_page=LISTED))


@router.get("/graph", response_class=HTMLResponse)
def graph(request: Request) -> HTMLResponse:
    return page(request, "graph.html", {}, json_url="/api/graph")
