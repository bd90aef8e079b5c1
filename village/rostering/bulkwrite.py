"""Writing many rows at once: PostgreSQL's COPY, or Django's bulk operations elsewhere.

An import writes hundreds of thousands of rows. On PostgreSQL they are streamed with ``COPY``:
new rows straight into their table, changes into a temporary table that one ``UPDATE ... FROM``
applies. Other databases (SQLite) use ``bulk_create`` and ``bulk_update``. Both take plain value
tuples named by field attnames (``user_id``, not ``user``) and give every field a new row does not
name its default, exactly as ``bulk_create`` does; the caller holds the transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

Values = Sequence[Any]


class Writer:
    """Inserts and updates rows of one model at a time, in batches of ``batch`` rows."""

    batch = 5000

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Values],
        constants: Mapping[str, Any],
    ) -> None:
        """New rows: ``columns`` name each row's values; ``constants`` are the same for all."""
        raise NotImplementedError

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> None:
        """Set ``columns`` of existing rows; each row is its primary key, then the values."""
        raise NotImplementedError


class DjangoWriter(Writer):
    """``bulk_create`` and ``bulk_update``: any database Django supports."""

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Values],
        constants: Mapping[str, Any],
    ) -> None:
        objects = [model(**dict(zip(columns, row, strict=True)), **constants) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=self.batch)

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> None:
        objects = [model(pk=row[0], **dict(zip(columns, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(objects, list(columns), batch_size=self.batch)


class CopyWriter(Writer):
    """PostgreSQL: ``COPY`` rows in; no SQL text is built per row, and no model instance."""

    batch = 50_000
    _tables = itertools.count(1)

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Values],
        constants: Mapping[str, Any],
    ) -> None:
        fixed = _fixed_values(model, columns, constants)
        fields = _fields(model, [*columns, *fixed])
        tail = tuple(fixed.values())
        with connection.cursor() as cursor:
            _copy(cursor, _table(model), fields, ((*row, *tail) for row in rows))

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> None:
        if not rows:
            return
        pk = model._meta.pk
        assert pk is not None
        key = pk.column
        fields = [pk, *_fields(model, columns)]
        targets = [field.column for field in fields[1:]]
        table = _table(model)
        changes = connection.ops.quote_name(f"village_changes_{next(self._tables)}")
        assignments = ", ".join(
            f"{connection.ops.quote_name(column)} = changes.{connection.ops.quote_name(column)}"
            for column in targets
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {changes} AS "  # noqa: S608 - names from the model
                f"SELECT {_names([key, *targets])} FROM {table} WITH NO DATA"
            )
            _copy(cursor, changes, fields, rows)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {changes} AS changes "  # noqa: S608
                f"WHERE {table}.{connection.ops.quote_name(key)} = "
                f"changes.{connection.ops.quote_name(key)}"
            )
            cursor.execute(f"DROP TABLE {changes}")


def writer_for_connection() -> Writer:
    """The fastest writer the default database supports."""
    return CopyWriter() if connection.vendor == "postgresql" else DjangoWriter()


def _fixed_values(
    model: type[models.Model], columns: Sequence[str], constants: Mapping[str, Any]
) -> dict[str, Any]:
    """Every field a new row does not name: the constant given, else the field's default."""
    now = timezone.now()
    fixed: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in columns or field.primary_key:
            continue
        if name in constants:
            value = constants[name]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now.date() if field.get_internal_type() == "DateField" else now
        else:
            value = field.get_default()
        fixed[name] = field.get_db_prep_save(value, connection)
    return fixed


def _copy(cursor: Any, table: str, fields: Sequence[Field], rows: Iterable[Values]) -> None:
    """COPY ``rows`` (values of ``fields``) into ``table``.

    In PostgreSQL's binary format when psycopg knows every column's type: the values are then
    sent as they are held, without being turned into text and parsed back (several times less
    work on both sides). Otherwise as text.
    """
    types = [_type_name(field) for field in fields]
    known = cursor.connection.adapters.types
    binary = all(known.get(name) is not None for name in types)
    names = _names(field.column for field in fields)
    sql = f"COPY {table} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        if binary:
            copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)


def _type_name(field: Field) -> str:
    """The PostgreSQL type of a field's column, without its modifiers (``varchar(150)``)."""
    return str(field.db_type(connection) or "").split("(", 1)[0].strip()


def _fields(model: type[models.Model], attnames: Iterable[str]) -> list[Field]:
    """The fields of ``model`` named by attname."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _names(columns: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(column) for column in columns)
