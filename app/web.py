"""HTML pages: thin routes that render the query layer's data with Jinja2."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.deps import GlossaryDep

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
router = APIRouter(include_in_schema=False)
PER_PAGE = 10


def page(request: Request, name: str, context: dict, json_url: str | None = None,
         status_code: int = 200) -> HTMLResponse:
    """Render a template; every page names its JSON twin in a Link header and a <link>."""
    context = {"json_url": json_url, "site_name": request.app.state.settings.site_name, **context}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if json_url:
        response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response


def not_found(request: Request, message: str = "") -> HTMLResponse:
    return page(request, "404.html", {"message": message}, status_code=404)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, g: GlossaryDep):
    return page(request, "home.html", {"categories": g.categories(), "starters": g.starters()},
                json_url="/api/categories")


@router.get("/entries/{slug}", response_class=HTMLResponse)
async def entry(slug: str, request: Request, g: GlossaryDep):
    slug = slug[:200]
    item = g.get_entry(slug)
    if item is None:
        canonical = g.resolve(slug)
        if canonical:
            return RedirectResponse(f"/entries/{canonical}", status_code=301)
        return not_found(request, f"There is no entry named “{slug}”.")
    prev, nxt = g.neighbours(slug)
    return page(request, "entry.html", {"entry": item, "prev": prev, "next": nxt},
                json_url=f"/api/entries/{item.slug}")


@router.get("/random")
async def random_entry(g: GlossaryDep):
    slug = g.random_slug()
    return RedirectResponse(f"/entries/{slug}" if slug else "/", status_code=302)


@router.get("/categories", response_class=HTMLResponse)
async def categories(request: Request, g: GlossaryDep):
    return page(request, "categories.html", {"categories": g.categories()}, json_url="/api/categories")


@router.get("/categories/{slug}", response_class=HTMLResponse)
async def category(slug: str, request: Request, g: GlossaryDep):
    cat = g.category(slug[:200])
    if cat is None:
        return not_found(request, f"There is no category named “{slug[:200]}”.")
    entries = g.list_entries(category=cat.slug, per_page=500).items
    return page(request, "category.html", {"category": cat, "entries": entries},
                json_url=f"/api/entries?category={cat.slug}&per_page=500")


@router.get("/tags", response_class=HTMLResponse)
async def tags(request: Request, g: GlossaryDep):
    return page(request, "tags.html", {"tags": g.tags()}, json_url="/api/tags")


@router.get("/tags/{tag}", response_class=HTMLResponse)
async def tag(tag: str, request: Request, g: GlossaryDep):
    found = g.tag(tag[:200])
    if found is None:
        return not_found(request, f"No entry is tagged “{tag[:200]}”.")
    entries = g.list_entries(tag=found.name, per_page=500).items
    return page(request, "tag.html", {"tag": found, "entries": entries},
                json_url=f"/api/entries?tag={found.name}&per_page=500")


@router.get("/az", response_class=HTMLResponse)
async def az(request: Request, g: GlossaryDep):
    return page(request, "az.html", {"groups": g.az()}, json_url="/api/entries?per_page=500")


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    g: GlossaryDep,
    q: str = Query("", max_length=2000),
    category: str | None = Query(None, max_length=200),
    tag: str | None = Query(None, max_length=200),
    page_no: int = Query(1, alias="page", ge=1, le=100),
):
    result = g.search(q, category=category, tag=tag, page=page_no, limit=PER_PAGE) if q.strip() or category or tag else None
    params = {k: v for k, v in {"q": q, "category": category, "tag": tag}.items() if v}

    def url(**changes) -> str:
        merged = {**params, **changes}
        return "/search?" + urlencode({k: v for k, v in merged.items() if v not in (None, "", 1)})

    pages = (result.total + PER_PAGE - 1) // PER_PAGE if result else 0
    return page(
        request, "search.html",
        {"q": q, "result": result, "category": category, "tag": tag, "page_no": page_no,
         "pages": min(pages, 100), "url": url, "per_page": PER_PAGE},
        json_url="/api/search?" + urlencode({**params, "page": page_no}),
    )


@router.get("/graph", response_class=HTMLResponse)
async def graph(request: Request):
    return page(request, "graph.html", {}, json_url="/api/graph")


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request):
    return page(request, "docs.html", {}, json_url="/openapi.json")
