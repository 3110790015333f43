"""Prometheus metrics of one app: requests by route template and status with their latency,
build durations, the search index's generation, reviews written, the state store's pool.

Each app has its own registry, so several apps in one process (tests) never share counts. A
server with several worker processes on one port (`glossa serve --workers N`) is another
matter: a scrape reaches one worker at random, so the workers keep their figures in files in
one shared folder (prometheus-client's multiprocess mode) and any worker answers /metrics
with the sum of them all."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values
from sqlalchemy.pool import QueuePool

if TYPE_CHECKING:
    from app.content.build_report import BuildReport
    from app.site import Site

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"  # requests no route answers: one label, whatever the path
BEFORE_ROUTING = "before-routing"  # answered by a middleware: a 304 from the build's ETag, a preflight
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Most answers take a few milliseconds; a cold search or a big export, seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BUILD_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
_LIVE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db")


def multiprocess_ready() -> bool:
    """Whether prometheus-client was imported in multiprocess mode: it decides once, at
    import, from PROMETHEUS_MULTIPROC_DIR."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def prepare_shared_dir(path: Path) -> dict[str, str]:
    """Empty the workers' metrics folder before they start (figures of an earlier run would be
    added to theirs); returns the environment the workers need. prometheus-client reads its
    folder from PROMETHEUS_MULTIPROC_DIR when it is imported, and Glossa from GLOSSA_METRICS_DIR."""
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink(missing_ok=True)
    folder = str(path.resolve())
    return {"PROMETHEUS_MULTIPROC_DIR": folder, "GLOSSA_METRICS_DIR": folder}


class Metrics:
    def __init__(self, shared_dir: Path | None = None):
        if shared_dir is not None and not multiprocess_ready():
            raise ValueError(
                f"GLOSSA_METRICS_DIR is {shared_dir}, but prometheus-client is not in multiprocess mode: "
                "set PROMETHEUS_MULTIPROC_DIR to the same empty folder before the server starts "
                "(`glossa serve --workers N` does both)"
            )
        self.shared_dir = shared_dir
        self.site: Site | None = None
        # Shared: the values live in the folder's files and are read back from there, so these
        # objects join no registry. Alone: this app's own registry.
        self.registry = CollectorRegistry(auto_describe=True)
        registry = None if shared_dir else self.registry
        self.requests = Counter(
            "glossa_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "glossa_http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.builds = Histogram(
            "glossa_build_duration_seconds",
            "Time to bring the content store and search index up to date (kind: full or update).",
            ["kind"],
            buckets=BUILD_BUCKETS,
            registry=registry,
        )
        self.reviews = Counter(
            "glossa_reviews_written",
            "Study reviews recorded in the state store (a retried answer counts once).",
            registry=registry,
        )
        # Workers share one index folder: the figure of whichever looked last is everyone's.
        self.index_generation = Gauge(
            "glossa_index_generation",
            "Generation of the search index on disk: it grows with every update, and starts again after a full build.",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        # Each worker has its own pool: the figures of the workers alive, summed.
        self.pool_checked_out = Gauge(
            "glossa_state_pool_checked_out",
            "State-store connections in use now.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "glossa_state_pool_size",
            "State-store connections the pool keeps (more may be opened as overflow).",
            registry=registry,
            multiprocess_mode="livesum",
        )

    # -- what happens -------------------------------------------------------------------
    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"  # a client may send any token
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if self.shared_dir is not None:
            # Only the worker that answers a scrape can read its pool then: the others say
            # theirs as each of their requests ends.
            self._sample_pool()

    def build_finished(self, report: BuildReport) -> None:
        self.builds.labels("full" if report.full else "update").observe(report.seconds)
        self._sample_index()

    def review_written(self) -> None:
        self.reviews.inc()

    # -- a scrape ---------------------------------------------------------------------------
    def exposition(self) -> bytes:
        """The Prometheus text format: this app's figures, or every worker's."""
        self._sample_index()
        self._sample_pool()
        if self.shared_dir is None:
            return generate_latest(self.registry)
        self._forget_dead_workers()
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=str(self.shared_dir))
        return generate_latest(merged)

    def _sample_index(self) -> None:
        if self.site is not None:
            with contextlib.suppress(Exception):  # an index being replaced: the next scrape reads it
                self.index_generation.set(self.site.index.ix.latest_generation())

    def _sample_pool(self) -> None:
        state = self.site.state if self.site is not None else None
        pool = state.pool() if state is not None else None
        if isinstance(pool, QueuePool):
            self.pool_checked_out.set(pool.checkedout())
            self.pool_size.set(pool.size())
        else:  # unavailable: no connections held
            self.pool_checked_out.set(0)
            self.pool_size.set(0)

    def _forget_dead_workers(self) -> None:
        """A worker that died without a clean exit (killed, restarted by uvicorn) leaves its
        pool figures behind; its counts stay, as counts do."""
        assert self.shared_dir is not None
        for file in self.shared_dir.glob("gauge_live*.db"):
            match = _LIVE_FILE.fullmatch(file.name)
            if match and not _alive(int(match.group(1))):
                multiprocess.mark_process_dead(int(match.group(1)), str(self.shared_dir))

    def close(self) -> None:
        if self.shared_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self.shared_dir))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
