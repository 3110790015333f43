"""ASGI middleware: security headers on every response, HEAD answered like GET,
revalidation of what every visitor sees alike, and a request id, a log line and metrics for
every request."""

import hashlib
import re
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import logs
from app.accounts.web import CSRF_COOKIE, SESSION_COOKIE
from app.metrics import BEFORE_ROUTING, UNMATCHED, Metrics

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


# Where RouteTemplate leaves the route for Telemetry: a list, so that the copies of the scope
# some middleware make (HeadAsGet) still share it.
ROUTED = "glossa.routed"
REQUEST_ID = "glossa.request_id"


def template_of(scope: Scope) -> str | None:
    """The template of the route that answered (/api/entries/{slug}, not the path), or None.

    The router leaves the route in the scope, but a route of an included router knows only its
    own part (/entries/{slug}); the prefix before it (/api) is the part of the path in front of
    what that part matches. Only a prefix without parameters is kept, so the labels made from
    it stay as few as the routes."""
    route = scope.get("route")
    own = getattr(route, "path_format", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(own, str) or not isinstance(regex, re.Pattern):
        return None
    path: str = scope["path"]
    if regex.match(path) or set(scope.get("path_params", {})) - set(getattr(route, "param_convertors", {})):
        return own  # no prefix, or one with parameters of its own
    cut = path.find("/", 1)
    while cut != -1:
        if regex.match(path[cut:]):
            return path[:cut] + own
        cut = path.find("/", cut + 1)
    return own


class RouteTemplate:
    """Innermost: once the router has run, note the template of the route it chose, or None
    when no route matched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        try:
            await self.app(scope, receive, send)
        finally:
            routed = scope.get(ROUTED)
            if routed is not None:
                mounted = scope.get("root_path", "")
                if "route" not in scope and mounted != root and mounted.startswith(root):
                    # A mounted app (/static): the router names no route, but moves the root.
                    routed.append(mounted[len(root) :] + "/{path}")
                else:
                    routed.append(template_of(scope))


class Telemetry:
    """Outermost but for the proxy headers (so the client address is the one they vouch for):
    a request id taken from X-Request-ID when sane or made here, echoed in the answer; then one
    log line and the metrics of the request, by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = logs.request_id(Headers(scope=scope).get("x-request-id"))
        # Not reset afterwards: an unhandled error is logged by Starlette outside this
        # middleware, still in this request's task, and should name the request too.
        logs.REQUEST_ID.set(rid)
        scope[REQUEST_ID] = rid
        routed: list[str | None] = []
        scope[ROUTED] = routed
        status = 500  # unless an answer starts
        header = (b"x-request-id", rid.encode())

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        error: Exception | None = None
        try:
            await self.app(scope, receive, tagged)
        except Exception as err:
            error = err
            raise
        finally:
            seconds = time.perf_counter() - started
            # Nothing routed: answered by a middleware (a 304 from ConditionalGet, a preflight).
            route = (routed[0] or UNMATCHED) if routed else BEFORE_ROUTING
            method = scope["method"]
            self.metrics.request_answered(method, route, status, seconds)
            client = scope.get("client")
            logs.log_request(rid, method, route, scope["path"], status, seconds, client[0] if client else None, error)
