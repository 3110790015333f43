"""Study pages: choose what to study, then one card at a time. Plain forms and links, so they
work without JavaScript; static/study.js adds the keys (Space, 1–4, u)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.web import AccountsDep, CsrfChecked, MaybeLearner, set_session, start_guest
from app.content.paths import PathReader
from app.study.answers import check_typed
from app.study.queue import Queue, QueuedCard
from app.study.scheduler import spoken
from app.study.service import Study
from app.study.web import StudyDep
from app.urls import with_query
from app.web.render import page

router = APIRouter(include_in_schema=False)
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
ScopeQuery = Annotated[str, Query(max_length=300)]


def session_url(scope: str, since: str, **extra: object) -> str:
    return with_query("/study/session", scope=scope, since=since, **extra)


@router.get("/study", response_class=HTMLResponse)
def study_home(request: Request, study: StudyDep, who: MaybeLearner) -> HTMLResponse:
    reader = study.reader
    counts = study.queue(who.learner.id, "all", limit=0).counts if who else None
    context = {
        "categories": reader.categories(),
        "paths": PathReader(reader).all(),
        "counts": counts,
        "now": study.clock().isoformat(timespec="seconds"),
    }
    return page(request, "study.html", context)


@router.post("/study/start", dependencies=[CsrfChecked])
def start(
    request: Request, accounts: AccountsDep, who: MaybeLearner, scope: Annotated[str, Form(max_length=300)] = "all"
) -> RedirectResponse:
    """The first study action of a visitor makes them a guest: no form to fill."""
    since = accounts.clock().isoformat(timespec="seconds")
    response = RedirectResponse(session_url(scope, since), status_code=303)
    if who is None:
        set_session(response, request, start_guest(accounts, request))
    return response


@router.get("/study/session", response_class=HTMLResponse, response_model=None)
def session(
    request: Request,
    study: StudyDep,
    who: MaybeLearner,
    scope: ScopeQuery = "all",
    since: Annotated[str, Query(max_length=40)] = "",
    card: Annotated[str, Query(max_length=300)] = "",
    show: bool = False,
    answer: Annotated[str, Query(max_length=200)] = "",
    t: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    if who is None:
        return page(request, "study_start.html", {"scope": scope})
    found = study.queue(who.learner.id, scope, limit=1, pin=card)
    since = since or study.clock().isoformat(timespec="seconds")
    current = _pick(found, card)
    if current is None:
        return page(
            request,
            "study_done.html",
            {
                "found": found,
                "summary": _summary(study, who.learner.id, since),
                "scope": scope,
                "guest": who.learner.guest,
            },
        )
    face = study.decks.faces([current.ref.id])[current.ref.id]
    shown_at = t or int(study.clock().timestamp() * 1000)
    typed = check_typed(answer, face.answers) if show and face.answers and answer else None
    buttons = [(r, RATINGS[r], spoken(span)) for r, span in found.intervals(current).items()]
    context = {
        "found": found,
        "card": current,
        "face": face,
        "show": show,
        "scope": scope,
        "since": since,
        "t": shown_at,
        "buttons": buttons,
        "typed": typed,
        "answer": answer,
        "key": secrets.token_hex(8),
        "show_url": session_url(scope, since, card=current.ref.id, show=1, t=shown_at),
        "guest": who.learner.guest,
    }
    return page(request, "study_session.html", context)


def _pick(found: Queue, card_id: str) -> QueuedCard | None:
    if card_id:  # the card whose answer is being shown stays, whatever came due meanwhile
        pinned = next((c for c in found.cards if c.ref.id == card_id), None)
        if pinned is not None:
            return pinned
    return found.cards[0] if found.cards else None


def _summary(study: Study, learner_id: str, since: str) -> dict[str, object]:
    try:
        start = datetime.fromisoformat(since)
    except ValueError:
        start = study.clock() - timedelta(hours=1)
    reviews = study.reviews_since(learner_id, start)
    states = study.states(learner_id)
    upcoming = [s.due for s in states.values() if s.due > study.clock()]
    spent = sum(r.duration_ms or 0 for r in reviews) // 1000
    return {
        "seen": len({(r.entry_slug, r.card_key) for r in reviews}),
        "reviews": len(reviews),
        "remembered": sum(1 for r in reviews if r.rating > 1),
        "minutes": round(spent / 60, 1),
        "next_due": min(upcoming) if upcoming else None,
    }


@router.post("/study/review", dependencies=[CsrfChecked])
def review(
    study: StudyDep,
    who: MaybeLearner,
    card_id: Annotated[str, Form(max_length=300)],
    rating: Annotated[int, Form(ge=1, le=4)],
    scope: Annotated[str, Form(max_length=300)] = "all",
    since: Annotated[str, Form(max_length=40)] = "",
    t: Annotated[int, Form(ge=0)] = 0,
    key: Annotated[str, Form(max_length=64)] = "",
) -> RedirectResponse:
    if who is None:
        return RedirectResponse(session_url(scope, since), status_code=303)
    now_ms = int(study.clock().timestamp() * 1000)
    duration = min(max(now_ms - t, 0), 3_600_000) if t else None
    study.review(who.learner.id, card_id, rating, duration, key or None)
    return RedirectResponse(session_url(scope, since), status_code=303)


@router.post("/study/undo", dependencies=[CsrfChecked])
def undo(
    study: StudyDep,
    who: MaybeLearner,
    scope: Annotated[str, Form(max_length=300)] = "all",
    since: Annotated[str, Form(max_length=40)] = "",
) -> RedirectResponse:
    if who is not None:
        card_id, _ = study.undo(who.learner.id)
        return RedirectResponse(session_url(scope, since, card=card_id), status_code=303)
    return RedirectResponse(session_url(scope, since), status_code=303)
