"""The app factory: create_app(settings) builds one independent Glossa application."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import __version__, api, sitefiles, web
from app.builder import Builder, exclusive
from app.config import Settings, get_settings
from app.queries import Glossary
from app.middleware import HeadAsGet, SecurityHeaders
from app.search import SearchIndex
from app.store import open_store

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    with exclusive(settings):
        index = SearchIndex(settings.index_dir)
    builder = Builder(settings, engine, index)
    if settings.build_on_start:
        builder.build()
    index.warm()  # serving starts now: no first query should wait for these tables

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        watcher = None
        if settings.watch:
            from app.watch import Watcher

            watcher = Watcher(builder)
            watcher.start()
        yield
        if watcher:
            watcher.stop()
        index.close()
        engine.dispose()

    app = FastAPI(
        title="Glossa",
        version=__version__,
        description="A study-notes knowledge base: entries, categories, tags and search as JSON.",
        lifespan=lifespan,
        docs_url=None,  # served by web.py from static/vendor: no outside origin at run time
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.state.settings = settings
    app.state.builder = builder
    app.state.glossary = Glossary(engine, index)
    app.include_router(api.router)
    app.include_router(web.router)
    app.include_router(sitefiles.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and not wants_json(request):
            return web.not_found(request)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
        return JSONResponse({"detail": message, "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    return app
