"""A real Dagster deployment for tests: `dagster-webserver` and `dagster-daemon` on a home.

Both run as the operator starts them (`-w workspace.yaml`, the project's dagster.yaml in
DAGSTER_HOME); the tests talk to the webserver's GraphQL API, the one the UI uses, so a
backfill launched here is launched the way the UI's *Materialize* dialog launches it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TERMINAL_BACKFILL = {"COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
TERMINAL_RUN = {"SUCCESS", "FAILURE", "CANCELED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKSPACE = ["-w", "workspace.yaml"]


@dataclass
class DagsterUI:
    url: str
    logs: Path
    daemon: subprocess.Popen[bytes] | None = None

    def start_daemon(self) -> None:
        """`dagster-daemon run`: schedules, sensors, the run queue and backfills."""
        assert self.daemon is None, "the daemon runs already"
        self.daemon = _start(
            [str(BIN / "dagster-daemon"), "run", *WORKSPACE], self.logs / "daemon.log"
        )

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.load(response)
        if body.get("errors"):
            raise AssertionError(body["errors"])
        return body["data"]

    def asset_nodes(self) -> list[dict[str, Any]]:
        query = "{ assetNodes { assetKey { path } groupName isExecutable isPartitioned } }"
        return self.graphql(query)["assetNodes"]

    def launch_backfill(self, assets: list[dict[str, Any]], partitions: list[str]) -> str:
        """What the UI's Materialize dialog sends for assets and a range of partitions."""
        data = self.graphql(
            """
            mutation($params: LaunchBackfillParams!) {
              launchPartitionBackfill(backfillParams: $params) {
                __typename
                ... on LaunchBackfillSuccess { backfillId }
                ... on PythonError { message stack }
              }
            }
            """,
            {"params": {"assetSelection": assets, "partitionNames": partitions}},
        )["launchPartitionBackfill"]
        assert data["__typename"] == "LaunchBackfillSuccess", data
        return data["backfillId"]

    def stop_sensor(self, name: str) -> None:
        """What the UI's sensor toggle does: the sensor stops until someone starts it."""
        found = self.graphql(
            """
            query($selector: SensorSelector!) {
              sensorOrError(sensorSelector: $selector) {
                __typename
                ... on Sensor { sensorState { id status } }
              }
            }
            """,
            {
                "selector": {
                    "repositoryLocationName": "claude_analytics",
                    "repositoryName": "__repository__",
                    "sensorName": name,
                }
            },
        )["sensorOrError"]
        assert found["__typename"] == "Sensor", found
        stopped = self.graphql(
            """
            mutation($id: String) {
              stopSensor(id: $id) {
                __typename
                ... on StopSensorMutationResult { instigationState { status } }
                ... on PythonError { message }
              }
            }
            """,
            {"id": found["sensorState"]["id"]},
        )["stopSensor"]
        assert stopped["__typename"] == "StopSensorMutationResult", stopped
        assert stopped["instigationState"]["status"] == "STOPPED", stopped

    def launch_run(self, job: str, tags: dict[str, str]) -> str:
        """What the UI's Launchpad (or a schedule's tick) submits: a queued run of a job."""
        data = self.graphql(
            """
            mutation($params: ExecutionParams!) {
              launchRun(executionParams: $params) {
                __typename
                ... on LaunchRunSuccess { run { runId } }
                ... on PythonError { message stack }
              }
            }
            """,
            {
                "params": {
                    "selector": {
                        "repositoryLocationName": "claude_analytics",
                        "repositoryName": "__repository__",
                        "jobName": job,
                    },
                    "executionMetadata": {
                        "tags": [{"key": k, "value": v} for k, v in tags.items()]
                    },
                }
            },
        )["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        return data["run"]["runId"]

    def backfill(self, backfill_id: str) -> dict[str, Any]:
        return self.graphql(
            """
            query($id: String!) {
              partitionBackfillOrError(backfillId: $id) {
                ... on PartitionBackfill {
                  status
                  runs(limit: 50) { runId status tags { key value } }
                }
              }
            }
            """,
            {"id": backfill_id},
        )["partitionBackfillOrError"]

    def run_status(self, run_id: str) -> str:
        data = self.graphql(
            "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
            {"id": run_id},
        )
        return data["runOrError"]["status"]

    def wait(self, done: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = done()
            if value:
                return value
            time.sleep(3)
        raise TimeoutError(f"{what} not done after {timeout}s; logs in {self.logs}")


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its code servers share the group, stopped with it
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def dagster_ui(logs: Path, start_daemon: bool = True) -> Iterator[DagsterUI]:
    """Webserver and daemon on the current DAGSTER_HOME, until the block ends.

    With `start_daemon=False` the caller starts the daemon (`DagsterUI.start_daemon`) once
    it has set the deployment up through the UI: a sensor turned off while the daemon runs
    may still tick once (the daemon reads which sensors run before it evaluates them), and
    the daemon takes up backfills queued before it started at its first iteration, not 30
    seconds later.
    """
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    webserver = _start(
        [str(BIN / "dagster-webserver"), *WORKSPACE, "-h", "127.0.0.1", "-p", str(port)],
        logs / "webserver.log",
    )
    ui = DagsterUI(f"http://127.0.0.1:{port}", logs)
    try:

        def loaded() -> bool:
            if webserver.poll() is not None:
                raise RuntimeError(f"the Dagster webserver exited; logs in {logs}")
            with contextlib.suppress(urllib.error.URLError, ConnectionError, AssertionError):
                return len(ui.asset_nodes()) > 0
            return False

        ui.wait(loaded, 240, "the code location")
        if start_daemon:
            ui.start_daemon()
        yield ui
    finally:
        if ui.daemon is not None:
            _stop(ui.daemon)
        _stop(webserver)
