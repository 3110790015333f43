"""The progress page: the same figures as /api/study/progress, with charts drawn on the server
and sorting by links, so that it works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.accounts.web import MaybeLearner
from app.site import Site
from app.state import StateUnavailable
from app.study import charts
from app.study.progress import EntryMastery, entry_mastery, progress
from app.study.scheduler import spoken
from app.study.web import StudyDep
from app.urls import with_query
from app.web.render import page

router = APIRouter(include_in_schema=False)
SORT_LINKS = (("name", "name"), ("mastery", "most known"), ("-mastery", "least known"))


def study_url(scope: str) -> str:
    return with_query("/study/session", scope=scope)


def duration(seconds: int) -> str:
    """'under a minute', '45 min', '3 h 20 min'."""
    minutes = seconds // 60
    if not minutes:
        return "under a minute" if seconds else "none yet"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes} min" if hours else f"{minutes} min"


PHONE_WEEKS = 18  # a calendar a phone can show with readable labels


@router.get("/progress", response_class=HTMLResponse)
def progress_page(
    request: Request, study: StudyDep, who: MaybeLearner, sort: Annotated[str, Query(max_length=20)] = "name"
) -> HTMLResponse:
    if who is None:
        return page(request, "progress.html", {"progress": None})
    found = progress(study, who.learner.id, sort)
    context = {
        "progress": found,
        "heatmap": charts.heatmap(found.heatmap),
        "heatmap_recent": charts.heatmap(found.heatmap, weeks_shown=PHONE_WEEKS),
        "heatmap_weeks": PHONE_WEEKS,
        "forecast": charts.forecast(found.forecast),
        "bars": {c.slug: charts.bar(c.known, c.cards) for c in found.categories},
        "sort_links": [(value, label, with_query("/progress", sort=value)) for value, label in SORT_LINKS],
        "study_url": study_url,
        "duration": duration,
        "guest": who.learner.guest,
    }
    return page(request, "progress.html", context, json_url=with_query("/api/study/progress", sort=found.sort))


def entry_standing(request: Request, slug: str) -> dict[str, object] | None:
    """For an entry page: the viewing learner's standing on the entry, or None (no learner, no
    cards, or learners' data unavailable: reading never depends on it). Worker thread."""
    who = getattr(request.state, "viewer", None)
    site: Site = request.app.state.site
    if who is None or site.study is None:
        return None
    try:
        found: EntryMastery | None = entry_mastery(site.study, who.learner.id, slug)
    except StateUnavailable:
        return None
    if found is None:
        return None
    wait = found.next_due - site.study.clock() if found.next_due else None
    return {
        "state": found.state,
        "cards": found.cards,
        "known": found.known,
        "next_due": found.next_due,
        "due_in": None if wait is None else "now" if wait.total_seconds() <= 0 else "in " + spoken(wait),
    }
