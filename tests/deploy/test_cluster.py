"""Two nodes behind HAProxy on one PostgreSQL state store, started by deploy/cluster.py as an
operator would: reads through the balancer, a node killed with SIGKILL, a content edit that
reaches every node, the state store cut away and back, and a clean stop. Skipped, with the
reason, without haproxy or a PostgreSQL server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.cluster import Cluster
from tests.conftest import SAMPLE, write_content
from tests.deploy.conftest import reviews_with_key, target_of, through
from tests.deploy.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(
    shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy; CI installs it)"
)
READS = ("/api/entries", "/api/entries/k-means", "/api/search?q=inertia", "/entries/inertia", "/")


def eventually(check, what: str, timeout: float = 20):
    """Poll check() until it returns something true; fail naming what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    pytest.fail(f"not within {timeout:.0f} s: {what}")


@pytest.fixture(scope="module")
def proxy(module_postgres: str) -> Iterator[TcpProxy]:
    with TcpProxy(*target_of(module_postgres)) as cut_able:
        yield cut_able


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, module_postgres: str, proxy: TcpProxy) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("cluster")
    content = write_content(work / "content", SAMPLE)
    started = Cluster(content, work, through(proxy, module_postgres), nodes=2)
    with started:
        yield started


@pytest.fixture(scope="module")
def learner(cluster: Cluster) -> Iterator[httpx.Client]:
    """A guest, through the balancer, with the CSRF token its session needs."""
    with httpx.Client(base_url=cluster.url, timeout=10) as client:
        assert client.post("/api/auth/guest").status_code == 201
        client.headers["x-csrf-token"] = client.get("/api/me").json()["csrf_token"]
        yield client


def card_of(client: httpx.Client) -> str:
    card: str = client.get("/api/study/queue").json()["cards"][0]["id"]
    return card


def read_all(base: str, rounds: int = 4) -> list[tuple[str, int]]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return [(path, client.get(path).status_code) for _ in range(rounds) for path in READS]


def test_reads_answer_through_the_balancer_and_a_review_is_stored_once(cluster, learner, module_postgres):
    assert {status for _, status in read_all(cluster.url)} == {200}
    for node in cluster.nodes:  # each node serves on its own too
        assert httpx.get(node.url + "/api/entries/k-means", timeout=10).status_code == 200
    body = {"card_id": card_of(learner), "rating": 3, "key": "through-the-balancer"}
    first = learner.post("/api/study/reviews", json=body)
    assert first.status_code == 201, first.text
    # The same key sent again, to each node directly: the answer already given, not another.
    for node in cluster.nodes:
        again = httpx.post(
            node.url + "/api/study/reviews", json=body, headers=learner.headers, cookies=learner.cookies, timeout=10
        )
        assert again.status_code == 200, again.text
        assert again.json()["review_id"] == first.json()["review_id"]
    assert reviews_with_key(module_postgres, "through-the-balancer") == 1


def test_a_node_killed_with_sigkill_is_routed_around(cluster):
    cluster.kill_node(0)
    # The balancer has not yet noticed: requests sent to the dead node are sent again to the other.
    assert {status for _, status in read_all(cluster.url, rounds=6)} == {200}
    eventually(lambda: cluster.servers_up().get("ready/node1") is False, "HAProxy marks node 1 down")
    cluster.start_node(0)
    cluster.wait_ready(0)
    cluster.wait_balanced([0, 1])
    assert {status for _, status in read_all(cluster.url)} == {200}


def test_a_content_edit_reaches_every_node(cluster):
    path = Path(cluster.content) / "clustering/inertia.md"
    path.write_text(path.read_text() + "\nThe elbow of inertia flattens past the right k.\n")

    def everywhere() -> bool:
        return all(
            "elbow of inertia flattens" in httpx.get(n.url + "/api/entries/inertia", timeout=10).text
            for n in cluster.nodes
        )

    eventually(everywhere, "every node serves the edited entry", timeout=15)
    results = httpx.get(cluster.url + "/api/search", params={"q": "flattens"}, timeout=10).json()["results"]
    assert [r["slug"] for r in results] == ["inertia"]


def test_reading_works_and_study_answers_503_while_the_store_is_away(cluster, learner, proxy, module_postgres):
    card = card_of(learner)

    def review(key: str) -> httpx.Response:
        return learner.post("/api/study/reviews", json={"card_id": card, "rating": 3, "key": key})

    proxy.cut()
    try:
        # Every node fails its readiness check at once (the store is shared): the balancer
        # then sends requests to the nodes that are alive, and reading goes on.
        eventually(
            lambda: not any(up for name, up in cluster.servers_up().items() if name.startswith("ready/")),
            "HAProxy counts no node ready",
        )
        assert {status for _, status in read_all(cluster.url)} == {200}
        for answer in (learner.get("/api/study/queue"), review("while-away")):
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["retry-after"]) > 0
            assert "unavailable" in answer.json()["detail"]  # the node's answer, not the balancer's
    finally:
        proxy.restore()
    cluster.wait_balanced([0, 1])
    answer = eventually(lambda: (r := review("while-away")).status_code in (200, 201) and r, "study works again")
    assert answer.status_code == 201
    assert review("while-away").status_code == 200
    assert reviews_with_key(module_postgres, "while-away") == 1


def test_the_cluster_stops_cleanly(cluster):
    codes = cluster.stop()
    assert set(codes) == {"haproxy", "node1", "node2"}
    for i, node in enumerate(cluster.nodes):
        assert not node.running
        log = cluster.log_tail(i, lines=5)
        assert "Finished server process" in log, log  # uvicorn's graceful shutdown ran to its end
