"""A real MongoDB wire-protocol server for the tests: mongod if on PATH, else FerretDB v1
with its SQLite backend (built by scripts/test-deps/ferretdb.sh), else MONGO_TEST_URI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from pymongo import MongoClient

REPO = Path(__file__).resolve().parents[2]
FERRETDB_CACHE = REPO / ".cache" / "ferretdb" / "ferretdb"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ferretdb_binary() -> Path | None:
    for candidate in (
        os.environ.get("FERRETDB_BIN"),
        str(FERRETDB_CACHE),
        shutil.which("ferretdb"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


@dataclass
class MongoServer:
    """A server the tests own: it can be stopped and restarted on the same data and port."""

    kind: str
    uri: str
    command: list[str] = field(default_factory=list)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def managed(self) -> bool:
        return bool(self.command)

    def start(self, timeout: float = 30.0) -> None:
        if self.managed and (self.process is None or self.process.poll() is not None):
            log = open(self.log_path or os.devnull, "ab")  # noqa: SIM115 - the child keeps it
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with MongoClient(self.uri, serverSelectionTimeoutMS=500) as client:
                    client.admin.command("ping")
                return
            except Exception:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.kind} exited; see {self.log_path}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def launch(workdir: Path) -> MongoServer:
    """Start the best server available, or explain what to install."""
    port = _free_port()
    uri = f"mongodb://127.0.0.1:{port}/"
    mongod = shutil.which("mongod")
    if mongod:
        data = workdir / "mongod-data"
        data.mkdir(parents=True)
        command = [mongod, "--dbpath", str(data), "--port", str(port), "--bind_ip", "127.0.0.1"]
        server = MongoServer("mongod", uri, command, workdir / "mongod.log")
    elif (binary := ferretdb_binary()) is not None:
        data = workdir / "ferretdb-data"
        state = workdir / "ferretdb-state"
        data.mkdir(parents=True)
        state.mkdir(parents=True)
        command = [
            str(binary),
            "--handler=sqlite",
            f"--sqlite-url=file:{data}/",
            f"--listen-addr=127.0.0.1:{port}",
            f"--state-dir={state}",
            "--debug-addr=127.0.0.1:0",
            "--telemetry=disable",
            "--log-level=warn",
        ]
        server = MongoServer("ferretdb", uri, command, workdir / "ferretdb.log")
    elif os.environ.get("MONGO_TEST_URI"):
        server = MongoServer("external", os.environ["MONGO_TEST_URI"])
    else:
        raise RuntimeError(
            "No MongoDB wire server for the tests: put mongod on PATH, or run "
            "`bash scripts/test-deps/ferretdb.sh` (make test does), or set MONGO_TEST_URI."
        )
    server.start()
    return server
