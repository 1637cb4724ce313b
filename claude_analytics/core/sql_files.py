"""The one way the package reads its SQL: `.sql` files in a `sql/` folder beside the module
that runs them, so every query is a file `sqlfluff` lints and a reader can open, not a
string assembled in Python."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read_sql(package: str, name: str) -> str:
    """The text of `<package>/sql/<name>.sql`; pass the calling module's `__package__`."""
    return files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
