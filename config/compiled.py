"""A queryset's statement built by the ORM once per process, then run with each call's values.

Building a statement is most of what a small query costs the application: on the bed board's
refresh the ORM spent about 1.5 ms of CPU building the facility check's statement (a `UNION` of
guardian's two tables in an `IN`) and about 1 ms building the open stays' one, against well
under a millisecond to run either (docs/benchmarks.md, "Board refresh fixed cost").

`Compiled(build, ids=(...))` asks `build(**probes)` for the queryset once per database alias,
with a probe value (an integer no real row has) for each named id, compiles it, and notes
which of the statement's parameters are which id. Every later call runs that SQL with its own
ids, and the rows go through the same converters the ORM applies (dates and times on SQLite,
the fields' `from_db_value`) and, for model querysets, become instances as `ModelIterable`
makes them (with their `select_related` objects). The definition of the query stays where it
was, written once with the ORM; a test compares each compiled query's results with the ORM's.

Only integer ids are handled (primary keys): no adaptation differs between the databases for
them. The statements run on the default database (`django.db.connection`), where pages and
access checks read (config/routers.py), never on the reports' replica. The converters are those
of the connection that compiled the statement; they read only settings (the time zone), so a
statement compiled in one thread serves the others. If a probe cannot be found among the
parameters (the ORM inlined it, or left it out), the ORM builds every statement, as before.
"""

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Values no real row has (primary keys are positive), one per named id.
_PROBE_BASE = -918_273_600
# The range of a 64-bit signed key: the ORM answers "no row" for an id outside it (an
# out-of-range exact lookup is empty); the database would refuse the value instead.
_BIGINT = range(-(2**63), 2**63)


def prepared_cursor():
    """A cursor of the default database for a compiled statement.

    On PostgreSQL it binds values on the server and prepares the statement, so the server plans
    it once per connection instead of on every call (planning was about 0.2-0.3 ms of each of
    the bed board's compiled statements; the connection is kept for CONN_MAX_AGE). Django's
    own cursors bind on the client and never prepare (it keeps connection poolers working;
    PgBouncer 1.21 and later keep prepared statements with `max_prepared_statements`: see
    docs/operations.md). The cursor is wrapped as Django wraps its own, so every statement is
    still logged and counted (CaptureQueriesContext, execute wrappers).
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_Prepared(connection.connection))


class _Prepared(psycopg.Cursor):
    """psycopg's server-binding cursor, every statement prepared (see `prepared_cursor`)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


@dataclass
class _Statement:
    sql: str
    params: list
    # For each parameter, the name of the id that goes there (None: the compiled value stays).
    slots: list[str | None]
    compiler: object
    fetch_mode: object


class Compiled:
    """`build(**ids)`'s statement, compiled once per database alias (see the module's text)."""

    def __init__(self, build: Callable[..., QuerySet], *, ids: tuple[str, ...]):
        self.build = build
        self.ids = ids
        self.probes = {name: _PROBE_BASE - n for n, name in enumerate(ids)}
        self._statements: dict[str, _Statement | None] = {}

    def _compile(self) -> _Statement | None:
        queryset = self.build(**self.probes)
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            return None
        compiler = queryset.query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        # Known related objects (a related manager's queryset) are not rebuilt here.
        if queryset._iterable_class is ModelIterable and queryset._known_related_objects:
            return None
        slots = []
        for param in params:
            # By type and value: True is never taken for an id.
            slots.append(
                next(
                    (n for n, v in self.probes.items() if type(param) is int and v == param),
                    None,
                )
            )
        if set(slots) - {None} != set(self.ids):
            return None
        return _Statement(sql, list(params), slots, compiler, queryset._fetch_mode)

    def _statement(self) -> _Statement | None:
        if connection.alias not in self._statements:
            self._statements[connection.alias] = self._compile()
        return self._statements[connection.alias]

    def _converted(self, statement: _Statement, values: dict[str, int]) -> list[list]:
        params = [
            values[s] if s else p for p, s in zip(statement.params, statement.slots, strict=True)
        ]
        with prepared_cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        # The ORM's own converters, in the ORM's own order (SQLCompiler.results_iter).
        return list(statement.compiler.results_iter(results=[rows]))

    def rows(self, **values: int) -> list[tuple]:
        """The rows of a `values_list()` queryset, as the ORM would give them."""
        if any(v not in _BIGINT for v in values.values()):
            return []
        statement = self._statement()
        if statement is None:
            return list(self.build(**values))
        return [tuple(row) for row in self._converted(statement, values)]

    def objects(self, **values: int) -> list:
        """The model instances of a model queryset, with their `select_related` objects and
        annotations."""
        if any(v not in _BIGINT for v in values.values()):
            return []
        statement = self._statement()
        if statement is None:
            return list(self.build(**values))
        compiler = statement.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[first:last]]
        fetch_mode = statement.fetch_mode
        populators = get_related_populators(klass_info, select, connection.alias, fetch_mode)
        found = []
        for row in self._converted(statement, values):
            obj = model.from_db(connection.alias, names, row[first:last], fetch_mode=fetch_mode)
            for populator in populators:
                populator.populate(row, obj)
            for name, position in compiler.annotation_col_map.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found
