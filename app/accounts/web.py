"""Who is asking, and whether a state-changing request really comes from our own pages.

A request is authenticated by the session cookie or by an API token (`Authorization: Bearer`).
A state-changing request that carries the cookie must also carry the session's CSRF token (an
`X-CSRF-Token` header, or a `csrf_token` form field); forms shown before there is a session use
a CSRF cookie of their own (double submit). A request from another site's page is refused.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from app.accounts.service import AccountError, Accounts, Identity, Later, Started
from app.deps import usable
from app.site import Site
from app.state import StateUnavailable

SESSION_COOKIE = "glossa_session"
CSRF_COOKIE = "glossa_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

bearer_scheme = HTTPBearer(auto_error=False, description="A personal API token from /account")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The session cookie")


def site_accounts(request: Request) -> Accounts:
    site: Site = request.app.state.site
    if site.accounts is None:
        raise StateUnavailable("learners' data is unavailable: this site runs without a state store")
    return site.accounts


def identify(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
    later: BackgroundTasks,
) -> Identity | None:
    """The learner making the request, or None; marking their session or token as used waits
    until the answer is sent."""
    return who_is(request, bearer, cookie, later.add_task)


def who_is(
    request: Request, bearer: HTTPAuthorizationCredentials | None, cookie: str | None, later: Later | None = None
) -> Identity | None:
    """A bad API token is refused outright; a stale cookie is only ignored (the browser is then
    a visitor)."""
    if bearer is None and not cookie:
        return None
    accounts = site_accounts(request)
    accounts.state.engine()  # StateUnavailable, with the reason, when it cannot be used
    if bearer is not None:
        found = accounts.from_token(bearer.credentials, later)
        if found is None:
            raise AccountError(401, "that API token is not valid (revoked, or never made)")
        return found
    return accounts.from_cookie(cookie, later) if cookie else None


def viewer(request: Request) -> Identity | None:
    """For pages: who is reading, if anyone; reading works even when the state store does not."""
    try:
        found = who_is(request, _bearer_of(request), request.cookies.get(SESSION_COOKIE))
    except (StateUnavailable, AccountError):
        found = None
    request.state.viewer = found
    return found


def _bearer_of(request: Request) -> HTTPAuthorizationCredentials | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())


async def require_learner(who: Annotated[Identity | None, Depends(identify)]) -> Identity:
    if who is None:
        raise AccountError(401, "sign in, or start as a guest, first")
    return who


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_site(request: Request) -> bool:
    """False for a request made by another site's page (Origin, or Sec-Fetch-Site)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1].rstrip("/") == request.headers.get("host", "")


async def check_csrf(request: Request, who: Annotated[Identity | None, Depends(identify)]) -> None:
    """For every state-changing route."""
    if request.method in SAFE_METHODS:
        return
    if not same_site(request):
        raise AccountError(403, "refused: this request came from another site")
    if who is not None and who.via == "token":
        return  # a script with a token: no cookie, so nothing to forge
    cookie_session = who is not None  # a stale cookie authenticates nothing: nothing to forge
    form_post = request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )
    page_route = not request.url.path.startswith("/api/")  # the forms' own routes always need it
    if not cookie_session and not form_post and not page_route:
        return  # a script without credentials (a first sign-in by JSON): nothing ambient to abuse
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and form_post:
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    expected = who.csrf_token if who is not None and who.via == "cookie" else request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        raise AccountError(
            403,
            "refused: the CSRF token is missing or wrong (reload the page and try again; "
            f"scripts send the one from GET /api/me in {CSRF_HEADER})",
        )


def set_session(response: Response, request: Request, started: Started) -> None:
    site: Site = request.app.state.site
    settings = site.settings
    secure = settings.secure_cookies if settings.secure_cookies is not None else request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        started.token,
        max_age=settings.session_max_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def start_guest(accounts: Accounts, request: Request) -> Started:
    """A visitor's first study action makes them a guest, with no form to fill; the caller sets
    the session on its response (set_session)."""
    return accounts.create_guest(client_address(request), request.headers.get("user-agent", ""), None)


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


class FormToken:
    """The token a page's forms carry: the session's, or before there is a session a CSRF
    cookie's, which is set only when a form on the page asked for it (templates call it)."""

    def __init__(self, request: Request):
        self.request = request
        self.new_cookie: str | None = None

    def __call__(self) -> str:
        who: Identity | None = getattr(self.request.state, "viewer", None)
        if who is not None and who.csrf_token:
            return who.csrf_token
        token = self.request.cookies.get(CSRF_COOKIE) or self.new_cookie
        if token is None:
            token = self.new_cookie = secrets.token_urlsafe(32)
        return token

    def set_cookie(self, response: Response) -> None:
        if self.new_cookie is not None:
            response.set_cookie(
                CSRF_COOKIE,
                self.new_cookie,
                path="/",
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
            )


async def accounts_of(request: Request) -> Accounts:
    accounts = site_accounts(request)
    await usable(accounts.state)
    return accounts


AccountsDep = Annotated[Accounts, Depends(accounts_of)]
MaybeLearner = Annotated[Identity | None, Depends(identify)]
Learner = Annotated[Identity, Depends(require_learner)]
CsrfChecked = Depends(check_csrf)
