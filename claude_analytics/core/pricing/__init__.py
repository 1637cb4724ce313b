"""Model prices from the maintained `genai-prices` library, plus local overrides.

The library knows every Claude model with its price history, cache prices and context
tiers, and how model ids are written on each API (dated ids, `anthropic/...`, Bedrock and
Vertex ids); hand-typed prices went stale with every release. This package turns the
pinned release's data into the rows of `reference.model_prices` and resolves each model id
seen in the logs to one of them (`reference.model_matches`). Imports no Dagster.
"""
