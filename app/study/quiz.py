"""Multiple-choice quizzes: a definition with four names to choose from, or a name with four
definitions. Pages and the JSON API both call this service.

A quiz stores entry slugs only (app.study.models.QuizQuestion); its text is rendered from the
content of the day it is read, and a renamed entry is followed through its old slug. Each
answer feeds the scheduler through Study.review (wrong: Again, right: Good), on the entry's
*meaning → name* card for a definition and its *name → meaning* card for a name, with a client
key per question so that an answer retried after a failure counts once.
"""

from __future__ import annotations

import html
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.refusal import Refusal
from app.study.distractors import DEFINITION, NAME, Pool, Term, load_pool, option_html, prompt_html, question_options
from app.study.models import Quiz, QuizQuestion
from app.study.scope import parse_scope, resolve_scope
from app.study.service import Study
from app.urls import entry_url

CARD_OF = {DEFINITION: "meaning", NAME: "name"}  # the card a direction's answers are scheduled on
MAX_QUESTIONS = 50
LONGEST_ANSWER = timedelta(minutes=5)  # a quiz left open over lunch is not time studied
QUIZ_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Option:
    id: str  # "1" to "4", as shown: an entry's slug would give the answer away
    html: str
    slug: str
    title: str
    url: str
    summary: str  # the entry's own definition, unmasked: the line that explains a wrong option

    @property
    def explanation_html(self) -> str:
        return f"<strong>{html.escape(self.title)}</strong>: {html.escape(self.summary)}"


@dataclass(frozen=True)
class Question:
    id: str
    prompt_html: str
    options: list[Option]
    answer: int  # index of the right option
    chosen: int | None
    correct: bool | None

    @property
    def right(self) -> Option:
        return self.options[self.answer]

    @property
    def wrong(self) -> list[Option]:
        return [o for i, o in enumerate(self.options) if i != self.answer]

    @property
    def chosen_option(self) -> Option | None:
        return None if self.chosen is None else self.options[self.chosen]


@dataclass(frozen=True)
class QuizView:
    id: str
    scope: str
    title: str
    direction: str
    retry_of: str | None
    created_at: datetime
    questions: list[Question]

    @property
    def answered(self) -> int:
        return sum(q.chosen is not None for q in self.questions)

    @property
    def score(self) -> int:
        return sum(bool(q.correct) for q in self.questions)

    @property
    def missed(self) -> list[Question]:
        return [q for q in self.questions if q.correct is False]

    @property
    def current(self) -> Question | None:
        """The first question not answered yet; None once the quiz is over."""
        return next((q for q in self.questions if q.chosen is None), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Plan:
    quiz_id: str
    scope: str
    title: str
    direction: str
    rows: list[tuple[str, list[str]]]  # the answer's slug, and the options' slugs in order
    retry_of: str | None


class Quizzes:
    def __init__(self, study: Study):
        self.study = study

    def pool(self) -> Pool:
        deck = self.study.decks.index()
        return self.study.reader.remember("quiz-pool", lambda: load_pool(self.study.reader, deck))

    # -- making one ------------------------------------------------------------------------
    def create(self, learner_id: str, scope_text: str | None, n: int, direction: str) -> QuizView:
        return self.save(learner_id, self.plan(learner_id, scope_text, n, direction))

    def plan(self, learner_id: str, scope_text: str | None, n: int, direction: str) -> Plan:
        """The questions of a new quiz, checked but not stored: a page asks before it makes a
        visitor a guest, so that a bad request leaves no learner behind."""
        if direction not in CARD_OF:
            raise Refusal(422, f"direction must be {DEFINITION!r} (pick the name) or {NAME!r} (pick the definition)")
        if not 1 <= n <= MAX_QUESTIONS:
            raise Refusal(422, f"n must be between 1 and {MAX_QUESTIONS}")
        resolved = self.study.resolve(learner_id, scope_text, self.study.clock())
        pool, quiz_id = self.pool(), secrets.token_hex(16)
        entries = [slug for slug in dict.fromkeys(c.entry_slug for c in resolved.cards) if slug in pool.terms]
        first = entries[:1] if resolved.scope.kind == "entry" else []  # "this entry" is asked about first
        rest = entries[len(first) :]
        random.Random(quiz_id).shuffle(rest)
        return self._plan(quiz_id, str(resolved.scope), resolved.title, direction, first + rest, n, None)

    def retry(self, learner_id: str, quiz_id: str) -> QuizView:
        """A new quiz of the questions this one's learner got wrong, in the same direction."""
        old = self.get(learner_id, quiz_id)
        if not old.missed:
            raise Refusal(409, "you missed no question in this quiz: there is nothing to retry")
        entries = list(dict.fromkeys(q.right.slug for q in old.missed))
        title = self.scope_title(old.scope, retry=True)
        plan = self._plan(secrets.token_hex(16), old.scope, title, old.direction, entries, len(entries), quiz_id)
        return self.save(learner_id, plan)

    def _plan(
        self, quiz_id: str, scope: str, title: str, direction: str, entries: list[str], n: int, retry_of: str | None
    ) -> Plan:
        pool, rows = self.pool(), []
        for slug in entries:
            options = question_options(pool, pool.terms[slug], direction, quiz_id) if slug in pool.terms else None
            if options is not None:
                rows.append((slug, options))
                if len(rows) == n:
                    break
        if not rows:
            raise Refusal(422, f"there is nothing to quiz you on in {title!r}: no entry there has cards")
        return Plan(quiz_id, scope[:250], title, direction, rows, retry_of)

    def save(self, learner_id: str, plan: Plan) -> QuizView:
        quiz = Quiz(
            id=plan.quiz_id,
            learner_id=learner_id,
            scope=plan.scope,
            direction=plan.direction,
            created_at=self.study.clock(),
            retry_of=plan.retry_of,
        )
        card = CARD_OF[plan.direction]
        questions = [
            QuizQuestion(quiz_id=plan.quiz_id, position=n, entry_slug=slug, card_key=card, options=options)
            for n, (slug, options) in enumerate(plan.rows, start=1)
        ]
        with self.study.state.write() as s:
            s.add(quiz)
            s.flush()  # the quiz before its questions (their foreign key)
            s.add_all(questions)
        return self._view(quiz, questions, plan.title)

    # -- reading one -----------------------------------------------------------------------
    def get(self, learner_id: str, quiz_id: str) -> QuizView:
        with self.study.state.read() as s:
            quiz, questions = self._own(s, learner_id, quiz_id)
        return self._view(quiz, questions, self.scope_title(quiz.scope, retry=quiz.retry_of is not None))

    @staticmethod
    def _own(s: Session, learner_id: str, quiz_id: str) -> tuple[Quiz, list[QuizQuestion]]:
        quiz = s.get(Quiz, quiz_id) if QUIZ_ID.fullmatch(quiz_id) else None  # no odd bytes reach the database
        if quiz is None or quiz.learner_id != learner_id:  # someone else's quiz is no business of theirs
            raise Refusal(404, f"there is no quiz {quiz_id[:40]!r}")
        rows = s.exec(
            select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id).order_by(col(QuizQuestion.position))
        ).all()
        return quiz, list(rows)

    def scope_title(self, scope: str, retry: bool = False) -> str:
        try:
            title = resolve_scope(parse_scope(scope), self.study.reader, self.study.decks.index(), set()).title
        except Refusal:  # a category or entry gone since
            title = scope
        return f"{title}: the ones you missed" if retry else title

    def _term(self, pool: Pool, slug: str) -> Term | None:
        if slug in pool.terms:
            return pool.terms[slug]
        today = self.study.reader.resolve(slug)  # renamed, keeping the old slug as an alias
        return pool.terms.get(today) if today else None

    def _view(self, quiz: Quiz, rows: list[QuizQuestion], title: str) -> QuizView:
        pool = self.pool()
        questions = []
        for row in rows:
            answer_term = self._term(pool, row.entry_slug)
            options = []
            for i, slug in enumerate(row.options):
                term = self._term(pool, slug)
                if term is None:  # removed from the glossary since; the question still reads
                    options.append(Option(str(i + 1), html.escape(slug), slug, slug, entry_url(slug), ""))
                else:
                    url = entry_url(term.slug)
                    body = option_html(term, quiz.direction)
                    options.append(Option(str(i + 1), body, term.slug, term.title, url, term.summary))
            answer = row.options.index(row.entry_slug) if row.entry_slug in row.options else 0
            prompt = prompt_html(answer_term, quiz.direction) if answer_term else html.escape(row.entry_slug)
            questions.append(Question(str(row.position), prompt, options, answer, row.chosen, row.correct))
        return QuizView(quiz.id, quiz.scope, title, quiz.direction, quiz.retry_of, quiz.created_at, questions)

    # -- answering -------------------------------------------------------------------------
    def answer(self, learner_id: str, quiz_id: str, question_id: str, option_id: str) -> tuple[QuizView, Question]:
        """Schedule the entry's card, then record the choice; 409 for a question answered before.

        In that order, with a client key per question: an answer retried after a failure
        between the two writes is scheduled once, and recorded."""
        position = _number(question_id)
        now = self.study.clock()
        with self.study.state.read() as s:
            quiz, rows = self._own(s, learner_id, quiz_id)
        row = next((r for r in rows if r.position == position), None)
        if row is None:
            raise Refusal(404, f"this quiz has no question {question_id[:20]!r} (its questions are 1–{len(rows)})")
        index = _number(option_id) - 1
        if not 0 <= index < len(row.options):
            raise Refusal(422, f"option_id must be one of {', '.join(str(i + 1) for i in range(len(row.options)))}")
        if row.chosen is not None:
            raise Refusal(409, f"question {position} of this quiz was answered already")
        correct = row.options[index] == row.entry_slug
        since = max([r.answered_at for r in rows if r.answered_at] + [quiz.created_at])
        spent = min(max(now - since, timedelta(0)), LONGEST_ANSWER)
        self._schedule(learner_id, quiz_id, row, correct, int(spent.total_seconds() * 1000))
        with self.study.state.write() as s:
            done = s.execute(
                update(QuizQuestion)
                .where(
                    col(QuizQuestion.quiz_id) == quiz_id,
                    col(QuizQuestion.position) == position,
                    col(QuizQuestion.chosen).is_(None),
                )
                .values(chosen=index, correct=correct, answered_at=now)
            )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal(409, f"question {position} of this quiz was answered already")  # by a request just now
        view = self.get(learner_id, quiz_id)
        question = view.question(str(position))
        assert question is not None
        return view, question

    def _schedule(self, learner_id: str, quiz_id: str, row: QuizQuestion, correct: bool, ms: int) -> None:
        deck = self.study.decks.index()
        card_id = f"{row.entry_slug}:{row.card_key}"
        if card_id not in deck.by_id:
            card_id = f"{self.study.reader.resolve(row.entry_slug)}:{row.card_key}"
            if card_id not in deck.by_id:
                return  # the entry has lost that card since: the answer counts in the quiz only
        key = f"quiz:{quiz_id}:{row.position}"
        self.study.review(learner_id, card_id, 3 if correct else 1, ms, client_key=key)


def _number(text: str) -> int:
    """A question's or an option's number, or -1 for anything else ("²", "1e3", "")."""
    text = text.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,5}", text) else -1
