"""Several Glossa nodes behind HAProxy on this machine, sharing one state store.

usage: python deploy/cluster.py up --state-url URL [--nodes 3] [--port 8080] [--redis-url URL]
                                   [--content content] [--work /var/tmp/glossa-cluster]
       python deploy/cluster.py render --bind :8080 --node HOST:PORT [--node ...] [--stats :8404]

`up` starts N nodes (`glossa serve --watch`, each with its own data folder and port under --work,
all on the same content folder and the same state URL, optionally the same Redis) and HAProxy in
front of them, waits until the balancer answers, and stops everything cleanly on Ctrl-C or
SIGTERM. `render` prints the HAProxy configuration for nodes elsewhere (compose, other hosts).
The benchmarks and tests drive the same Cluster class.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")
READY_PATH = "/readyz"  # content built, index open, state store reachable: the balancer's check
ALIVE_PATH = "/healthz"  # the process answers: the check of the fallback backend


def render(
    bind: str,
    nodes: list[str],
    *,
    stats: str | None = None,
    resolvers: str | None = None,
    ready_path: str = READY_PATH,
    alive_path: str = ALIVE_PATH,
) -> str:
    """The HAProxy configuration for nodes given as HOST:PORT, in this order. resolvers: a DNS
    server (HOST:PORT) to look node names up again while running, for nodes whose address
    changes when they restart (containers); HAProxy then also starts before they exist."""

    def servers(prefix: str) -> str:
        return "\n".join(f"    server {prefix}{i} {address}" for i, address in enumerate(nodes, 1))

    section = f"\nlisten stats\n    bind {stats}\n    stats enable\n    stats uri /\n" if stats else ""
    dns = f"\nresolvers dns\n    nameserver dns1 {resolvers}\n    hold valid 5s\n" if resolvers else ""
    return Template(TEMPLATE.read_text()).substitute(
        resolvers=dns,
        server_options=" resolvers dns init-addr last,libc,none" if resolvers else "",
        bind=bind,
        ready_path=ready_path,
        alive_path=alive_path,
        ready_servers=servers("node"),
        alive_servers=servers("alive"),
        stats=section,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers(url: str, timeout: float = 2.0) -> int | None:
    """The status a GET of url answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as err:
        return err.code
    except (OSError, urllib.error.URLError):
        return None


@dataclass
class Node:
    index: int
    port: int
    folder: Path  # data/ (derived, this node's own) and serve.log
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Cluster:
    """N nodes and HAProxy. Each node: its own port and data folder, the shared content folder
    (watched), the shared state URL and Redis URL."""

    def __init__(
        self,
        content: Path,
        work: Path,
        state_url: str,
        *,
        nodes: int = 3,
        port: int = 0,
        redis_url: str | None = None,
        env: dict[str, str] | None = None,
        ready_path: str = READY_PATH,
        alive_path: str = ALIVE_PATH,
    ):
        self.content = content.resolve()
        self.work = work.resolve()
        self.state_url = state_url
        self.redis_url = redis_url
        self.env = env or {}
        self.ready_path, self.alive_path = ready_path, alive_path
        self.port = port or free_port()
        self.stats_port = free_port()
        self.nodes = [Node(i, free_port(), self.work / f"node{i + 1}") for i in range(nodes)]
        self.balancer: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- nodes -------------------------------------------------------------------------------
    def node_command(self, node: Node) -> list[str]:
        return [
            sys.executable, "-m", "app", "serve", "--watch", "--host", "127.0.0.1", "--port", str(node.port),
            "--content", str(self.content), "--data", str(node.folder / "data"), "--state", str(node.folder / "state"),
            "--state-database-url", self.state_url,
        ]  # fmt: skip

    def start_node(self, i: int) -> Node:
        """Start node i (again); returns at once (see wait_ready)."""
        node = self.nodes[i]
        if node.running:
            raise RuntimeError(f"node {i + 1} is already running")
        node.folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GLOSSA_TRUSTED_PROXIES": "127.0.0.1", "PYTHONUNBUFFERED": "1", **self.env}
        if self.redis_url:
            env["GLOSSA_REDIS_URL"] = self.redis_url
        if node.log is not None:
            node.log.close()
        node.log = open(node.folder / "serve.log", "ab")  # noqa: SIM115 - closed at stop
        node.process = subprocess.Popen(
            self.node_command(node),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=node.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches its workers too
        )
        return node

    def kill_node(self, i: int, sig: int = signal.SIGKILL) -> None:
        """Send sig (kill -9 by default) to node i and wait for it to end."""
        node = self.nodes[i]
        if node.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.process.pid, sig)
        node.process.wait(timeout=30)

    def stop_node(self, i: int, timeout: float = 20) -> int | None:
        """Stop node i cleanly (SIGTERM: uvicorn finishes the requests in hand); kill -9 after
        timeout. Returns its exit status."""
        node = self.nodes[i]
        if node.process is None:
            return None
        if node.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(node.process.pid, signal.SIGTERM)
            try:
                node.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_node(i)
        if node.log is not None:
            node.log.close()
            node.log = None
        return node.process.returncode

    def wait_ready(self, i: int, timeout: float = 180) -> float:
        """Wait until node i answers its readiness check; returns the seconds waited."""
        node, started = self.nodes[i], time.monotonic()
        while time.monotonic() - started < timeout:
            if not node.running:
                raise RuntimeError(f"node {i + 1} ended while starting:\n{self.log_tail(i)}")
            if answers(node.url + self.ready_path, timeout=2) == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        raise TimeoutError(f"node {i + 1} was not ready within {timeout:.0f} s:\n{self.log_tail(i)}")

    def log_tail(self, i: int, lines: int = 30) -> str:
        path = self.nodes[i].folder / "serve.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # -- the balancer ------------------------------------------------------------------------
    def balancer_config(self) -> str:
        return render(
            f"127.0.0.1:{self.port}",
            [f"127.0.0.1:{n.port}" for n in self.nodes],
            stats=f"127.0.0.1:{self.stats_port}",
            ready_path=self.ready_path,
            alive_path=self.alive_path,
        )

    def start_balancer(self) -> None:
        haproxy = shutil.which("haproxy")
        if haproxy is None:
            raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
        config = self.work / "haproxy.cfg"
        config.write_text(self.balancer_config())
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        log = open(self.work / "haproxy.log", "ab")  # noqa: SIM115 - inherited by haproxy
        try:
            self.balancer = subprocess.Popen(
                [haproxy, "-db", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def servers_up(self) -> dict[str, bool]:
        """What HAProxy thinks of each server ({'ready/node1': True, ...}), from its stats."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/;csv", timeout=2) as response:
                rows = response.read().decode().splitlines()
        except OSError:
            return {}
        header = rows[0].lstrip("# ").split(",")
        found = {}
        for row in rows[1:]:
            cells = dict(zip(header, row.split(",")))
            if cells.get("svname") not in ("FRONTEND", "BACKEND", None) and cells.get("pxname") in ("ready", "alive"):
                found[f"{cells['pxname']}/{cells['svname']}"] = cells.get("status", "").startswith("UP")
        return found

    def wait_balanced(self, nodes: list[int] | None = None, timeout: float = 60) -> None:
        """Wait until HAProxy counts the given nodes (default: every running one) as ready."""
        wanted = nodes if nodes is not None else [n.index for n in self.nodes if n.running]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            up = self.servers_up()
            if all(up.get(f"ready/node{i + 1}") for i in wanted):
                return
            time.sleep(0.1)
        raise TimeoutError(f"HAProxy did not count nodes {[i + 1 for i in wanted]} as ready: {self.servers_up()}")

    # -- all of it ---------------------------------------------------------------------------
    def start(self, timeout: float = 180) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            for i in range(len(self.nodes)):
                self.start_node(i)
            for i in range(len(self.nodes)):
                self.wait_ready(i, timeout)
            self.start_balancer()
            self.wait_balanced(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> dict[str, int | None]:
        """Stop the balancer, then every node, cleanly; returns their exit statuses."""
        codes: dict[str, int | None] = {}
        if self.balancer is not None:
            if self.balancer.poll() is None:
                self.balancer.terminate()
                try:
                    self.balancer.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.balancer.kill()
                    self.balancer.wait()
            codes["haproxy"] = self.balancer.returncode
        threads = []
        for i in range(len(self.nodes)):

            def stop(i: int = i) -> None:
                codes[f"node{i + 1}"] = self.stop_node(i)

            threads.append(threading.Thread(target=stop))
            threads[-1].start()
        for thread in threads:
            thread.join()
        return codes

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _up(args: argparse.Namespace) -> int:
    cluster = Cluster(
        args.content, args.work, args.state_url, nodes=args.nodes, port=args.port, redis_url=args.redis_url
    )
    stopping = threading.Event()

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt  # start() stops what it started, on any exception

    # While starting, a signal ends the start at once; once up, it ends the loop below.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupt)
    print(f"starting {args.nodes} nodes (logs in {cluster.work}/node*/serve.log) ...", flush=True)
    started = time.monotonic()
    try:
        cluster.start()
    except KeyboardInterrupt:
        print("interrupted while starting; stopped", flush=True)
        return 130
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    print(f"up in {time.monotonic() - started:.1f} s: {cluster.url}", flush=True)
    for node in cluster.nodes:
        print(f"  node{node.index + 1}: {node.url}  data in {node.folder / 'data'}")
    print(f"  HAProxy statistics: http://127.0.0.1:{cluster.stats_port}/", flush=True)
    ended: set[int] = set()
    while not stopping.wait(1):
        for node in cluster.nodes:
            if not node.running and node.index not in ended:  # said once, not every second
                ended.add(node.index)
                print(f"node{node.index + 1} ended (status {node.process and node.process.returncode})", flush=True)
        if cluster.balancer is not None and cluster.balancer.poll() is not None:
            print("HAProxy ended; stopping the nodes", flush=True)
            break
    codes = cluster.stop()
    # uvicorn and HAProxy end by the signal they were asked to end by, once they have shut down.
    said = {-signal.SIGTERM: "ended on SIGTERM", 0: "exited"}
    print("stopped: " + ", ".join(f"{name} {said.get(code, f'status {code}')}" for name, code in codes.items()))
    return 0


def _render(args: argparse.Namespace) -> int:
    sys.stdout.write(render(args.bind, args.node, stats=args.stats, resolvers=args.resolvers))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start N nodes and HAProxy here; Ctrl-C stops them")
    up.add_argument("--state-url", required=True, help="the shared state store, e.g. postgresql+psycopg://...")
    up.add_argument("--nodes", type=int, default=3)
    up.add_argument("--port", type=int, default=8080, help="the balancer's port")
    up.add_argument("--redis-url", help="shared rate limits, e.g. redis://127.0.0.1:6379/0")
    up.add_argument("--content", type=Path, default=ROOT / "content", help="the content folder every node watches")
    up.add_argument("--work", type=Path, default=Path("/var/tmp/glossa-cluster"), help="nodes' data folders, logs")
    up.set_defaults(func=_up)
    r = sub.add_parser("render", help="print the HAProxy configuration for nodes at HOST:PORT")
    r.add_argument("--bind", default=":8080")
    r.add_argument("--node", action="append", required=True, help="HOST:PORT of a node (repeat)")
    r.add_argument("--stats", help="where to serve HAProxy's statistics page, e.g. :8404")
    r.add_argument("--resolvers", help="a DNS server for node names that change address, e.g. 127.0.0.11:53 (Docker)")
    r.set_defaults(func=_render)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
