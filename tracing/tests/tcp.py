"""Small TCP stand-ins for an AWS endpoint that misbehaves: one that accepts connections and
never answers, and a forwarder to moto server that holds every connection until resumed."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Self


class _Listener:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            self.handle(client)

    def handle(self, client: socket.socket) -> None:
        raise NotImplementedError

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def close(self) -> None:
        self._closed.set()
        self._server.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HangingEndpoint(_Listener):
    """Accepts every connection, reads nothing, answers nothing: a hung service."""

    def handle(self, client: socket.socket) -> None:
        pass  # kept open (and tracked for close) until the test ends


class HoldingForwarder(_Listener):
    """Forwards to `target_port`, but while held, connections are accepted and their bytes
    left unread: the client's call hangs. `release()` forwards everything, held or new."""

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        self._released = threading.Event()
        super().__init__()

    def release(self) -> None:
        self._released.set()

    def handle(self, client: socket.socket) -> None:
        threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client: socket.socket) -> None:
        self._released.wait()
        try:
            upstream = socket.create_connection(("127.0.0.1", self._target_port), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        self._track(upstream)
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
