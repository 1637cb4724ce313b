"""Plain Python used by the Dagster definitions; never scanned for definitions."""
