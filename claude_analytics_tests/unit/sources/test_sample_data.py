"""The sample generator: deterministic to the byte and shaped like real transcripts."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from claude_analytics.core.sources.sample.generator import SampleSpec, generate

SPEC = SampleSpec(entries=1_500, seed=7)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, dict]]]:
    root = tmp_path_factory.mktemp("sample")
    generate(root, SPEC)
    entries = [
        (relative, json.loads(line))
        for relative, content in _files(root).items()
        for line in content.decode().splitlines()
    ]
    return root, entries


def test_same_seed_gives_byte_identical_files(sample, tmp_path: Path) -> None:
    root, _ = sample
    again = tmp_path / "again"
    generate(again, SPEC)
    assert _files(again) == _files(root)


def test_another_seed_gives_other_files(sample, tmp_path: Path) -> None:
    root, _ = sample
    other = tmp_path / "other"
    generate(other, SampleSpec(entries=SPEC.entries, seed=SPEC.seed + 1))
    assert _files(other) != _files(root)


def test_exact_entry_count_and_layout(sample) -> None:
    root, entries = sample
    assert len(entries) == SPEC.entries
    for relative, _ in entries:
        parts = relative.split("/")
        assert parts[0].startswith("-home-dev-")
        assert len(parts) == 2 or (len(parts) == 4 and parts[2] == "subagents")


def test_every_entry_type_and_system_subtype_appears(sample) -> None:
    _, entries = sample
    types = Counter(e["type"] for _, e in entries)
    assert {"user", "assistant", "system", "summary", "file-history-snapshot"} <= set(types)
    subtypes = {e.get("subtype") for _, e in entries if e["type"] == "system"}
    assert {"compact_boundary", "api_error"} <= subtypes
    assert any(e.get("isApiErrorMessage") for _, e in entries)


def test_assistant_blocks_share_message_request_and_usage(sample) -> None:
    _, entries = sample
    responses: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for relative, entry in entries:
        if entry["type"] == "assistant" and "requestId" in entry and "subagents" not in relative:
            responses[(relative, entry["message"]["id"])].append(entry)
    multi = [group for group in responses.values() if len(group) > 1]
    assert multi, "some responses must be split into several entries"
    for group in multi:
        assert len({e["requestId"] for e in group}) == 1
        usages = [e["message"]["usage"] for e in group]
        for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
            assert len({u[key] for u in usages}) == 1
        outputs = [u["output_tokens"] for u in usages]
        assert outputs == sorted(outputs) and outputs[-1] > outputs[0]


def test_tools_errors_patches_and_mcp(sample) -> None:
    _, entries = sample
    uses = [
        block
        for _, e in entries
        if e["type"] == "assistant"
        for block in e["message"]["content"]
        if block["type"] == "tool_use"
    ]
    names = {u["name"] for u in uses}
    assert {"Bash", "Read", "Edit", "Write", "Grep", "TodoWrite"} <= names
    assert any(n.startswith("mcp__") and n.count("__") == 2 for n in names)
    results = [
        (e, block)
        for _, e in entries
        if e["type"] == "user" and isinstance(e["message"]["content"], list)
        for block in e["message"]["content"]
        if block["type"] == "tool_result"
    ]
    assert {b["tool_use_id"] for _, b in results} <= {u["id"] for u in uses}
    assert any(b["is_error"] for _, b in results)
    assert any(
        isinstance(e.get("toolUseResult"), dict) and e["toolUseResult"].get("structuredPatch")
        for e, _ in results
    )


def test_sidechains_resumes_thinking_and_interruptions(sample) -> None:
    _, entries = sample
    sidechain_files = {r for r, e in entries if e.get("isSidechain")}
    assert sidechain_files and all("/subagents/agent-" in r for r in sidechain_files)
    files_by_uuid: dict[str, set[str]] = defaultdict(set)
    for relative, entry in entries:
        if "uuid" in entry:
            files_by_uuid[entry["uuid"]].add(relative)
    assert any(len(files) > 1 for files in files_by_uuid.values()), (
        "resumed sessions repeat entries"
    )
    blocks = [b for _, e in entries if e["type"] == "assistant" for b in e["message"]["content"]]
    assert any(b["type"] == "thinking" for b in blocks)
    texts = json.dumps([e for _, e in entries if e["type"] == "user"])
    assert "[Request interrupted by user" in texts
    models = {e["message"]["model"] for _, e in entries if e["type"] == "assistant"}
    assert {m.split("-")[1] for m in models if m.startswith("claude-")} == {
        "opus",
        "sonnet",
        "haiku",
    }


def test_newer_shapes_echoes_queues_creates_and_notebooks(sample) -> None:
    root, entries = sample
    progress = [e for _, e in entries if e["type"] == "progress"]
    echoes = [e for e in progress if e["data"]["type"] == "agent_progress"]
    assert echoes and {e["data"]["message"]["type"] for e in echoes} == {"user", "assistant"}
    assert all(e["parentToolUseID"].startswith("toolu_") for e in echoes)
    assert any(e["data"]["type"] == "bash_progress" for e in progress)
    responses = [e for e in echoes if e["data"]["message"]["type"] == "assistant"]
    assert all({"id", "usage", "model"} <= set(e["data"]["message"]["message"]) for e in responses)
    assert all("requestId" in e["data"]["message"] for e in responses)
    # some subagents echo into the parent with their own file, some without it
    files = {p.name for p in root.rglob("agent-*.jsonl")}
    agents = {e["data"]["agentId"] for e in echoes}
    assert agents & {f[len("agent-") : -len(".jsonl")] for f in files}
    assert agents - {f[len("agent-") : -len(".jsonl")] for f in files}
    operations = [e["operation"] for _, e in entries if e["type"] == "queue-operation"]
    assert {"enqueue", "dequeue"} <= set(operations)
    results = [e.get("toolUseResult") for _, e in entries]
    payloads = [r for r in results if isinstance(r, dict)]
    creates = [r for r in payloads if r.get("type") == "create"]
    assert creates and all(r["structuredPatch"] == [] and r["content"] for r in creates)
    assert any(r.get("type") == "update" and r["structuredPatch"] for r in payloads)
    assert any("new_source" in r for r in payloads)
    assert any("permissionMode" in e for _, e in entries)
    assert any("sourceToolAssistantUUID" in e for _, e in entries)
    assert any(e.get("subtype") == "turn_duration" and e["durationMs"] >= 0 for _, e in entries)


def test_a_sparse_history_over_months_with_current_models(tmp_path: Path) -> None:
    # a seed whose ~25 sessions include one on Opus 4.7 (a 1-in-10 pick from its release)
    spec = SampleSpec(entries=2_000, seed=3, start=date(2026, 1, 5), days=270, active_days=25)
    generate(tmp_path / "a", spec)
    generate(tmp_path / "b", spec)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    entries = [
        json.loads(line)
        for content in _files(tmp_path / "a").values()
        for line in content.decode().splitlines()
    ]
    assert len(entries) == spec.entries
    days = {e["timestamp"][:10] for e in entries if "timestamp" in e}
    assert 10 <= len(days) <= 2 * spec.active_days  # sessions run past midnight, no more
    first, last = min(days), max(days)
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days > 120
    models = {
        (e["timestamp"][:10], e["message"]["model"]) for e in entries if e["type"] == "assistant"
    }
    names = {model for _, model in models}
    assert {"claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7"} <= names
    assert any(model.endswith("-20250929") for model in names), "dated ids too"
    # a model is used only from its release on
    assert all(day >= "2026-04-16" for day, model in models if model == "claude-opus-4-7")
    assistant = [e["message"]["usage"] for e in entries if e["type"] == "assistant"]
    context = [usage["cache_read_input_tokens"] for usage in assistant]
    assert max(context) > 200_000, "some requests pass the 200k-token context tier"
