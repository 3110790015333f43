"""Small helpers for starting a Glossa server on 127.0.0.1 (benchmarks and tests)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(content: Path, work: Path, port: int, *extra: str) -> list[str]:
    """`glossa serve` on content, with its data and state folders inside work."""
    return [
        sys.executable, "-m", "app", "serve", "--content", str(content), "--data", str(work / "data"),
        "--state", str(work / "state"), "--port", str(port), *extra,
    ]  # fmt: skip


def wait_until_up(base_url: str, timeout: float = 120) -> None:
    """Poll /api/health until the server answers (it builds before it serves)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} did not come up within {timeout:.0f} s")


@contextmanager
def serving(app, timeout: float = 30) -> Iterator[str]:
    """Run app with uvicorn in a thread of this process; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
