"""One hostile file or line must not stop ingestion, and `doctor` must report it.

Before the fix a symlink loop named *.jsonl, a non-UTF-8 file or folder name, an
unreadable file or folder, or a line over DuckDB's 16 MiB JSON object limit failed the run
before any step (and `doctor` crashed on the loop); a UTF-8 BOM, a `\\u0000` escape and a
lone surrogate escape turned valid entries into dead letters; a zone-less timestamp took
the host's TZ and a lowercase RFC 3339 one did not parse.

The run is the real CLI in a subprocess. As root, permissions do not stop a read, so the
subprocess gives up the capabilities that override them (the bounding set, via prctl),
exactly as a normal user's process runs.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import duckdb
import pytest

from claude_analytics_tests.conftest import SMALL_SAMPLE
from claude_analytics_tests.support.transcripts import prompt, tool_result

CLI = str(Path(sys.executable).with_name("claude-analytics"))
DAY = SMALL_SAMPLE.start
HOSTILE = "-home-dev-hostile"
ODD = f"{HOSTILE}/odd.jsonl"
SEVENTEEN_MIB = 17 * 1024 * 1024
# linux/prctl.h and linux/capability.h
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
pytestmark = pytest.mark.slow  # one module-scoped run of the whole graph


def _without_permission_override() -> None:
    """In the child before exec: a root process that file permissions apply to."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _entry(uuid: str, minute: int, **fields: object) -> dict:
    at = datetime.combine(DAY, time(10, minute), UTC)
    return {**prompt(uuid, "hostile-session", at, "/home/dev/hostile"), **fields}


def _line(entry: dict) -> bytes:
    return json.dumps(entry).encode()


def _odd_lines() -> list[bytes]:
    return [
        b"\xef\xbb\xbf" + _line(_entry("bom", 1)),  # a BOM opens the file
        _line(_entry("escaped-nul", 2)).replace(b'"Fix the bug"', b'"a\\u0000b"'),
        _line(_entry("raw-nul", 3)).replace(b'"Fix the bug"', b'"a\x00b"'),  # JS refuses it too
        _line(_entry("lone-surrogate", 4)).replace(b'"Fix the bug"', b'"x\\ud800y"'),
        _line(_entry("lowercase", 5, timestamp=f"{DAY}t10:05:00.000z")),
        _line(_entry("zoneless", 6, timestamp=f"{DAY}T23:30:00")),
    ]


def _write_hostile(root: Path) -> None:
    folder = root / HOSTILE
    folder.mkdir()
    (folder / "odd.jsonl").write_bytes(b"\n".join(_odd_lines()) + b"\n")
    big = tool_result("big", "hostile-session", datetime.combine(DAY, time(11), UTC), "/x", "t")
    big["toolUseResult"]["stdout"] = "y" * SEVENTEEN_MIB
    (folder / "big.jsonl").write_bytes(_line(big) + b"\n" + _line(_entry("after-big", 7)))
    os.symlink("loop.jsonl", folder / "loop.jsonl")
    (folder / "locked.jsonl").write_bytes(_line(_entry("locked", 8)))
    os.chmod(folder / "locked.jsonl", 0)
    Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.jsonl")).write_bytes(_line(_entry("c", 9)))
    odd_folder = Path(os.fsdecode(os.fsencode(root) + b"/-home-dev-\xff"))
    odd_folder.mkdir()
    (odd_folder / "session.jsonl").write_bytes(_line(_entry("ff", 10)))
    locked = root / "-home-dev-locked"
    locked.mkdir()
    (locked / "session.jsonl").write_bytes(_line(_entry("in-locked", 11)))
    os.chmod(locked, 0)
    noon = datetime.combine(DAY, time(12), UTC).timestamp()
    for path in [folder, *folder.iterdir(), odd_folder, locked]:
        os.utime(path, (noon, noon), follow_symlinks=False)


@dataclass(frozen=True)
class HostileRun:
    root: Path
    home: Path
    run: subprocess.CompletedProcess[str]
    doctor: subprocess.CompletedProcess[str]

    def rows(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.home / "analytics.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, small_sample_master: Path) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "projects"
    shutil.copytree(small_sample_master, root)
    _write_hostile(root)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MONGO_", "DUCKDB_"))},
        "CLAUDE_ANALYTICS_HOME": str(base / "home"),
        "DAGSTER_HOME": str(base / "home" / "dagster"),
        "CLAUDE_LOGS_DIR": str(root),
        # 8 hours behind UTC: a zone-less 23:30 read in the host's zone is the next day
        "TZ": "America/Los_Angeles",
        # six bad files and lines among ~610: over the default 1% on so small a sample
        "CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE": "0.05",
        "COLUMNS": "400",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CLI, *args], env=env, capture_output=True, text=True, timeout=900,
            preexec_fn=_without_permission_override,
        )  # fmt: skip

    try:
        return HostileRun(root, base / "home", cli("run"), cli("doctor"))
    finally:
        os.chmod(root / "-home-dev-locked", 0o755)  # let pytest clean up


def test_the_run_succeeds_with_every_hostile_file(hostile: HostileRun) -> None:
    assert hostile.run.returncode == 0, hostile.run.stdout[-5000:] + hostile.run.stderr[-5000:]


def test_each_unusable_file_is_one_dead_letter_with_its_reason(hostile: HostileRun) -> None:
    letters = set(hostile.rows("select source_file, line_number, reason from raw.dead_letters"))
    assert letters == {
        (f"{HOSTILE}/loop.jsonl", None, "unreadable_file: ELOOP"),
        (f"{HOSTILE}/locked.jsonl", None, "unreadable_file: EACCES"),
        (f"{HOSTILE}/caf\\xe9.jsonl", None, "undecodable_path"),
        ("-home-dev-\\xff/session.jsonl", None, "undecodable_path"),
        ("-home-dev-locked", None, "unlistable_folder: EACCES"),
        (ODD, 3, "invalid_json"),  # a raw NUL: JSON.parse refuses it as well
    }


def test_the_rest_of_the_source_loads(hostile: HostileRun) -> None:
    [(sample,)] = hostile.rows(
        f"select count(*) from raw.conversations where project_id <> '{HOSTILE}'"
    )
    assert sample == SMALL_SAMPLE.entries
    big = hostile.rows(
        f"select line_number, length(raw_json) from raw.conversations "
        f"where source_file = '{HOSTILE}/big.jsonl' order by 1"
    )
    assert [number for number, _ in big] == [1, 2]
    assert big[0][1] > SEVENTEEN_MIB  # over DuckDB's 16 MiB JSON object limit, kept whole


def test_entries_javascript_parses_are_kept(hostile: HostileRun) -> None:
    kept = {
        uuid: (raw_json, timestamp, event_date)
        for uuid, raw_json, timestamp, event_date in hostile.rows(
            "select uuid, raw_json, timestamp, event_date from raw.conversations "
            f"where source_file = '{ODD}'"
        )
    }
    assert set(kept) == {"bom", "escaped-nul", "lone-surrogate", "lowercase", "zoneless"}
    assert kept["bom"][0].startswith("{")
    assert "\\ufffd" in kept["lone-surrogate"][0]  # as Node writes a lone surrogate
    assert kept["lowercase"][1] == datetime.combine(DAY, time(10, 5), UTC)
    # zone-less is UTC, whatever TZ the host has
    assert kept["zoneless"][1] == datetime.combine(DAY, time(23, 30), UTC)
    assert kept["zoneless"][2] == DAY


def test_doctor_reports_the_files_it_cannot_read(hostile: HostileRun) -> None:
    output = hostile.doctor.stdout + hostile.doctor.stderr
    assert "Traceback" not in output
    [row] = [line for line in output.splitlines() if line.startswith("│ source")]
    assert "WARN" in row and "5 cannot be read" in row
    assert "loop.jsonl (unreadable_file: ELOOP)" in row
    assert "-home-dev-locked (unlistable_folder: EACCES)" in row
