"""The smallest Dagster project there is: one asset, Dagster's defaults.

The benchmark times `dagster asset materialize` of it next to the README's one-day lake
materialization, in the same environment, so the figure says what the platform adds to
Dagster's own fixed cost (process start, imports, instance, run), not what Dagster costs.
"""

import dagster as dg


@dg.asset
def one() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 1})


defs = dg.Definitions(assets=[one])
