"""SeaweedFS for the tests: one `weed mini` process serving an S3 API and an Iceberg REST
catalog over S3 table buckets, built by scripts/test-deps/seaweedfs.sh.

The server runs with an IAM configuration holding one identity whose key and secret are
random per server: the catalog only answers OAuth2 client-credential clients holding them,
and S3 only signed requests, so the tests prove the pipeline passes credentials from the
environment rather than relying on an open server.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.fs as pafs

REPO = Path(__file__).resolve().parents[2]
WEED_CACHE = REPO / ".cache" / "seaweedfs" / "weed"
REGION = "us-east-1"
# S3 Tables identify a table bucket by account; weed mini's default account.
ACCOUNT = "000000000000"
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> Path | None:
    for candidate in (os.environ.get("WEED_BIN"), str(WEED_CACHE), shutil.which("weed")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def _free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


@dataclass
class SeaweedLake:
    """A running `weed mini`; `catalog_env` is everything a client of the lake needs."""

    workdir: Path
    binary: Path
    ports: dict[str, int]
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes] | None = None
    buckets: list[str] = field(default_factory=list)

    @property
    def catalog_uri(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port.iceberg']}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "weed.log"

    def catalog_env(self, bucket: str) -> dict[str, str]:
        """The variables that point the platform's catalog at `bucket`, credentials included.

        The catalog takes OAuth2 client credentials (`credential`); the data files are read
        and written with the standard AWS variables, which pyarrow's S3 filesystem and
        Spark's S3FileIO both pick up.
        """
        return {
            "PYICEBERG_CATALOG__DEFAULT__TYPE": "rest",
            "PYICEBERG_CATALOG__DEFAULT__URI": self.catalog_uri,
            "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": f"s3://{bucket}/",
            "PYICEBERG_CATALOG__DEFAULT__CREDENTIAL": f"{self.access_key}:{self.secret_key}",
            "PYICEBERG_CATALOG__DEFAULT__S3__ENDPOINT": self.s3_endpoint,
            "PYICEBERG_CATALOG__DEFAULT__S3__REGION": REGION,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
        }

    def start(self, timeout: float = 60.0) -> None:
        config = self.workdir / "iam.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "pipeline",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        command = [
            str(self.binary),
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *(f"-{name}={port}" for name, port in self.ports.items()),
            "-admin.port.legacy=0",
            "-s3.port.lance=0",
            "-webdav=false",
            f"-s3.config={config}",
            # small volumes: the default preallocates for gigabytes the tests never write
            "-master.volumeSizeLimitMB=64",
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        urls = (f"{self.catalog_uri}/v1/config", f"{self.s3_endpoint}/status")
        while True:
            try:
                for url in urls:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        response.read()
                return
            except OSError:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"weed mini exited; see {self.log_path}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"weed mini not ready after {timeout:.0f}s; see {self.log_path}"
                    ) from None
                time.sleep(0.3)

    def create_table_bucket(self, name: str) -> str:
        """A new S3 table bucket: one Iceberg warehouse of the REST catalog."""
        master = f"127.0.0.1:{self.ports['master.port']}.{self.ports['master.port.grpc']}"
        shell = subprocess.run(
            [str(self.binary), "shell", f"-master={master}"],
            input=f"s3tables.bucket -create -name {name} -account {ACCOUNT}\nexit\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        if f"bucket/{name}" not in shell.stdout:
            raise RuntimeError(f"creating table bucket {name} failed: {shell.stdout[-500:]}")
        self.buckets.append(name)
        return name

    def objects(self, location: str) -> set[str]:
        """Every object under an `s3://` location, listed from S3 itself, not the catalog."""
        s3 = pafs.S3FileSystem(
            access_key=self.access_key,
            secret_key=self.secret_key,
            endpoint_override=self.s3_endpoint,
            region=REGION,
            scheme="http",
        )
        found = s3.get_file_info(pafs.FileSelector(location.removeprefix("s3://"), recursive=True))
        return {f"s3://{info.path}" for info in found if info.type == pafs.FileType.File}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def launch(workdir: Path) -> Iterator[SeaweedLake]:
    """A SeaweedFS on free ports for the duration of the block, or how to build one."""
    binary = weed_binary()
    if binary is None:
        raise RuntimeError(
            "No SeaweedFS for the remote-lake tests: run `bash scripts/test-deps/seaweedfs.sh` "
            "(make test does), or put `weed` on PATH, or set WEED_BIN."
        )
    workdir.mkdir(parents=True, exist_ok=True)
    server = SeaweedLake(
        workdir=workdir,
        binary=binary,
        ports=dict(zip(PORTS, _free_ports(len(PORTS)), strict=True)),
        access_key=f"AK{secrets.token_hex(8).upper()}",
        secret_key=secrets.token_urlsafe(24),
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()
