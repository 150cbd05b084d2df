"""Importing a bench module does no work: no database, no data, no environment changed.

The benchmarks build their own environment (bench/env.py) and data when they run. A module that
did it at import would do it inside any process that imports it, this test suite included.
"""

import importlib
import os
import pkgutil
import sys
import tempfile

import django
import psycopg
import pytest

import bench

MODULES = sorted(f"bench.{module.name}" for module in pkgutil.iter_modules(bench.__path__))


def test_the_benchmarks_are_all_found():
    for name in ("bench.run", "bench.env", "bench.suite", "bench.case_file", "bench.bed_board"):
        assert name in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_importing_a_bench_module_touches_no_database_and_builds_nothing(name, monkeypatch):
    # No `db` fixture: pytest-django refuses every query, so a module that touched the database
    # while being imported fails here. Making a folder, setting Django up or connecting to
    # PostgreSQL is refused the same way.
    def refuse(*args, **kwargs):
        raise AssertionError(f"{name} does work at import")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(django, "setup", refuse)
    monkeypatch.setattr(psycopg, "connect", refuse)
    environ, path = dict(os.environ), list(sys.path)
    monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.import_module(name)
    assert dict(os.environ) == environ
    assert sys.path == path
