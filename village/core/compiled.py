"""Read queries that every page runs, compiled by the ORM once and then run with new values.

Building and compiling a queryset costs more Python time than PostgreSQL spends running a small
indexed query, and a few queries (the signed-in user's roles, a guardian's links) run on nearly
every page. ``CompiledQuery`` keeps the ORM definition as the only definition: it builds the
queryset once per database connection with unmistakable stand-in values for its parameters
(sentinels), compiles it, and remembers the SQL, where each stand-in went, and the converters
Django applies to the columns. Each run then fills in the real values and converts the rows
exactly as the ORM would. If a stand-in does not appear among the compiled parameters (a
definition that inlines or drops it), the first run fails loudly instead of answering for
another user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

#: Stand-ins no real parameter takes: ids are positive, and no row is dated in the year 1111.
SENTINEL_IDS = (-7_340_000_001, -7_340_000_002, -7_340_000_003)
SENTINEL_DATES = (dt.date(1111, 1, 11), dt.date(1111, 1, 12))

Value = int | dt.date


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: For each SQL parameter: the name of the value to put there, or ``None`` to keep ``fixed``.
    slots: tuple[str | None, ...]
    fixed: tuple[Any, ...]
    converters: dict[int, tuple[list[Any], Any]]
    apply: Callable[[Iterable[Any], dict[int, tuple[list[Any], Any]]], Iterable[Any]]


class CompiledQuery:
    """A ``values_list`` query defined with the ORM, compiled once per connection.

    ``build`` receives one keyword per value name and returns the queryset; ``kinds`` gives each
    name's type (``int`` or ``dt.date``).
    """

    def __init__(
        self, name: str, build: Callable[..., QuerySet[Any, Any]], **kinds: type[Value]
    ) -> None:
        self.name = f"village.compiled.{name}"
        self.build = build
        self.kinds = kinds

    def rows(self, using: str = "default", **values: Value) -> list[tuple[Any, ...]]:
        connection = connections[using]
        compiled = self._compiled(connection)
        params = [
            compiled.fixed[index] if slot is None else self._adapt(connection, values[slot])
            for index, slot in enumerate(compiled.slots)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [tuple(row) for row in compiled.apply(rows, compiled.converters)]
        return [tuple(row) for row in rows]

    @staticmethod
    def _adapt(connection: BaseDatabaseWrapper, value: Value) -> Any:
        if isinstance(value, dt.date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def _compiled(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # Kept on the connection object: one per thread, and per database.
        kept: dict[str, _Compiled] = connection.__dict__.setdefault("_village_compiled", {})
        found = kept.get(self.name)
        if found is None:
            found = kept[self.name] = self._compile(connection)
        return found

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        ids, dates = iter(SENTINEL_IDS), iter(SENTINEL_DATES)
        sentinels: dict[str, Value] = {
            name: next(dates) if kind is dt.date else next(ids) for name, kind in self.kinds.items()
        }
        queryset = self.build(**sentinels)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapted = {name: self._adapt(connection, value) for name, value in sentinels.items()}
        slots: list[str | None] = []
        for param in params:
            names = [name for name, value in adapted.items() if param == value]
            slots.append(names[0] if names else None)
        missing = set(sentinels) - {slot for slot in slots if slot}
        if missing:
            raise RuntimeError(f"{self.name}: {sorted(missing)} not among the query's parameters")
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        return _Compiled(sql, tuple(slots), tuple(params), converters, compiler.apply_converters)
