"""The memo behind cached pages and searches computes each missing value once."""

from __future__ import annotations

import threading

import pytest

from app.memo import Memo


def test_many_threads_asking_for_one_missing_value_compute_it_once():
    memo: Memo[int] = Memo(8)
    started, release = threading.Event(), threading.Event()
    calls = []

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("page", compute))) for _ in range(8)]
    threads[0].start()
    assert started.wait(10)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert results == [42] * 8 and calls == [1]


def test_a_failed_computation_is_not_remembered_and_lets_the_next_try():
    memo: Memo[int] = Memo(8)
    with pytest.raises(RuntimeError):
        memo.get("k", lambda: (_ for _ in ()).throw(RuntimeError("database went away")))
    assert memo.get("k", lambda: 7) == 7


def test_the_oldest_value_goes_first_when_full():
    memo: Memo[str] = Memo(2)
    for key in ("a", "b", "a", "c"):  # "a" is used again, so "b" is the oldest
        memo.get(key, lambda key=key: key.upper())
    assert memo.get("a", lambda: "recomputed") == "A"
    assert memo.get("b", lambda: "recomputed") == "recomputed"
