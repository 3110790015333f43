"""Running the server: one process, or several workers on one port."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from app import logs


class _TcpConfig(uvicorn.Config):
    """Each worker logs in Glossa's format (uvicorn configures logging anew in every worker it
    starts, through this config), and its socket is named TCP.

    uvicorn binds the workers' socket without naming TCP as its protocol, so asyncio does not
    set TCP_NODELAY on the connections it accepts, and every small response then waits about
    40 ms for the client's delayed ACK. The same socket, named TCP, avoids it."""

    def __init__(self, *args: Any, log_format: logs.LogFormat = "json", **kwargs: Any):
        self.log_format = log_format  # before super(): its __init__ configures logging
        super().__init__(*args, **kwargs)

    def configure_logging(self) -> None:
        super().configure_logging()
        logs.configure(self.log_format)

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock


# How long an idle keep-alive connection stays open: longer than the proxies that pool connections
# to us keep theirs idle (HAProxy's http-keep-alive here 30 s, common balancers 60 s), so that the
# proxy or client is the side that closes one. Uvicorn's default, 5 s, lets a request be sent on a
# connection at the very moment the server closes it: a reset for the client, a 502 from a proxy.
KEEP_ALIVE_SECONDS = 75
# Proxy headers are read by the app itself, and only from GLOSSA_TRUSTED_PROXIES. The app logs
# each request itself: no access log of uvicorn's, and no logging set up by uvicorn.
OPTIONS: dict[str, Any] = {
    "log_level": "info",
    "log_config": None,
    "access_log": False,
    "proxy_headers": False,
    "timeout_keep_alive": KEEP_ALIVE_SECONDS,
}


def run_one(app: Any, host: str, port: int) -> None:
    """One process serves the app, in this process."""
    uvicorn.run(app, host=host, port=port, **OPTIONS)


def run_workers(app: str, host: str, port: int, workers: int, log_format: logs.LogFormat = "json") -> None:
    """Several processes serve one port; each builds its app with the factory `app`."""
    config = _TcpConfig(app, factory=True, host=host, port=port, workers=workers, log_format=log_format, **OPTIONS)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
