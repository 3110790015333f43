"""Rebuild when content changes, so an edit shows up without a restart."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from watchfiles import watch

log = logging.getLogger(__name__)


class Watcher:
    """Calls on_change() after each burst of changes to Markdown or category files.

    Of several processes sharing a data folder (workers), only the one holding the watch
    lock watches; the others find its builds in the shared store and index.
    """

    def __init__(self, content_dir: Path, lock_path: Path, on_change: Callable[[], object]):
        self.content_dir = content_dir
        self.lock_path = lock_path
        self.on_change = on_change
        self.ready = threading.Event()  # set once changes are being watched
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="glossa-watch", daemon=True)
        self._lock_file: IO[str] | None = None

    def start(self) -> bool:
        self._lock_file = open(self.lock_path, "a+")  # noqa: SIM115 - held while watching
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("another process watches %s; this one only serves", self.content_dir)
            self._lock_file.close()
            return False
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self._lock_file is not None and not self._lock_file.closed:
            self._lock_file.close()

    def _run(self) -> None:
        self.content_dir.mkdir(parents=True, exist_ok=True)
        # Short debounce: an editor's save arrives as a burst of events within ~50 ms. The
        # short timeout makes the first (empty) round come soon: it proves the watch is set.
        for changes in watch(self.content_dir, stop_event=self._stop, debounce=200, step=50,
                             rust_timeout=100, yield_on_timeout=True):
            self.ready.set()
            if not any(p.endswith((".md", ".yml")) for _, p in changes):
                continue
            try:
                self.on_change()  # which logs its own summary
            except Exception:  # noqa: BLE001 - a bad edit must not stop watching
                log.exception("rebuild after a content change failed")
