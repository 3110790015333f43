"""ASGI middleware: security headers on every response, HEAD answered like GET, and
revalidation of what every visitor sees alike."""

import hashlib
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.web import CSRF_COOKIE, SESSION_COOKIE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes in its markup; it still runs no inline script.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Plain ASGI middleware: it adds headers without buffering streamed bodies."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") == "/docs/try" else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"content-security-policy"]
                headers += [(b"content-security-policy", csp.encode()), *HEADERS]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """Answer HEAD like GET without the body (curl -I, link checkers, crawlers)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)


# Pages and API routes whose answer, for a visitor without a session or token, is the same for
# everyone until the next build: revalidated by an ETag made of the build generation.
SHARED_EXACT = frozenset(
    {"/", "/categories", "/tags", "/az", "/graph", "/search", "/paths", "/docs", "/sitemap.xml", "/feed.xml"}
)
SHARED_PREFIXES = (
    "/entries/",
    "/categories/",
    "/tags/",
    "/paths/",
    "/api/entries",
    "/api/search",
    "/api/suggest",
    "/api/categories",
    "/api/tags",
    "/api/graph",
    "/api/paths",
)


def shared(path: str) -> bool:
    return path in SHARED_EXACT or path.startswith(SHARED_PREFIXES)


class ConditionalGet:
    """ETag and If-None-Match for what is the same for every visitor until the next build:
    a repeat visit is answered 304 before any page is computed. Learners' pages (a session or
    an API token) vary with their study, so they are never given one."""

    def __init__(self, app: ASGIApp, generation: Callable[[], str]):
        self.app = app
        self.generation = generation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not shared(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = headers.get("cookie", "")
        if "authorization" in headers or f"{SESSION_COOKIE}=" in cookies:
            await self.app(scope, receive, send)
            return
        # The CSRF cookie is part of it: a page's forms carry that cookie's token.
        csrf = next((c.split("=", 1)[1] for c in cookies.split("; ") if c.startswith(f"{CSRF_COOKIE}=")), "")
        key = f"{self.generation()}\x00{scope['path']}?{scope.get('query_string', b'').decode('latin-1')}\x00{csrf}"
        etag = f'W/"{hashlib.blake2b(key.encode(), digest_size=12).hexdigest()}"'
        if etag in [t.strip() for t in headers.get("if-none-match", "").split(",")]:
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                kept = [h for h in message.get("headers", []) if h[0] not in (b"etag", b"cache-control")]
                message["headers"] = [*kept, (b"etag", etag.encode()), (b"cache-control", b"no-cache")]
            await send(message)

        await self.app(scope, receive, tagged)
