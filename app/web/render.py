"""Templates and the page helpers every HTML route uses."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette import staticfiles
from starlette.responses import Response
from starlette.types import Scope

from app import urls
from app.accounts.web import FormToken

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC = TEMPLATES.parent / "static"


@functools.cache
def static_url(name: str) -> str:
    """A static file's address with its content's fingerprint: cached for a year by browsers,
    and a changed file gets a new address. Computed once per process."""
    digest = hashlib.blake2b((STATIC / name).read_bytes(), digest_size=5).hexdigest()
    return f"/static/{name}?v={digest}"


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals.update(
    static_url=static_url,
    entry_url=urls.entry_url,
    category_url=urls.category_url,
    tag_url=urls.tag_url,
)


class StaticFiles(staticfiles.StaticFiles):
    """static/, where an address with a fingerprint (static_url) never changes its content:
    browsers keep it a year without asking; other addresses are revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        fingerprinted = b"v=" in scope.get("query_string", b"") and response.status_code == 200
        response.headers["cache-control"] = "public, max-age=31536000, immutable" if fingerprinted else "no-cache"
        return response


def page(
    request: Request, name: str, context: dict[str, Any], json_url: str | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a template; every page names its JSON twin in a Link header and a <link>."""
    site_name = request.app.state.site.settings.site_name
    form_token = FormToken(request)
    context = {
        "json_url": json_url,
        "site_name": site_name,
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": form_token,
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    form_token.set_cookie(response)
    if json_url:
        response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response


def not_found(request: Request, message: str = "", closest: Sequence[object] = (), query: str = "") -> HTMLResponse:
    """closest: entries the reader may have meant; query: the search box's text."""
    return page(request, "404.html", {"message": message, "closest": closest, "query": query}, status_code=404)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", {"title": title, "message": message}, status_code=status_code)
