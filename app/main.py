"""The app factory: create_app(settings) builds one independent Glossa application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__, api, errors, web
from app.api.status import probes
from app.clock import Clock, utc_now
from app.config import Settings, get_settings
from app.content.watch import Watcher
from app.metrics import Metrics
from app.middleware import ConditionalGet, HeadAsGet, RouteTemplate, SecurityHeaders, Telemetry
from app.site import open_site
from app.web.render import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"


def create_app(settings: Settings | None = None, clock: Clock = utc_now) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics(settings.metrics_dir)
    site = open_site(settings, serve=True, clock=clock, observer=metrics)
    metrics.site = site

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = None
        if settings.watch:
            watcher = Watcher(settings.content_dir, settings.data_dir / ".watch.lock", site.update, on_quiet=site.tidy)
            watcher.start()
        app.state.watcher = watcher
        yield
        if watcher:
            watcher.stop()
        site.close()
        metrics.close()

    app = FastAPI(
        title="Glossa",
        version=__version__,
        description="A study-notes knowledge base: entries, categories, tags and search as JSON.",
        lifespan=lifespan,
        docs_url=None,  # served from static/vendor by the web routes: no outside origin at run time
        redoc_url=None,
    )
    # First added runs innermost.
    app.add_middleware(RouteTemplate)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ConditionalGet, generation=site.reader.generation)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # The read-only API may be used by scripts on other sites; no credentials cross with it.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"])
    app.add_middleware(HeadAsGet)
    app.add_middleware(Telemetry, metrics=metrics)
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:  # their X-Forwarded-For and -Proto give the client's address and https
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    app.state.site = site
    app.state.metrics = metrics
    app.include_router(probes)
    app.include_router(api.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    return app
