"""Quiz pages: choose scope, length and direction; one question at a time, what was right and
why after each answer; the score at the end, with a retry of the ones missed. Plain forms and
links, so they work without JavaScript; static/quiz.js adds the keys (1–4, Enter)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.web import AccountsDep, CsrfChecked, MaybeLearner, set_session, start_guest
from app.content.paths import PathReader
from app.refusal import Refusal
from app.study.distractors import DEFINITION, NAME
from app.study.quiz import MAX_QUESTIONS, QuizView
from app.study.web import QuizzesDep
from app.urls import with_query
from app.web.render import not_found, page

router = APIRouter(include_in_schema=False)
ASK = {DEFINITION: "Which term has this definition?", NAME: "Which definition fits this term?"}


def quiz_url(quiz_id: str, **extra: object) -> str:
    return with_query(f"/quiz/{quiz_id}", **extra)


@router.get("/quiz", response_class=HTMLResponse)
def start_page(
    request: Request,
    quizzes: QuizzesDep,
    who: MaybeLearner,
    scope: Annotated[str, Query(max_length=300)] = "all",
    n: Annotated[int, Query(ge=1, le=MAX_QUESTIONS)] = 10,
    direction: Annotated[str, Query(max_length=20)] = DEFINITION,
) -> HTMLResponse:
    reader = quizzes.study.reader
    scopes = [("all", "Everything")]
    if who is not None:
        scopes.append(("lapses", "Cards I missed this week"))
    scopes += [(f"category:{c.slug}", c.name) for c in reader.categories()]
    scopes += [(f"path:{p.slug}", f"Path: {p.title}") for p in PathReader(reader).all()]
    if scope not in dict(scopes):  # a quiz on one entry, tag or path, offered from its page
        scopes.insert(0, (scope, quizzes.scope_title(scope)))
    context = {
        "scopes": scopes,
        "scope": scope,
        "n": n,
        "max_n": MAX_QUESTIONS,
        "direction": direction if direction in ASK else DEFINITION,
    }
    return page(request, "quiz.html", context)


@router.post("/quiz", dependencies=[CsrfChecked])
def start(
    request: Request,
    accounts: AccountsDep,
    quizzes: QuizzesDep,
    who: MaybeLearner,
    scope: Annotated[str, Form(max_length=300)] = "all",
    n: Annotated[int, Form(ge=1, le=MAX_QUESTIONS)] = 10,
    direction: Annotated[str, Form(max_length=20)] = DEFINITION,
) -> RedirectResponse:
    """The first quiz of a visitor makes them a guest, as the first study action does."""
    plan = quizzes.plan(who.learner.id if who else "", scope, n, direction)  # refused before any guest is made
    started = start_guest(accounts, request) if who is None else None
    learner = started.identity if started is not None else who
    assert learner is not None  # one of the two: a learner, or the guest just made
    view = quizzes.save(learner.learner.id, plan)
    response = RedirectResponse(quiz_url(view.id), status_code=303)
    if started is not None:
        set_session(response, request, started)
    return response


@router.get("/quiz/{quiz_id}", response_class=HTMLResponse, response_model=None)
def quiz_page(
    request: Request,
    quiz_id: str,
    quizzes: QuizzesDep,
    who: MaybeLearner,
    answered: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if who is None:
        return not_found(request, "There is no such quiz on this browser.")
    view = quizzes.get(who.learner.id, quiz_id)
    context: dict[str, object] = {"quiz": view, "ask": ASK[view.direction], "guest": who.learner.guest}
    shown = view.question(answered) if answered else None
    current = view.current
    if shown is not None and shown.chosen is not None:  # the answer just given, with what it got
        next_url = quiz_url(view.id) if current else quiz_url(view.id) + "#score"
        context.update(next_url=next_url, last=current is None)
    else:
        shown = current
    if shown is None:
        return page(request, "quiz_done.html", context)
    context.update(question=shown, number=view.questions.index(shown) + 1)
    return page(request, "quiz_question.html", context)


@router.post("/quiz/{quiz_id}/answer", dependencies=[CsrfChecked])
def answer(
    request: Request,
    quiz_id: str,
    quizzes: QuizzesDep,
    who: MaybeLearner,
    question_id: Annotated[str, Form(max_length=20)],
    option: Annotated[str, Form(max_length=20)],
) -> Response:
    if who is None:
        return not_found(request, "There is no such quiz on this browser.")
    try:
        quizzes.answer(who.learner.id, quiz_id, question_id, option)
    except Refusal as refused:
        if refused.status != 409:
            raise
        # Sent twice (a double click, the back button): show what the first answer got.
    return RedirectResponse(quiz_url(quiz_id, answered=question_id), status_code=303)


@router.post("/quiz/{quiz_id}/retry", dependencies=[CsrfChecked])
def retry(request: Request, quiz_id: str, quizzes: QuizzesDep, who: MaybeLearner) -> Response:
    if who is None:
        return not_found(request, "There is no such quiz on this browser.")
    view: QuizView = quizzes.retry(who.learner.id, quiz_id)
    return RedirectResponse(quiz_url(view.id), status_code=303)
