"""The one way the package reads its SQL: `.sql` files in a `sql/` folder beside the module
that runs them, so every query is a file `sqlfluff` lints and a reader can open, not a
string assembled in Python."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files


@cache
def read_sql(package: str, name: str) -> str:
    """The text of `<package>/sql/<name>.sql`; pass the calling module's `__package__`."""
    return files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


# `${name}`: a slot for a fixed SQL expression; a bare `$name` is a bound parameter.
_SLOT = re.compile(r"\$\{(\w+)\}")


def fill_slots(sql: str, values: Mapping[str, str]) -> str:
    """Put fixed SQL, chosen from an allow-list by the caller and never user text, into a
    query's `${name}` slots. Every slot must be given and nothing else, so a renamed slot
    fails loudly instead of leaving `${...}` for DuckDB to reject at run time."""
    slots = set(_SLOT.findall(sql))
    if slots != set(values):
        raise ValueError(f"The query's slots are {sorted(slots)}, not {sorted(values)}")
    return _SLOT.sub(lambda match: values[match.group(1)], sql)
