"""Sign-in, sign-up and account pages: plain HTML forms that work without JavaScript."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.limits import TooMany
from app.accounts.service import AccountError, Started
from app.accounts.web import AccountsDep, CsrfChecked, Learner, MaybeLearner, clear_session, client_address, set_session
from app.web.render import page

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=1000)]


def _safe_next(target: str) -> str:
    """Only a path on this site: never another site (an open redirect)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/account"


def _signed_in(request: Request, started: Started, target: str) -> RedirectResponse:
    response = RedirectResponse(_safe_next(target), status_code=303)
    set_session(response, request, started)
    return response


def _form(
    request: Request, name: str, context: dict[str, object], err: AccountError | TooMany | None = None
) -> HTMLResponse:
    status = 200
    if isinstance(err, AccountError):
        context["error"], status = err.detail, err.status
    elif isinstance(err, TooMany):
        context["error"], status = str(err), 429
    response = page(request, name, context, status_code=status)
    if isinstance(err, TooMany):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/account") -> HTMLResponse:
    return _form(request, "signin.html", {"next": _safe_next(next), "username": ""})


@router.post("/signin", dependencies=[CsrfChecked], response_model=None)
def signin(
    request: Request,
    accounts: AccountsDep,
    who: MaybeLearner,
    username: Field,
    password: Field,
    merge_guest: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/account",
) -> Response:
    try:
        started = accounts.signin(
            username,
            password,
            client_address(request),
            request.headers.get("user-agent", ""),
            who,
            merge_guest == "yes",
        )
    except (AccountError, TooMany) as err:
        return _form(request, "signin.html", {"next": _safe_next(next), "username": username}, err)
    return _signed_in(request, started, next)


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request, next: str = "/account") -> HTMLResponse:
    return _form(request, "signup.html", {"next": _safe_next(next), "username": "", "mode": _mode(request)})


@router.post("/signup", dependencies=[CsrfChecked], response_model=None)
def signup(
    request: Request,
    accounts: AccountsDep,
    who: MaybeLearner,
    username: Field,
    password: Field,
    invite: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "/account",
) -> Response:
    try:
        started = accounts.signup(
            username, password, client_address(request), request.headers.get("user-agent", ""), who, invite
        )
    except (AccountError, TooMany) as err:
        return _form(
            request, "signup.html", {"next": _safe_next(next), "username": username, "mode": _mode(request)}, err
        )
    return _signed_in(request, started, next)


def _mode(request: Request) -> str:
    return str(request.app.state.site.settings.signup)


@router.post("/guest", dependencies=[CsrfChecked], response_model=None)
def guest(request: Request, accounts: AccountsDep, who: MaybeLearner, next: Annotated[str, Form()] = "/") -> Response:
    started = accounts.create_guest(client_address(request), request.headers.get("user-agent", ""), who)
    return _signed_in(request, started, next)


@router.post("/signout", dependencies=[CsrfChecked])
def signout(accounts: AccountsDep, who: MaybeLearner) -> RedirectResponse:
    if who is not None and who.session_id is not None:
        accounts.end_session(who, who.session_id)
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response


# -- /account ------------------------------------------------------------------------------------
def _account(request: Request, accounts: AccountsDep, who: Learner, status: int = 200, **extra: object) -> HTMLResponse:
    context = {
        "me": who.learner,
        "sessions": accounts.sessions(who),
        "tokens": accounts.tokens(who),
        "current_session": who.session_id,
        **extra,
    }
    return page(request, "account.html", context, status_code=status)


@router.get("/account", response_class=HTMLResponse, response_model=None)
def account(request: Request, accounts: AccountsDep, who: MaybeLearner) -> Response:
    if who is None:
        return RedirectResponse("/signin?next=/account", status_code=303)
    return _account(request, accounts, who)


@router.post("/account/password", dependencies=[CsrfChecked], response_model=None)
def change_password(request: Request, accounts: AccountsDep, who: Learner, current: Field, new: Field) -> Response:
    try:
        started = accounts.change_password(who, current, new)
    except AccountError as err:
        return _account(request, accounts, who, err.status, password_error=err.detail)
    response = RedirectResponse("/account?changed=password", status_code=303)
    if started is not None:
        set_session(response, request, started)
    return response


@router.post("/account/sessions/{session_id}/end", dependencies=[CsrfChecked])
def end_session(session_id: str, accounts: AccountsDep, who: Learner) -> RedirectResponse:
    accounts.end_session(who, session_id[:64])
    if session_id == who.session_id:
        response = RedirectResponse("/", status_code=303)
        clear_session(response)
        return response
    return RedirectResponse("/account", status_code=303)


@router.post("/account/signout-everywhere", dependencies=[CsrfChecked])
def signout_everywhere(accounts: AccountsDep, who: Learner) -> RedirectResponse:
    accounts.end_all_sessions(who)
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response


@router.post("/account/tokens", dependencies=[CsrfChecked], response_model=None)
def create_token(
    request: Request, accounts: AccountsDep, who: Learner, name: Annotated[str, Form(max_length=200)]
) -> Response:
    try:
        row, secret = accounts.create_token(who, name)
    except (AccountError, TooMany) as err:
        status = err.status if isinstance(err, AccountError) else 429
        return _account(request, accounts, who, status, token_error=str(err))
    return _account(request, accounts, who, 201, new_token=secret, new_token_name=row.name)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_token(token_id: str, accounts: AccountsDep, who: Learner) -> RedirectResponse:
    accounts.revoke_token(who, token_id[:64])
    return RedirectResponse("/account", status_code=303)


@router.get("/account/export")
def export(accounts: AccountsDep, who: Learner) -> Response:
    body = json.dumps(accounts.export(who), indent=2, ensure_ascii=False)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="glossa-export.json"'},
    )


@router.post("/account/delete", dependencies=[CsrfChecked], response_model=None)
def delete(
    request: Request, accounts: AccountsDep, who: Learner, confirm: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    try:
        accounts.delete(who, confirm)
    except AccountError as err:
        return _account(request, accounts, who, err.status, delete_error=err.detail)
    response = RedirectResponse("/?deleted=1", status_code=303)
    clear_session(response)
    return response
