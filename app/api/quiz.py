"""Quizzes as JSON: make one, answer its questions, retry the ones missed. The shapes of
POST /api/quiz and of its answers are a contract (later work may add fields, not rename)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from app.accounts.web import CsrfChecked, Learner
from app.study.quiz import MAX_QUESTIONS, QuizView
from app.study.web import QuizzesDep

router = APIRouter(prefix="/quiz", tags=["quiz"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No learner: sign in or start as a guest"},
    404: {"description": "No such quiz (or it is another learner's), question, scope or entry"},
}
QuizId = Annotated[str, PathParam(max_length=64)]


class QuizIn(BaseModel):
    scope: str = Field(
        "all", max_length=300, description="all, category:<slug>, tag:<tag>, entry:<slug>, path:<slug>, lapses"
    )
    n: int = Field(10, ge=1, le=MAX_QUESTIONS, description="How many questions (fewer if the scope has fewer entries)")
    direction: Literal["definition", "name"] = Field(
        "definition", description="definition: pick the name for a definition; name: pick the definition for a name"
    )


class OptionOut(BaseModel):
    id: str
    html: str


class QuestionOut(BaseModel):
    id: str
    prompt_html: str
    options: list[OptionOut]
    chosen_option_id: str | None = Field(None, description="Once answered")
    correct: bool | None = Field(None, description="Once answered")


class QuizOut(BaseModel):
    id: str
    scope: str
    title: str
    direction: str
    retry_of: str | None
    questions: list[QuestionOut]
    answered: int
    score: int = Field(description="Questions answered right")
    url: str = Field(description="The quiz as a page")


class AnswerIn(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)  # 2 and "2" name the same option

    question_id: str = Field(max_length=20)
    option_id: str = Field(max_length=20, description="1 to 4, in the order shown")


class Explanation(BaseModel):
    option_id: str
    html: str = Field(description="The option's own entry and definition")
    url: str


class AnswerOut(BaseModel):
    correct: bool
    correct_option_id: str
    explanations: list[Explanation] = Field(description="One for each wrong option")
    correct_url: str = Field(description="The right answer's entry")
    answered: int
    score: int


def quiz_out(view: QuizView) -> QuizOut:
    questions = [
        QuestionOut(
            id=q.id,
            prompt_html=q.prompt_html,
            options=[OptionOut(id=o.id, html=o.html) for o in q.options],
            chosen_option_id=q.chosen_option.id if q.chosen_option else None,
            correct=q.correct,
        )
        for q in view.questions
    ]
    return QuizOut(
        id=view.id,
        scope=view.scope,
        title=view.title,
        direction=view.direction,
        retry_of=view.retry_of,
        questions=questions,
        answered=view.answered,
        score=view.score,
        url=f"/quiz/{view.id}",
    )


@router.post(
    "", status_code=201, response_model=QuizOut, dependencies=[CsrfChecked], responses=ERRORS, summary="Make a quiz"
)
def create(body: QuizIn, quizzes: QuizzesDep, who: Learner) -> QuizOut:
    return quiz_out(quizzes.create(who.learner.id, body.scope, body.n, body.direction))


@router.get("/{quiz_id}", response_model=QuizOut, responses=ERRORS, summary="A quiz, with what was answered")
def read(quiz_id: QuizId, quizzes: QuizzesDep, who: Learner) -> QuizOut:
    return quiz_out(quizzes.get(who.learner.id, quiz_id))


@router.post(
    "/{quiz_id}/answers",
    response_model=AnswerOut,
    dependencies=[CsrfChecked],
    responses={**ERRORS, 409: {"description": "That question was answered already"}},
    summary="Answer a question",
)
def answer(quiz_id: QuizId, body: AnswerIn, quizzes: QuizzesDep, who: Learner) -> AnswerOut:
    view, q = quizzes.answer(who.learner.id, quiz_id, body.question_id, body.option_id)
    return AnswerOut(
        correct=bool(q.correct),
        correct_option_id=q.right.id,
        explanations=[Explanation(option_id=o.id, html=o.explanation_html, url=o.url) for o in q.wrong],
        correct_url=q.right.url,
        answered=view.answered,
        score=view.score,
    )


@router.post(
    "/{quiz_id}/retry",
    status_code=201,
    response_model=QuizOut,
    dependencies=[CsrfChecked],
    responses={**ERRORS, 409: {"description": "No question was missed"}},
    summary="A new quiz of the questions missed",
)
def retry(quiz_id: QuizId, quizzes: QuizzesDep, who: Learner) -> QuizOut:
    return quiz_out(quizzes.retry(who.learner.id, quiz_id))
