"""Learners as JSON: guests, accounts, sessions, API tokens. The shapes here are a contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.accounts.service import LearnerView, Started
from app.accounts.web import AccountsDep, CsrfChecked, Learner, MaybeLearner, clear_session, client_address, set_session

# Every state-changing route below carries CsrfChecked; GET routes change nothing.
router = APIRouter(tags=["learners"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or a wrong username or password"},
    403: {"description": "Refused: CSRF token, another site, or a closed sign-up"},
    429: {"description": "Too many attempts; see Retry-After"},
}


class LearnerOut(BaseModel):
    id: str
    username: str | None
    guest: bool


class LearnerEnvelope(BaseModel):
    learner: LearnerOut


class Me(LearnerOut):
    created: datetime
    csrf_token: str | None = Field(description="Send as X-CSRF-Token with state-changing requests")


class Credentials(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class Signup(Credentials):
    invite: str = Field("", max_length=100, description="Needed when sign-up is by invitation")


class Signin(Credentials):
    merge_guest: bool = Field(False, description="Move this browser's guest progress into the account")


class PasswordChange(BaseModel):
    current: str = Field(max_length=1000)
    new: str = Field(max_length=1000)


class SessionOut(BaseModel):
    id: str
    created: datetime
    last_seen: datetime
    current: bool


class TokenRequest(BaseModel):
    name: str = Field(max_length=200)


class TokenOut(BaseModel):
    id: str
    name: str
    created: datetime
    last_used: datetime | None


class NewToken(BaseModel):
    id: str
    name: str
    token: str = Field(description="Shown once; send as Authorization: Bearer <token>")


class Confirm(BaseModel):
    confirm: str = Field(max_length=100, description="Your username, or 'guest'")


# Guests, sign-up, sign-in and sign-out take a cookie or a token when there is one, and work without.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}, {"APIKeyCookie": []}]}


def _envelope(learner: LearnerView) -> LearnerEnvelope:
    return LearnerEnvelope(learner=LearnerOut(id=learner.id, username=learner.username, guest=learner.guest))


def _started(request: Request, response: Response, started: Started) -> LearnerEnvelope:
    set_session(response, request, started)
    return _envelope(started.identity.learner)


@router.post(
    "/auth/guest",
    status_code=201,
    response_model=LearnerEnvelope,
    responses=ERRORS,
    dependencies=[CsrfChecked],
    summary="Start as a guest (sets the session cookie)",
    openapi_extra=OPTIONAL_AUTH,
)
def guest(request: Request, response: Response, accounts: AccountsDep, who: MaybeLearner) -> LearnerEnvelope:
    started = accounts.create_guest(client_address(request), request.headers.get("user-agent", ""), who)
    return _started(request, response, started)


@router.post(
    "/auth/signup",
    status_code=201,
    response_model=LearnerEnvelope,
    responses={**ERRORS, 409: {"description": "Username taken"}, 422: {"description": "Weak password"}},
    dependencies=[CsrfChecked],
    summary="Make an account (a guest becomes it)",
    openapi_extra=OPTIONAL_AUTH,
)
def signup(
    body: Signup, request: Request, response: Response, accounts: AccountsDep, who: MaybeLearner
) -> LearnerEnvelope:
    started = accounts.signup(
        body.username, body.password, client_address(request), request.headers.get("user-agent", ""), who, body.invite
    )
    return _started(request, response, started)


@router.post(
    "/auth/signin",
    response_model=LearnerEnvelope,
    responses=ERRORS,
    dependencies=[CsrfChecked],
    summary="Sign in (a new session cookie)",
    openapi_extra=OPTIONAL_AUTH,
)
def signin(
    body: Signin, request: Request, response: Response, accounts: AccountsDep, who: MaybeLearner
) -> LearnerEnvelope:
    started = accounts.signin(
        body.username,
        body.password,
        client_address(request),
        request.headers.get("user-agent", ""),
        who,
        body.merge_guest,
    )
    return _started(request, response, started)


@router.post(
    "/auth/signout",
    status_code=204,
    dependencies=[CsrfChecked],
    summary="End this session",
    openapi_extra=OPTIONAL_AUTH,
)
def signout(accounts: AccountsDep, who: MaybeLearner) -> Response:
    if who is not None and who.session_id is not None:
        accounts.end_session(who, who.session_id)
    response = Response(status_code=204)
    clear_session(response)
    return response


@router.post(
    "/auth/signout-everywhere",
    status_code=204,
    dependencies=[CsrfChecked],
    responses=ERRORS,
    summary="End every session of this learner",
)
def signout_everywhere(accounts: AccountsDep, who: Learner) -> Response:
    accounts.end_all_sessions(who)
    response = Response(status_code=204)
    clear_session(response)
    return response


@router.get("/me", response_model=Me, responses=ERRORS, summary="Who is signed in, and the CSRF token")
def me(who: Learner) -> Me:
    learner = who.learner
    return Me(
        id=learner.id,
        username=learner.username,
        guest=learner.guest,
        created=learner.created,
        csrf_token=who.csrf_token,
    )


@router.put(
    "/me/password",
    status_code=204,
    dependencies=[CsrfChecked],
    responses=ERRORS,
    summary="Change the password (every other session ends)",
)
def change_password(body: PasswordChange, request: Request, accounts: AccountsDep, who: Learner) -> Response:
    started = accounts.change_password(who, body.current, body.new)
    response = Response(status_code=204)
    if started is not None:
        set_session(response, request, started)
    return response


@router.get("/me/sessions", response_model=list[SessionOut], responses=ERRORS, summary="This learner's sessions")
def sessions(accounts: AccountsDep, who: Learner) -> list[SessionOut]:
    return [
        SessionOut(id=s.id, created=s.created, last_seen=s.last_seen, current=s.id == who.session_id)
        for s in accounts.sessions(who)
    ]


@router.delete(
    "/me/sessions/{session_id}",
    status_code=204,
    dependencies=[CsrfChecked],
    responses=ERRORS,
    summary="End one session",
)
def end_session(session_id: str, accounts: AccountsDep, who: Learner) -> Response:
    accounts.end_session(who, session_id[:64])
    return Response(status_code=204)


@router.post(
    "/tokens",
    status_code=201,
    response_model=NewToken,
    dependencies=[CsrfChecked],
    responses=ERRORS,
    summary="Make a personal API token (shown once)",
)
def create_token(body: TokenRequest, accounts: AccountsDep, who: Learner) -> NewToken:
    row, secret = accounts.create_token(who, body.name)
    return NewToken(id=row.id, name=row.name, token=secret)


@router.get("/tokens", response_model=list[TokenOut], responses=ERRORS, summary="This learner's API tokens")
def tokens(accounts: AccountsDep, who: Learner) -> list[TokenOut]:
    return [TokenOut(id=t.id, name=t.name, created=t.created, last_used=t.last_used) for t in accounts.tokens(who)]


@router.delete(
    "/tokens/{token_id}", status_code=204, dependencies=[CsrfChecked], responses=ERRORS, summary="Revoke an API token"
)
def revoke_token(token_id: str, accounts: AccountsDep, who: Learner) -> Response:
    accounts.revoke_token(who, token_id[:64])
    return Response(status_code=204)


@router.get("/me/export", responses=ERRORS, summary="Everything stored about this learner")
def export(accounts: AccountsDep, who: Learner) -> dict[str, Any]:
    return accounts.export(who)


@router.delete(
    "/me",
    status_code=204,
    dependencies=[CsrfChecked],
    responses=ERRORS,
    summary="Delete this learner and every row about them",
)
def delete_me(body: Confirm, accounts: AccountsDep, who: Learner) -> Response:
    accounts.delete(who, body.confirm)
    response = Response(status_code=204)
    clear_session(response)
    return response
