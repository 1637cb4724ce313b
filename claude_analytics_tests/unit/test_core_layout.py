"""The core package is plain Python: the CLI, the benchmarks and a notebook can use it
without loading Dagster, and a Dagster import there shows up here, not in review."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_dagster() -> None:
    program = (
        "import importlib, pkgutil, sys\n"
        "import claude_analytics.core as core\n"
        "modules = list(pkgutil.walk_packages(core.__path__, 'claude_analytics.core.'))\n"
        "for module in modules:\n"
        "    importlib.import_module(module.name)\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in {'dagster', 'dagster_dbt'}"
        " or n.startswith(('claude_analytics.defs', 'claude_analytics.commands')))\n"
        "print(len(modules), loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    modules, loaded = result.stdout.split(" ", 1)
    assert int(modules) > 30, "the walk found too few core modules to prove anything"
    assert loaded.strip() == "[]", f"core imported {loaded.strip()}"


def test_the_unit_tests_import_no_dagster_and_no_dbt() -> None:
    """`make test-fast` stays fast: the unit tests (and the conftest they load) test the core
    without loading Dagster or dbt."""
    program = (
        "import importlib, pkgutil, sys\n"
        "import claude_analytics_tests.conftest\n"
        "import claude_analytics_tests.unit as unit\n"
        "modules = list(pkgutil.walk_packages(unit.__path__, 'claude_analytics_tests.unit.'))\n"
        "for module in modules:\n"
        "    importlib.import_module(module.name)\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in"
        " {'dagster', 'dagster_dbt', 'dbt'})\n"
        "print(len(modules), loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    modules, loaded = result.stdout.split(" ", 1)
    assert int(modules) > 10, "the walk found too few unit test modules to prove anything"
    assert loaded.strip() == "[]", f"the unit tests imported {loaded.strip()}"
