"""What an operator sees: probes for a balancer, Prometheus metrics, and one JSON log line per
request with a request id that the answer carries too."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.logs import JsonLines
from app.main import create_app
from app.metrics import Metrics
from tests.conftest import write_content
from tests.support.learners import Browser
from tests.support.server import free_port, serve_command, wait_until_up

ROOT = Path(__file__).resolve().parents[1]


def scrape(client: TestClient | httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# -- probes -------------------------------------------------------------------------------
def test_a_ready_node_says_so_and_no_cache_keeps_the_answer(client: TestClient):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"content": "ok", "index": "ok", "state": "ok"}}
    for r in (alive, ready, client.get("/metrics")):
        assert r.headers["cache-control"] == "no-store" and "etag" not in r.headers
        assert "set-cookie" not in r.headers  # no session is made for a probe


def test_a_node_without_its_state_store_is_alive_but_not_ready(tmp_path, content_dir):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    settings = Settings(content_dir=content_dir, data_dir=tmp_path / "data", state_dir=blocker)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
        assert r.status_code == 503 and r.headers["cache-control"] == "no-store"
        body = r.json()
        assert body["ready"] is False
        assert body["checks"]["content"] == "ok" and body["checks"]["index"] == "ok"
        assert "cannot" in body["checks"]["state"] and str(blocker) in body["checks"]["state"]
        # The older probe keeps its meaning: reading works, learning does not.
        assert client.get("/api/health").json() == {"content": "ok", "state": "unavailable"}
        assert client.get("/entries/k-means").status_code == 200


def test_a_node_that_has_not_built_its_content_is_not_ready(tmp_path, content_dir):
    settings = Settings(
        content_dir=content_dir, data_dir=tmp_path / "data", state_dir=tmp_path / "state", build_on_start=False
    )
    with TestClient(create_app(settings)) as client:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["content"] == "not built yet"
        client.app.state.site.update()
        assert client.get("/readyz").status_code == 200


# -- metrics ------------------------------------------------------------------------------
def test_requests_are_counted_by_route_template_and_status(client: TestClient):
    for path in ("/api/entries/k-means", "/api/entries/inertia", "/api/entries/nowhere", "/no/such/page"):
        client.get(path)
    client.head("/entries/k-means")
    tag = client.get("/entries/k-means").headers["etag"]
    assert client.get("/entries/k-means", headers={"if-none-match": tag}).status_code == 304
    found = scrape(client)
    total = "glossa_http_requests_total"
    assert sample(found, total, method="GET", route="/api/entries/{slug}", status="200") == 2
    assert sample(found, total, method="GET", route="/api/entries/{slug}", status="404") == 1
    assert sample(found, total, method="GET", route="unmatched", status="404") == 1
    assert sample(found, total, method="HEAD", route="/entries/{slug}", status="200") == 1
    assert sample(found, total, method="GET", route="before-routing", status="304") == 1  # answered by its ETag
    latency = "glossa_http_request_duration_seconds_count"
    assert sample(found, latency, method="GET", route="/api/entries/{slug}") == 3
    assert (
        sample(
            found, "glossa_http_request_duration_seconds_bucket", method="GET", route="/api/entries/{slug}", le="+Inf"
        )
        == 3
    )
    labels = {value for (_, pairs) in found for _, value in pairs}
    assert not {"k-means", "inertia", "nowhere"} & {part for label in labels for part in label.split("/")}


def test_builds_are_timed_and_the_index_generation_follows_them(client: TestClient, content_dir):
    before = scrape(client)
    assert sample(before, "glossa_build_duration_seconds_count", kind="full") == 1  # the build at start
    assert sample(before, "glossa_build_duration_seconds_sum", kind="full") > 0
    generation = sample(before, "glossa_index_generation")
    write_content(content_dir, {"clustering/k-means.md": "---\ntitle: K-means clustering\n---\nRewritten.\n"})
    client.app.state.site.update()
    after = scrape(client)
    assert sample(after, "glossa_build_duration_seconds_count", kind="update") == 1
    assert sample(after, "glossa_index_generation") > generation


def test_reviews_written_are_counted_once_each(client: TestClient):
    learner = Browser(client)
    learner.guest()
    body = {"card_id": "inertia:name", "rating": 3, "key": "phone-retry-1"}
    assert learner.post("/api/study/reviews", json=body).status_code == 201
    assert learner.post("/api/study/reviews", json=body).status_code == 200  # a retry: the same review
    assert learner.post("/api/study/reviews", json={"card_id": "k-means:name", "rating": 4}).status_code == 201
    assert learner.post("/api/study/reviews", json={"card_id": "k-means:nonsense", "rating": 4}).status_code == 404
    assert sample(scrape(client), "glossa_reviews_written_total") == 2


def test_the_state_stores_pool_is_read_when_scraped(client: TestClient):
    found = scrape(client)
    assert sample(found, "glossa_state_pool_size") >= 1
    assert sample(found, "glossa_state_pool_checked_out") == 0  # nothing holds a connection between requests


def test_apps_in_one_process_count_apart(settings, tmp_path):
    other = settings.model_copy(update={"data_dir": tmp_path / "data2", "state_dir": tmp_path / "state2"})
    with TestClient(create_app(settings)) as one, TestClient(create_app(other)) as two:
        one.get("/api/entries/k-means")
        assert (
            sample(scrape(one), "glossa_http_requests_total", method="GET", route="/api/entries/{slug}", status="200")
            == 1
        )
        assert (
            sample(scrape(two), "glossa_http_requests_total", method="GET", route="/api/entries/{slug}", status="200")
            == 0
        )


def test_a_shared_metrics_folder_needs_prometheus_client_in_multiprocess_mode(tmp_path):
    with pytest.raises(ValueError, match="PROMETHEUS_MULTIPROC_DIR"):
        Metrics(tmp_path)


# -- request ids and the log ----------------------------------------------------------------
def test_a_sane_request_id_is_echoed_and_any_other_is_replaced(client: TestClient):
    assert client.get("/healthz", headers={"x-request-id": "lb-7f3a.42"}).headers["x-request-id"] == "lb-7f3a.42"
    made = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3 and all(len(rid) == 32 for rid in made)
    for bad in ("two words", "x" * 129, "é".encode()):
        rid = client.get("/healthz", headers={"x-request-id": bad}).headers["x-request-id"]
        assert rid != bad and len(rid) == 32
    assert "x-request-id" in client.get("/no/such/page").headers
    tag = client.get("/entries/k-means").headers["etag"]
    assert "x-request-id" in client.get("/entries/k-means", headers={"if-none-match": tag}).headers


@pytest.fixture
def log_lines() -> Iterator[Callable[[str], list[dict]]]:
    """The JSON lines this process logs meanwhile, as the server's log handler writes them
    (formatted as they are logged, in the request's own context), by logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines(logger: str) -> list[dict]:
        return [line for line in map(json.loads, stream.getvalue().splitlines()) if line["logger"] == logger]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_request_is_one_json_line_with_its_id_route_status_and_time(client: TestClient, log_lines):
    r = client.get("/api/entries/k-means?fields=title", headers={"x-request-id": "abc-123"})
    [line] = log_lines("app.requests")
    assert line["request_id"] == "abc-123" == r.headers["x-request-id"]
    assert (line["method"], line["route"], line["path"], line["status"]) == (
        "GET",
        "/api/entries/{slug}",
        "/api/entries/k-means",  # never the query: what readers search is their business
        200,
    )
    assert line["client"] == "testclient" and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["time"].endswith("+00:00") and "pid" in line


def test_the_client_address_is_the_one_a_trusted_proxy_vouches_for(settings, log_lines):
    settings.trusted_proxies = "testclient"
    with TestClient(create_app(settings)) as proxied:
        proxied.get("/healthz", headers={"x-forwarded-for": "203.0.113.9"})
    assert [line["client"] for line in log_lines("app.requests")] == ["203.0.113.9"]


def test_an_unhandled_error_is_logged_with_its_request_id_and_the_answer_carries_it(app, log_lines):
    @app.get("/boom")
    def boom() -> None:
        raise ZeroDivisionError("the error itself")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/boom", headers={"x-request-id": "crash-1", "accept": "application/json"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "crash-1"
    [line] = log_lines("app.requests")
    assert (line["status"], line["level"], line["route"]) == (500, "ERROR", "/boom")
    assert line["error"] == "ZeroDivisionError: the error itself"
    # The error handler's traceback, logged outside the request middleware, names the request too.
    [trace] = log_lines("app.errors")
    assert trace["request_id"] == "crash-1" and "ZeroDivisionError" in trace["exc_info"]


def test_a_request_line_reads_as_text_too():
    from app.logs import PlainText

    fields = {"request_id": "r1", "duration_ms": 0.42, "client": "127.0.0.1", "status": 200}
    record = logging.makeLogRecord({"name": "app.requests", "msg": "GET /healthz 200", **fields})
    assert PlainText().format(record).endswith("app.requests: GET /healthz 200 0.42 ms 127.0.0.1 [r1]")


# -- several workers on one port ----------------------------------------------------------------
def workers_started(log: Path) -> list[int]:
    """The pids of the workers that have started so far, from the server's log."""
    found = re.findall(r'"message":"Started server process \[(\d+)\]"', log.read_text())
    return [int(pid) for pid in found]


def test_every_worker_of_a_server_counts_in_metrics_and_logs_json_lines(tmp_path, content_dir):
    port, work, log = free_port(), tmp_path / "work", tmp_path / "serve.log"
    shared = work / "data" / "metrics"
    with open(log, "wb") as err:
        command = serve_command(content_dir, work, port, "--workers", "2")
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)  # the log: stderr
    base = f"http://127.0.0.1:{port}"

    def status_answers(client: httpx.Client) -> float:
        return sample(scrape(client), "glossa_http_requests_total", method="GET", route="/api/status", status="200")

    try:
        wait_until_up(base)

        def status(_: int) -> int:  # a connection of its own each: either worker may take it
            return httpx.get(base + "/api/status", timeout=10).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(status, range(40))) == {200}
        # A scrape reaches one worker or the other; each answers for both.
        totals = set()
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=10) as client:
                totals.add(status_answers(client))
        assert totals == {40}

        # A worker killed outright: uvicorn starts another; what the dead one counted stays
        # counted, and its pool, gone with it, leaves the sum.
        first, second = workers_started(log)
        assert list(shared.glob(f"gauge_livesum_{first}.db"))
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while len(workers_started(log)) < 3:
            assert time.monotonic() < deadline, "no worker took the killed one's place"
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert status_answers(client) == 40
        assert not list(shared.glob(f"gauge_livesum_{first}.db"))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines()]  # every line is JSON
    answered = [line for line in lines if line["logger"] == "app.requests" and line["route"] == "/api/status"]
    assert len(answered) == 40 and len({line["request_id"] for line in answered}) == 40
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]  # one line a request, ours
    counting = {int(p.stem.rsplit("_", 1)[1]) for p in shared.glob("counter_*.db")}
    assert {first, second} <= counting  # each worker wrote its counts into the shared folder
