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

MONGODB_CONVERSATIONS = dg.AssetKey(["source", "mongodb", "conversations"])

# Observed by the MongoDB sensor (document count, latest ingestedAt); the platform reads
# it, something else (the team's sync service or `claude-analytics sync`) writes it.
mongodb_conversations = dg.AssetSpec(
    key=MONGODB_CONVERSATIONS,
    description=(
        "The MongoDB collection (MONGO_DB.MONGO_COLLECTION, claude_logs.conversations by "
        "default) that a sync fills with Claude Code entries plus projectId, sourceFile and "
        "ingestedAt."
    ),
    group_name="source",
    kinds={"mongodb"},
)
