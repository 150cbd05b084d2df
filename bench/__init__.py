"""Benchmarks of the vault and the access log: they print figures, they pass or fail nothing.

Run with `make bench` (or `.venv/bin/python -m bench.run`); docs/benchmarks.md explains the
figures. The runner builds its own throw-away environment (keys, database, var dir).
"""
