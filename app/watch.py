"""Rebuild when content changes, so an edit shows up without a restart."""

from __future__ import annotations

import fcntl
import logging
import threading

from watchfiles import watch

from app.builder import Builder

log = logging.getLogger(__name__)


class Watcher:
    def __init__(self, builder: Builder):
        self.builder = builder
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="glossa-watch", daemon=True)

    def start(self) -> bool:
        """Watch, unless another process on this data folder already does (workers)."""
        path = self.builder.settings.data_dir / ".watch.lock"
        self._lock_file = open(path, "a+")  # held for the life of the process
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("another process watches %s; this one only serves", self.builder.settings.content_dir)
            self._lock_file.close()
            return False
        self.thread.start()
        return True

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        if not self._lock_file.closed:
            self._lock_file.close()

    def _run(self) -> None:
        content = self.builder.settings.content_dir
        content.mkdir(parents=True, exist_ok=True)
        # Short debounce: an editor's save arrives as a burst of events within ~50 ms.
        for changes in watch(content, stop_event=self.stop_event, debounce=200, step=50,
                             rust_timeout=500, yield_on_timeout=False):
            if not any(p.endswith((".md", ".yml")) for _, p in changes):
                continue
            try:
                if self.builder.build().full:  # which logs its own summary
                    self.builder.index.warm()
            except Exception:  # noqa: BLE001 - a bad edit must not stop watching
                log.exception("rebuild after a content change failed")
