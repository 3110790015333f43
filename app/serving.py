"""Running the server: one process, or several workers on one port."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class _TcpConfig(uvicorn.Config):
    """uvicorn binds the workers' socket without naming TCP as its protocol, so asyncio does not
    set TCP_NODELAY on the connections it accepts, and every small response then waits about
    40 ms for the client's delayed ACK. The same socket, named TCP, avoids it."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock


def run_workers(app: str, host: str, port: int, workers: int) -> None:
    """Several processes serve one port; each builds its app with the factory `app`."""
    # Proxy headers are read by the app itself, and only from GLOSSA_TRUSTED_PROXIES.
    config = _TcpConfig(app, factory=True, host=host, port=port, workers=workers, log_level="info", proxy_headers=False)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
