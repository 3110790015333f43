"""Study path pages: the paths with a learner's progress, and one path step by step."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.content.paths import Place
from app.state import StateUnavailable
from app.study.web import PathsDep, paths_of
from app.web.render import not_found, page

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def _learner_id(request: Request) -> str | None:
    who = getattr(request.state, "viewer", None)
    return who.learner.id if who else None


@router.get("/paths", response_class=HTMLResponse)
def path_list(request: Request, paths: PathsDep) -> HTMLResponse:
    found = paths.progress(_learner_id(request), paths.paths.all())
    return page(request, "paths.html", {"paths": found}, json_url="/api/paths")


@router.get("/paths/{slug}", response_class=HTMLResponse)
def path_page(slug: str, request: Request, paths: PathsDep) -> HTMLResponse:
    path = paths.paths.get(slug[:200])
    if path is None:
        return not_found(request, f"There is no study path named “{slug[:200]}”.")
    found = paths.progress(_learner_id(request), [path])[0]
    return page(request, "path.html", {"p": found}, json_url="/api" + path.url)


def opened(request: Request, slug: str, path_slug: str) -> Place | None:
    """An entry page was opened: a learner has now read it; opened from a path, where it stands
    in that path. Marking read never fails the page (the state store may be down)."""
    paths = paths_of(request)
    learner_id = _learner_id(request)
    if learner_id is not None:
        try:
            paths.mark_read(learner_id, slug)
        except StateUnavailable:
            log.warning("entry %s not marked read: the state store is unavailable", slug)
    return paths.paths.place(path_slug, slug) if path_slug else None
