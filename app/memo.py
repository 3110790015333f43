"""A bounded memo shared by threads, computing each missing value once.

Routes run in a thread pool: after a build, many requests ask at once for the same page or
search that is no longer remembered. Without coordination each would compute it (a herd of
identical work fighting for the GIL); here the first computes and the others wait for it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> V | None:
        """The value if it is remembered now, without waiting or computing."""
        with self._lock:
            return self._values.get(key)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
                    break
            waiting.wait()  # another thread computes it; then look again
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                if len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()
