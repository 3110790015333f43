"""Errors as a browser or an API client expects them: an HTML page or JSON, never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.accounts.limits import TooMany
from app.logs import REQUEST_ID
from app.refusal import Refusal
from app.state import StateUnavailable
from app.state.db import RETRY_SECONDS
from app.web.render import error_page, not_found

log = logging.getLogger(__name__)
TITLES = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Already taken",
    422: "Please check what you entered",
}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 404:
            return not_found(request)
        return error_page(request, exc.status_code, "Something is not right", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
        if not wants_json(request):
            return error_page(request, 422, "That request cannot be answered", message)
        return JSONResponse({"detail": message, "errors": errors}, status_code=422)

    @app.exception_handler(StateUnavailable)
    async def state_unavailable(request: Request, exc: StateUnavailable) -> Response:
        # The store is tried again at least this often (and at once after a lost connection).
        headers = {"Retry-After": str(round(RETRY_SECONDS))}
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)
        page = error_page(
            request, 503, "Study features are unavailable right now", f"{exc} Reading the glossary still works."
        )
        page.headers.update(headers)
        return page

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status)
        return error_page(request, exc.status, TITLES.get(exc.status, "That did not work"), exc.detail)

    @app.exception_handler(TooMany)
    async def too_many(request: Request, exc: TooMany) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=429, headers=headers)
        page = error_page(request, 429, "Too many attempts", str(exc))
        page.headers.update(headers)
        return page

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        # Answered outside the middleware that tags responses: the id that finds the log line.
        headers = {"X-Request-ID": rid} if (rid := REQUEST_ID.get()) else None
        if wants_json(request):
            return JSONResponse(
                {"detail": "internal error; the server log has the details"}, status_code=500, headers=headers
            )
        page = error_page(
            request, 500, "Something went wrong", "The server could not show this page; its log has the details."
        )
        page.headers.update(headers or {})
        return page
