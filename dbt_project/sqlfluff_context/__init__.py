"""dbt's run-time context that sqlfluff's jinja templater does not emulate.

`.sqlfluff` points `library_path` here; the names below become top-level template
variables when the models and macros are linted (never when dbt runs them). The jinja
templater's dbt builtins cover `ref`, `source`, `config`, `var`, `is_incremental` and
`this`, but not `run_started_at`, which `macros/incremental.sql` formats with
`.isoformat()`: without a real datetime every model failed to render and went unlinted.
"""

from datetime import UTC, datetime

run_started_at = datetime(2025, 1, 1, tzinfo=UTC)
