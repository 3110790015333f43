"""Passwords: what is accepted, and Argon2id hashes through pwdlib."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 200  # hashing a huge password is work an attacker could make us do
USERNAME = re.compile(r"[A-Za-z0-9._-]{3,32}")
COMMON = Path(__file__).with_name("common-passwords.txt")


class Rejected(ValueError):
    """Why a username or password is refused, in words a learner can act on."""


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise Rejected("a username has 3 to 32 characters: letters, digits, '.', '-' or '_'")
    return username


def check_password(password: str, username: str | None = None) -> str:
    if len(password) < MIN_LENGTH:
        raise Rejected(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise Rejected(f"a password has at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if folded in _common():
        raise Rejected("this password is in a list of common passwords; choose another")
    if len(set(folded)) <= 2:
        raise Rejected("this password repeats one or two characters; choose another")
    if username and username.casefold() in folded:
        raise Rejected("a password must not contain the username")
    return password


class Hasher:
    """Argon2id with the configured cost. A hash made with other parameters still verifies,
    and verify() returns a new hash then, so the stored one can be upgraded at sign-in."""

    def __init__(self, memory_kib: int = 65536, time_cost: int = 3, parallelism: int = 4):
        self._hash = PasswordHash((Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism),))
        # Verified when the username is unknown, so that both answers take the same time.
        self._decoy = self._hash.hash("a decoy password nobody has")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store or None). stored None (no such learner) costs the
        same as a real check and never matches."""
        if stored is None:
            self._hash.verify(password, self._decoy)
            return False, None
        return self._hash.verify_and_update(password, stored)
