"""Files crawlers and feed readers expect: sitemap.xml, robots.txt, an Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from app.deps import ReaderDep, SettingsDep

router = APIRouter(include_in_schema=False)


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request) -> str:
    base = str(request.base_url).rstrip("/")
    return f"User-agent: *\nDisallow: /search\nDisallow: /random\nSitemap: {base}/sitemap.xml\n"


@router.get("/sitemap.xml")
def sitemap(request: Request, reader: ReaderDep) -> Response:
    base = str(request.base_url).rstrip("/")
    urls: list[tuple[str, str | None]] = [(f"{base}/", None), (f"{base}/categories", None), (f"{base}/az", None)]
    urls += [(f"{base}{c.url}", None) for c in reader.categories()]
    urls += [(f"{base}{e.url}", _iso(updated)) for e, updated in reader.recent(limit=None)]
    body = "".join(
        f"<url><loc>{escape(loc)}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>" for loc, mod in urls
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n'
    )
    return Response(xml, media_type="application/xml")


@router.get("/feed.xml")
def feed(request: Request, reader: ReaderDep, settings: SettingsDep) -> Response:
    base = str(request.base_url).rstrip("/")
    name = settings.site_name
    recent = reader.recent(limit=30)
    newest = _iso(recent[0][1]) if recent else _iso(datetime.now(UTC))
    entries = "".join(
        f'<entry><title>{escape(e.title)}</title><link href="{escape(base + e.url)}"/>'
        f"<id>{escape(base + e.url)}</id><updated>{_iso(updated)}</updated>"
        f'<category term="{escape(e.category)}"/><summary>{escape(e.summary)}</summary></entry>'
        for e, updated in recent
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(name)}: recently changed entries</title>"
        f'<link href="{escape(base)}/"/><link rel="self" href="{escape(base)}/feed.xml"/>'
        f"<id>{escape(base)}/</id><updated>{newest}</updated>{entries}</feed>\n"
    )
    return Response(xml, media_type="application/atom+xml")


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)
