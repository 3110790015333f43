"""A request refused for a reason the user can act on, with the HTTP status that says what kind
(401, 403, 404, 409, 422). Routes raise it; app/errors.py answers it as JSON or as a page."""

from __future__ import annotations


class Refusal(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail
