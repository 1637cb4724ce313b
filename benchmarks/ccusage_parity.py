"""Cost and token parity with ccusage, per model, on one logs directory and its warehouse.

    npm install --prefix /tmp/ccusage ccusage@20.0.24
    python -m benchmarks.ccusage_parity --ccusage /tmp/ccusage/node_modules/.bin/ccusage \\
        --logs ~/.claude/projects --warehouse .claude_analytics/analytics.duckdb

ccusage reads `$CLAUDE_CONFIG_DIR/projects`, so the logs directory is linked under a
temporary config directory. Both sides cut days in UTC (`--timezone UTC`); the totals per
model do not depend on the zone. The output lists, per model, the four token counts and the
cost on each side and the cost difference in percent; BENCHMARKS.md explains the models
whose prices differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

TOKENS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
CCUSAGE_TOKENS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
WAREHOUSE_SQL = f"""
    select model_id, {", ".join(f"sum({c})::bigint" for c in TOKENS)}, sum(cost_usd),
        sum(unpriced_tokens)::bigint
    from marts.fct_token_usage
    group by model_id
"""


@dataclass
class Side:
    tokens: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    cost: float = 0.0


def ccusage_by_model(ccusage: Path, logs: Path) -> dict[str, Side]:
    """`ccusage daily --json --offline --breakdown` summed over the days, per model."""
    with tempfile.TemporaryDirectory() as config:
        os.symlink(logs.resolve(), Path(config) / "projects")
        output = subprocess.run(
            [str(ccusage), "daily", "--json", "--offline", "--breakdown", "--timezone", "UTC"],
            env={**os.environ, "CLAUDE_CONFIG_DIR": config},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    sides: dict[str, Side] = defaultdict(Side)
    for day in json.loads(output)["daily"]:
        for part in day["modelBreakdowns"]:
            side = sides[part["modelName"]]
            for index, key in enumerate(CCUSAGE_TOKENS):
                side.tokens[index] += int(part[key])
            side.cost += float(part["cost"])
    return dict(sides)


def warehouse_by_model(path: Path) -> tuple[dict[str, Side], dict[str, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(WAREHOUSE_SQL).fetchall()
    sides = {model: Side([int(v) for v in values[:4]], float(values[4])) for model, *values in rows}
    return sides, {model: int(values[5]) for model, *values in rows if values[5]}


def long_context_variants(path: Path) -> dict[str, tuple[int, float, float, float]]:
    """model -> (responses, as priced, at base price, tiered per token type) of the
    responses that paid a context tier (sql/long_context_variants.sql)."""
    query = (Path(__file__).parent / "sql" / "long_context_variants.sql").read_text()
    with duckdb.connect(str(path), read_only=True) as con:
        return {model: tuple(values) for model, *values in con.execute(query).fetchall()}


def compare(ours: dict[str, Side], theirs: dict[str, Side], unpriced: dict[str, int]) -> list[dict]:
    rows = []
    for model in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(model, Side()), theirs.get(model, Side())
        difference = (mine.cost - other.cost) / other.cost * 100 if other.cost else None
        rows.append(
            {
                "model": model,
                "tokens_equal": mine.tokens == other.tokens,
                "tokens": mine.tokens,
                "ccusage_tokens": other.tokens,
                "cost_usd": round(mine.cost, 6),
                "ccusage_cost_usd": round(other.cost, 6),
                "cost_difference_pct": None if difference is None else round(difference, 4),
                "unpriced_tokens": unpriced.get(model, 0),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccusage", type=Path, required=True)
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    ours, unpriced = warehouse_by_model(args.warehouse)
    rows = compare(ours, ccusage_by_model(args.ccusage, args.logs), unpriced)
    print(f"{'model':48} {'tokens':>7} {'ours USD':>12} {'ccusage USD':>12} {'diff %':>8}")
    for row in rows:
        diff = row["cost_difference_pct"]
        print(
            f"{row['model']:48} {'equal' if row['tokens_equal'] else 'DIFFER':>7} "
            f"{row['cost_usd']:>12.4f} {row['ccusage_cost_usd']:>12.4f} "
            f"{'-' if diff is None else f'{diff:+.3f}':>8}"
            + (f"  ({row['unpriced_tokens']:,} unpriced tokens)" if row["unpriced_tokens"] else "")
        )
    variants = long_context_variants(args.warehouse)
    if variants:
        print("\nResponses past a context tier: their cost as priced, without the tier, and")
        print("tiered per token type past 200k tokens of that type (ccusage's rule):")
    for model, (responses, priced, flat, per_type) in variants.items():
        other = ours[model].cost - priced
        print(
            f"{model:48} {responses:>5} responses: {priced:.4f} / {flat:.4f} / {per_type:.4f}; "
            f"model total {other + flat:.4f} without the tier, {other + per_type:.4f} per type"
        )
    if args.json:
        payload = {"models": rows, "long_context": variants}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
