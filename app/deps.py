"""Named dependencies, so route signatures read like declarations."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.content.reader import ContentReader
from app.site import Site
from app.state import StateStore, StateUnavailable


# These only look up objects: async, so that FastAPI calls them on the event loop instead of
# sending each to its thread pool (a hop per dependency per request).
async def get_site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


async def get_reader(request: Request) -> ContentReader:
    site: Site = request.app.state.site
    return site.reader


async def get_settings_of_app(request: Request) -> Settings:
    site: Site = request.app.state.site
    return site.settings


async def usable(state: StateStore) -> None:
    """Raises StateUnavailable, with the reason, when the state store cannot be used. An open
    store is answered on the event loop; one that is not is tried again, which may wait on a
    database, so in the thread pool."""
    if not state.available:
        await run_in_threadpool(state.engine)


async def get_state(request: Request) -> StateStore:
    """The state store, or a 503 that says why learners' data is unavailable."""
    site: Site = request.app.state.site
    state = site.state
    if state is None:
        raise StateUnavailable("this site was started without a state store")
    await usable(state)
    return state


SiteDep = Annotated[Site, Depends(get_site)]
ReaderDep = Annotated[ContentReader, Depends(get_reader)]
SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
StateDep = Annotated[StateStore, Depends(get_state)]
