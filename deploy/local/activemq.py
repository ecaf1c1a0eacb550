"""Debian's ActiveMQ with deploy/local/activemq.xml: STOMP and OpenWire on loopback only.

`python3 -m deploy.local.activemq start|stop|status` manages the machine's shared broker
(STOMP 127.0.0.1:61613, OpenWire 127.0.0.1:61616; `make test` starts it, like PostgreSQL).
Tests that must stop a broker start their own on free ports with `ActiveMQ(...).start()`.
Standard library only: deploy/local/system-services.sh runs this with the system python3.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOME = Path("/usr/share/activemq")
CONFIG = Path(__file__).resolve().with_name("activemq.xml")
LOG_CONFIG = Path("/etc/activemq/instances-available/main/log4j2.properties")
STOMP_PORT = 61613
OPENWIRE_PORT = 61616

# The Java 17 module flags Debian's /usr/bin/activemq passes; the broker needs them.
JAVA_MODULE_FLAGS = [
    "--add-reads=java.xml=java.logging",
    *(
        f"--add-opens=java.base/{package}=ALL-UNNAMED"
        for package in (
            "java.security",
            "java.net",
            "java.lang",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
        )
    ),
    "--add-opens=java.naming/javax.naming.spi=ALL-UNNAMED",
    "--add-opens=java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
]


def stomp_handshake(host: str, port: int, timeout_s: float = 2.0) -> bool:
    """True if a STOMP broker answers CONNECT with CONNECTED on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(b"CONNECT\naccept-version:1.2\nhost:localhost\n\n\x00")
            reply = b""
            while b"\x00" not in reply:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
            if reply.lstrip(b"\r\n").startswith(b"CONNECTED"):
                sock.sendall(b"DISCONNECT\n\n\x00")
                return True
            return False
    except OSError:
        return False


class ActiveMQ:
    """One broker process. `detached` brokers outlive the Python process that started them
    (the shared one); the others are children that `stop()` ends."""

    def __init__(
        self,
        stomp_port: int = STOMP_PORT,
        openwire_port: int = OPENWIRE_PORT,
        base_dir: Path | None = None,
        detached: bool = False,
    ) -> None:
        self.stomp_port = stomp_port
        self.openwire_port = openwire_port
        self.base_dir = base_dir or Path(tempfile.mkdtemp(prefix="activemq-"))
        self.detached = detached
        self.url = f"stomp://127.0.0.1:{stomp_port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid_file(self) -> Path:
        return self.base_dir / "activemq.pid"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "console.log"

    def command(self) -> list[str]:
        data = self.base_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else "java"
        return [
            java,
            "-Xms64m",
            "-Xmx256m",
            *JAVA_MODULE_FLAGS,
            f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            f"-Dactivemq.home={HOME}",
            f"-Dactivemq.base={self.base_dir}",
            f"-Dactivemq.conf={self.base_dir}",
            f"-Dactivemq.data={data}",
            f"-Dactivemq.classpath={HOME}/lib/",
            f"-Dactivemq.stomp.port={self.stomp_port}",
            f"-Dactivemq.openwire.port={self.openwire_port}",
            "-jar",
            str(HOME / "bin" / "activemq.jar"),
            "start",
            f"xbean:file:{CONFIG}",
        ]

    def is_running(self) -> bool:
        return stomp_handshake("127.0.0.1", self.stomp_port)

    def start(self, timeout_s: float = 120) -> ActiveMQ:
        """Start the broker and wait until STOMP answers; raise if it does not."""
        if not (HOME / "bin" / "activemq.jar").exists():
            raise RuntimeError(f"ActiveMQ is not installed ({HOME}); apt-get install activemq")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.base_dir,
                start_new_session=self.detached,
            )
        self.pid_file.write_text(str(self._process.pid))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"ActiveMQ exited with {self._process.returncode}; see {self.log_file}:\n"
                    + self.log_file.read_text(errors="replace")[-3000:]
                )
            if self.is_running():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"ActiveMQ did not answer on {self.url} within {timeout_s}s")

    def stop(self, timeout_s: float = 30) -> None:
        pid = self._process.pid if self._process else self._pid_from_file()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid, self._process):
            time.sleep(0.1)
        if _alive(pid, self._process):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid, self._process):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        self._process = None

    def _pid_from_file(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None


def _alive(pid: int, process: subprocess.Popen[bytes] | None) -> bool:
    if process is not None:
        return process.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def shared() -> ActiveMQ:
    """The machine's broker on the standard ports, its files under the temp directory."""
    return ActiveMQ(base_dir=Path(tempfile.gettempdir()) / "stratospheric-activemq", detached=True)


def start() -> ActiveMQ:
    """Start the shared broker unless something already answers STOMP on 61613."""
    broker = shared()
    return broker if broker.is_running() else broker.start()


def is_running() -> bool:
    return shared().is_running()


def stop() -> None:
    shared().stop()


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "status"
    if action == "start":
        broker = start()
        print(f"ActiveMQ answers on {broker.url} (files in {broker.base_dir})")
    elif action == "stop":
        stop()
    elif action == "status":
        running = is_running()
        print("running" if running else "not running")
        return 0 if running else 1
    else:
        print("usage: python3 -m deploy.local.activemq start|stop|status", file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
