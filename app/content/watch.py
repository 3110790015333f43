"""Rebuild when content changes, so an edit shows up without a restart."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Protocol

from watchfiles import watch

log = logging.getLogger(__name__)

RESCAN_EVERY = 600.0  # seconds between looks at every file, for changes the watch missed
RETRY_AFTER = 5.0  # seconds after a failed build before every file is looked at again
QUIET_AFTER = 1.0  # seconds without a change before on_quiet (housekeeping) is called


class OnChange(Protocol):
    def __call__(self, *, changed: Iterable[str] | None) -> object: ...


class Watcher:
    """Calls on_change(changed=paths) after each burst of changes in the content folder, with
    the paths that changed, so that a build looks at those alone.

    A watch can miss changes (an overflowing event queue, a change made between the start-up
    build and the watch being set), so on_change(changed=None), a look at every file, comes
    once the watch is set and then every `rescan_every` seconds (timed by `clock`).

    on_quiet(), if given, is called once changes have stopped for `QUIET_AFTER` seconds: work
    that should not delay an edit (merging the index's small segments).

    Of several processes sharing a data folder (workers), only the one holding the watch
    lock watches; the others find its builds in the shared store and index.
    """

    def __init__(
        self,
        content_dir: Path,
        lock_path: Path,
        on_change: OnChange,
        rescan_every: float = RESCAN_EVERY,
        clock: Callable[[], float] = time.monotonic,
        on_quiet: Callable[[], object] | None = None,
    ):
        self.content_dir = content_dir
        self.lock_path = lock_path
        self.on_change = on_change
        self.on_quiet = on_quiet
        self._quiet_at: float | None = None  # when on_quiet is due, after a change
        self.rescan_every = rescan_every
        self.clock = clock
        self.ready = threading.Event()  # set once changes are being watched
        self._next_scan: float | None = None  # None: at the first round
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
        for changes in watch(
            self.content_dir, stop_event=self._stop, debounce=200, step=50, rust_timeout=100, yield_on_timeout=True
        ):
            self.ready.set()
            self.round({path for _, path in changes})

    def round(self, paths: set[str]) -> None:
        """One round of the watch: the paths of a burst of changes, or none (a quiet spell)."""
        now = self.clock()
        if self._next_scan is None or now >= self._next_scan:
            self._next_scan = now + self.rescan_every
            self._call(None)  # every file, these included
            return
        wanted = {p for p in paths if self._content(p)}
        if wanted:
            self._call(wanted)
        elif not paths and self._quiet_at is not None and now >= self._quiet_at:
            self._quiet_at = None
            try:
                if self.on_quiet is not None:
                    self.on_quiet()
            except Exception:  # housekeeping that fails must not stop watching either
                log.exception("housekeeping after content changes failed")

    def _content(self, path: str) -> bool:
        """Whether a changed path may be content: not hidden (an editor's swap file, git's
        folder). The build decides the rest: entries, category files, study paths, folders."""
        try:
            rel = Path(path).relative_to(self.content_dir.absolute())
        except ValueError:
            try:
                rel = Path(path).relative_to(self.content_dir.resolve())
            except ValueError:
                return True  # not where we thought: let the build look
        return not any(part.startswith(".") for part in rel.parts) and not rel.name.endswith("~")

    def _call(self, paths: set[str] | None) -> None:
        try:
            self.on_change(changed=paths)  # which logs its own summary
        except Exception:  # a bad edit must not stop watching
            log.exception("rebuild after a content change failed")
            # Those changes are not in: look at everything again soon.
            self._next_scan = min(self._next_scan or 0.0, self.clock() + RETRY_AFTER)
        self._quiet_at = self.clock() + QUIET_AFTER
