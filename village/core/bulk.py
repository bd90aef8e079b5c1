"""Writing many rows at once: PostgreSQL's COPY, or Django's bulk operations elsewhere.

An import or a generated district writes hundreds of thousands of rows. On PostgreSQL they are
streamed with ``COPY``: new rows straight into their table, changes into a temporary table that
one ``UPDATE ... FROM`` applies. Other databases (SQLite) run one prepared ``INSERT`` for many
rows and use ``bulk_update``. Rows are plain value tuples named by field attnames (``user_id``, not
``user``); every field a new row does not name gets its default, exactly as ``bulk_create``
gives it (``auto_now`` fields: now). The caller holds the transaction.

- ``insert_rows`` and ``update_rows``: rows of values, through the database's writer;
- ``insert_objects``: model instances that need their primary key afterwards;
- ``insert_new``: model instances whose unique key is not taken yet, the others left out
  (``ON CONFLICT DO NOTHING``), with the primary key of each one written;
- ``insert_new_rows``: the same for rows of values (no model instance is built);
- ``delete_in``: one ``DELETE`` of the rows whose column is in a subquery, none loaded;
- ``analyze``: fresh planner statistics after a large load (PostgreSQL).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
Values = Sequence[Any]

#: Instances per ``bulk_create`` statement batch, for ``insert_objects``.
OBJECT_BATCH = 1000
#: Field types whose values the field itself adapts for the database (elsewhere than COPY).
ADAPTED_TYPES = frozenset({"DateField", "DateTimeField", "TimeField", "DecimalField", "JSONField"})


class Writer:
    """Inserts and updates rows of one model at a time, in batches of ``batch`` rows."""

    batch = 5000

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Values],
        constants: Mapping[str, Any],
    ) -> int:
        """New rows: ``columns`` name each row's values; ``constants`` are the same for all.
        Returns how many rows were written."""
        raise NotImplementedError

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> int:
        """Set ``columns`` of existing rows; each row is its primary key, then the values."""
        raise NotImplementedError


class DjangoWriter(Writer):
    """Any database Django supports: one prepared ``INSERT`` run by ``executemany`` for new
    rows (no model instance is built, and only dates, times, decimals and JSON are adapted by
    their field: several times faster than ``bulk_create``), ``bulk_update`` for changes."""

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Values],
        constants: Mapping[str, Any],
    ) -> int:
        fixed = _fixed_values(model, columns, constants)
        given = _fields(model, columns)
        adapted = [
            (n, _adapter(f)) for n, f in enumerate(given) if f.get_internal_type() in ADAPTED_TYPES
        ]
        tail = tuple(fixed.values())
        names = _names(field.column for field in [*given, *_fields(model, fixed)])
        marks = ", ".join(["%s"] * (len(given) + len(tail)))
        sql = f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})"  # noqa: S608

        seen: list[dict[Any, Any]] = [{} for _field in adapted]  # a term's dates repeat

        def values(row: Values) -> tuple[Any, ...]:
            if not adapted:
                return (*row, *tail)
            cells = list(row)
            for (position, adapt), known in zip(adapted, seen, strict=True):
                value = cells[position]
                try:
                    cells[position] = known[value]
                except KeyError:
                    cells[position] = known[value] = adapt(value)
                except TypeError:  # not hashable (JSON)
                    cells[position] = adapt(value)
            return (*cells, *tail)

        written = 0
        iterator = iter(rows)
        with connection.cursor() as cursor:
            while chunk := [values(row) for row in itertools.islice(iterator, self.batch)]:
                cursor.executemany(sql, chunk)
                written += len(chunk)
        return written

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> int:
        objects = [model(pk=row[0], **dict(zip(columns, row[1:], strict=True))) for row in rows]
        if objects:
            model._default_manager.bulk_update(objects, list(columns), batch_size=self.batch)
        return len(objects)


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
    ) -> int:
        fixed = _fixed_values(model, columns, constants)
        fields = _fields(model, [*columns, *fixed])
        tail = tuple(fixed.values())
        with connection.cursor() as cursor:
            return _copy(cursor, _table(model), fields, ((*row, *tail) for row in rows))

    def update(self, model: type[models.Model], columns: Sequence[str], rows: list[Values]) -> int:
        if not rows:
            return 0
        pk = model._meta.pk
        assert pk is not None
        key = pk.column
        fields = [pk, *_fields(model, columns)]
        targets = [field.column for field in fields[1:]]
        table = _table(model)
        changes = connection.ops.quote_name(f"village_changes_{next(self._tables)}")
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(column)} = changes.{quote(column)}" for column in targets)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {changes} AS "  # noqa: S608 - names from the model
                f"SELECT {_names([key, *targets])} FROM {table} WITH NO DATA"
            )
            _copy(cursor, changes, fields, rows)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {changes} AS changes "  # noqa: S608
                f"WHERE {table}.{quote(key)} = changes.{quote(key)}"
            )
            cursor.execute(f"DROP TABLE {changes}")
        return len(rows)


def writer_for_connection() -> Writer:
    """The fastest writer the default database supports."""
    return CopyWriter() if connection.vendor == "postgresql" else DjangoWriter()


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Values],
    *,
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``rows`` (values of ``columns``, attnames of ``model``); return how many.

    ``constants`` give fields the same value in every row; every other field gets its default.
    The rows are streamed: an iterator is read once, in batches.
    """
    return writer_for_connection().insert(model, columns, rows, constants or {})


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Values]) -> int:
    """Set ``columns`` of existing rows of ``model``: each row is its primary key, then the
    values of ``columns``. Returns how many rows were given."""
    writer = writer_for_connection()
    written = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, writer.batch)):
        written += writer.update(model, columns, chunk)
    return written


def insert_objects(objs: Sequence[M]) -> Sequence[M]:
    """Insert model instances with ``bulk_create``; afterwards each carries its primary key
    (PostgreSQL and SQLite return the keys of a bulk insert)."""
    if objs:
        type(objs[0])._default_manager.bulk_create(objs, batch_size=OBJECT_BATCH)
    return objs


def insert_new(objs: Sequence[M], *, key: str) -> dict[Any, int]:
    """Insert the instances whose ``key`` (a unique field's attname) no row has yet; leave the
    others out. Returns the primary key of each one written, by its ``key``.

    On PostgreSQL the rows are copied into a temporary table and inserted from it with
    ``ON CONFLICT DO NOTHING``: large text values (a district's weekly emails) cost several
    times less than in an ``INSERT`` whose values psycopg writes into the statement. Elsewhere
    ``bulk_create(ignore_conflicts=True)``, then one query for the keys written."""
    if not objs:
        return {}
    model = type(objs[0])
    if connection.vendor != "postgresql":
        rows = model._default_manager.all()
        taken = set(
            rows.filter(**{f"{key}__in": [getattr(obj, key) for obj in objs]}).values_list(
                key, flat=True
            )
        )
        new = [obj for obj in objs if getattr(obj, key) not in taken]
        model._default_manager.bulk_create(new, ignore_conflicts=True, batch_size=OBJECT_BATCH)
        return dict(
            rows.filter(**{f"{key}__in": [getattr(obj, key) for obj in new]}).values_list(key, "pk")
        )
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    pk = model._meta.pk
    assert pk is not None
    table = _table(model)
    names = _names(field.column for field in fields)
    incoming = connection.ops.quote_name(f"village_new_{next(CopyWriter._tables)}")
    unique = _names(field.column for field in _fields(model, [key]))
    primary = connection.ops.quote_name(pk.column)
    prepared = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {incoming} AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        )
        _copy(cursor, incoming, fields, prepared)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {incoming} "  # noqa: S608
            f"ON CONFLICT ({unique}) DO NOTHING RETURNING {unique}, {primary}"
        )
        written = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {incoming}")
    return written


def insert_new_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Values],
    *,
    key: str,
    constants: Mapping[str, Any] | None = None,
) -> dict[Any, int]:
    """``insert_new`` for rows of values (of ``columns``, attnames; ``constants`` and defaults
    as ``insert_rows``): the rows whose ``key`` (a unique field's attname, one of ``columns``)
    no row has yet are inserted, the others left out. Returns the primary key of each row
    written, by its ``key``.

    On PostgreSQL the rows are copied into a temporary table and inserted from it with ``ON
    CONFLICT DO NOTHING ... RETURNING``: one ``COPY`` and one ``INSERT``, whatever their number.
    Elsewhere the keys taken are read in chunks, the others inserted by ``insert_rows``, and
    their primary keys read back."""
    fixed = _fixed_values(model, columns, constants or {})
    given = _fields(model, columns)
    position = list(columns).index(key)
    adapted = [
        (n, _adapter(f)) for n, f in enumerate(given) if f.get_internal_type() in ADAPTED_TYPES
    ]

    def prepared(row: Values) -> tuple[Any, ...]:
        cells = list(row)
        for n, adapt in adapted:
            cells[n] = adapt(cells[n])
        return tuple(cells)

    if connection.vendor != "postgresql":
        return _insert_new_elsewhere(model, columns, list(rows), position, key, constants or {})
    fields = [*given, *_fields(model, fixed)]
    tail = tuple(fixed.values())
    pk = model._meta.pk
    assert pk is not None
    table = _table(model)
    names = _names(field.column for field in fields)
    incoming = connection.ops.quote_name(f"village_new_{next(CopyWriter._tables)}")
    unique = _names([given[position].column])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {incoming} AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        )
        _copy(cursor, incoming, fields, ((*prepared(row), *tail) for row in rows))
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {incoming} "  # noqa: S608
            f"ON CONFLICT ({unique}) DO NOTHING "
            f"RETURNING {unique}, {connection.ops.quote_name(pk.column)}"
        )
        written = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {incoming}")
    return written


#: Keys looked up in one query where no ``ON CONFLICT`` is used (within every database's limit
#: of parameters).
KEY_CHUNK = 500


def _insert_new_elsewhere(
    model: type[models.Model],
    columns: Sequence[str],
    rows: list[Values],
    position: int,
    key: str,
    constants: Mapping[str, Any],
) -> dict[Any, int]:
    manager = model._default_manager
    keys = list(dict.fromkeys(row[position] for row in rows))
    taken: set[Any] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        taken.update(manager.filter(**{f"{key}__in": chunk}).values_list(key, flat=True))
    new: dict[Any, Values] = {}
    for row in rows:
        if row[position] not in taken:
            new.setdefault(row[position], row)
    DjangoWriter().insert(model, columns, new.values(), constants)
    written: dict[Any, int] = {}
    fresh = list(new)
    for start in range(0, len(fresh), KEY_CHUNK):
        chunk = fresh[start : start + KEY_CHUNK]
        written.update(manager.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return written


def delete_in(model: type[models.Model], column: str, keys: models.QuerySet[Any]) -> int:
    """``DELETE FROM model WHERE column IN (keys)``: one statement, and no row is loaded (a
    Django cascade would first load every row it deletes). Returns the rows deleted."""
    subquery, params = keys.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {quote(column)} IN ({subquery})", params)  # noqa: S608
        return max(cursor.rowcount, 0)


def analyze(models_: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics for these tables on PostgreSQL (after a bulk load they say the
    tables are empty, and a plan made on that may never end). Nothing elsewhere."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(_table(model) for model in models_)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _adapter(field: Field) -> Callable[[Any], Any]:
    """How a value of ``field`` is given to the database: times and dates straight through the
    backend's own adaptation (the field's checks cost more than the insert), else the field."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    return functools.partial(field.get_db_prep_save, connection=connection)


def _fixed_values(
    model: type[models.Model], columns: Sequence[str], constants: Mapping[str, Any]
) -> dict[str, Any]:
    """Every field a new row does not name: the constant given, else the field's default,
    prepared for the database."""
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


def _copy(cursor: Any, table: str, fields: Sequence[Field], rows: Iterable[Values]) -> int:
    """COPY ``rows`` (values of ``fields``) into ``table``; return how many rows.

    In PostgreSQL's binary format when psycopg knows every column's type: the values are then
    sent as they are held, without being turned into text and parsed back (several times less
    work on both sides). Otherwise as text.
    """
    types = [_type_name(field) for field in fields]
    known = cursor.connection.adapters.types
    binary = all(known.get(name) is not None for name in types)
    names = _names(field.column for field in fields)
    sql = f"COPY {table} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    count = 0
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        if binary:
            copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


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
