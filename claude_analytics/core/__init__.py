"""Plain Python for every step of the pipeline; it never imports Dagster (a test checks)."""
