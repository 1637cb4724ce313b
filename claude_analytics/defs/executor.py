"""Every job runs its steps in the run's own process.

Dagster's default multiprocess executor starts a process per step, and each one loads the
whole code location again (dagster-dbt's import alone takes seconds): a run's fixed cost
grew with its steps. The steps of a run cannot overlap anyway (the writers share one-slot
pools and dbt uses its own threads), so in-process execution loses nothing.
"""

import dagster as dg


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(executor=dg.in_process_executor)
