"""A small TCP proxy for fault tests: put it in front of moto server (for one AWS service,
through AWS_ENDPOINT_URL_<SERVICE>) and make that service refuse connections, hang, or
work again.

- `refuse()`: new connections are reset at once and open ones are cut, as when the
  service's endpoint is down;
- `hang()`: connections are accepted and bytes are taken but nothing comes back, as when
  the service (or the network to it) stalls: callers see their read timeouts;
- `resume()`: everything passes again; hung connections are cut.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from typing import Literal

Mode = Literal["pass", "refuse", "hang"]


def _reset(sock: socket.socket) -> None:
    """Close with RST rather than FIN: the peer sees 'connection reset'."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "pass"
        self.connections = 0  # accepted so far, whatever the mode
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    @classmethod
    def for_url(cls, url: str) -> TcpProxy:
        host, port = url.removeprefix("http://").split("/")[0].rsplit(":", 1)
        return cls(host, int(port))

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self._cut_all()
        self._listener.close()

    def refuse(self) -> None:
        self.mode = "refuse"
        self._cut_all()

    def hang(self) -> None:
        self.mode = "hang"

    def resume(self) -> None:
        self.mode = "pass"
        self._cut_all()  # hung connections are dead to their clients anyway

    def _cut_all(self) -> None:
        with self._lock:
            for sock in self._open:
                _reset(sock)
            self._open.clear()

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._open.update(socks)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.mode == "refuse":
                _reset(client)
                continue
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            while self.mode == "hang":  # hold the connection: no answer, no error
                if self._stopped.wait(0.05) or client not in self._open:
                    return
            upstream = socket.create_connection(self.target, timeout=5)
            self._track(upstream)
            self._pump(client, upstream)
        except (OSError, ValueError):  # cut by refuse() or resume(): the fd is gone
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with self._lock:
                        self._open.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.close()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while not self._stopped.is_set():
            if self.mode == "hang":  # take nothing, pass nothing on
                self._stopped.wait(0.05)
                continue
            readable, _, _ = select.select(list(peers), [], [], 0.1)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)
