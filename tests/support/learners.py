"""A test browser that signs in and carries the CSRF token its pages hand out."""

from __future__ import annotations

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


class Browser:
    """A TestClient that remembers the CSRF token its pages and /api/me hand out."""

    def __init__(self, client: TestClient):
        self.client = client

    def csrf(self) -> str:
        token = self.client.get("/api/me").json().get("csrf_token")
        assert token, "not signed in"
        return token

    def csrf_if_signed_in(self) -> dict[str, str]:
        token = self.client.get("/api/me").json().get("csrf_token")
        return {"x-csrf-token": token} if token else {}

    def post(self, path: str, **kwargs):
        headers = {"x-csrf-token": self.csrf(), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)

    def guest(self) -> dict:
        r = self.client.post("/api/auth/guest")
        assert r.status_code == 201, r.text
        return r.json()["learner"]

    def signup(self, username: str, password: str = PASSWORD) -> dict:
        headers = self.csrf_if_signed_in()
        r = self.client.post("/api/auth/signup", json={"username": username, "password": password}, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()["learner"]

    def signin(self, username: str, password: str = PASSWORD, merge_guest: bool = False):
        headers = self.csrf_if_signed_in()
        body = {"username": username, "password": password, "merge_guest": merge_guest}
        return self.client.post("/api/auth/signin", json=body, headers=headers)
