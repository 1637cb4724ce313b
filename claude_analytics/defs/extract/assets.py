"""The source of every entry, observed from outside the platform."""

import dagster as dg

CLAUDE_CODE_LOGS = dg.AssetKey(["source", "claude_code_logs"])

claude_code_logs = dg.AssetSpec(
    key=CLAUDE_CODE_LOGS,
    description=(
        "Claude Code transcripts: a MongoDB collection, a JSONL directory, or the bundled "
        "sample, whichever the environment selects."
    ),
    group_name="source",
    kinds={"json"},
)
