"""Check a OneRoster bundle and turn it into a ``ParsedRoster``, without touching the database.

``validate_bundle(path)`` never raises for anything in the bundle: every problem is a report
entry. Files are read in dependency order (orgs before the classes that point at them), so each
reference is checked as its row is read and nothing is read twice.

Decisions on edge cases, in brief: a bulk file must not carry ``tobedeleted`` (error) and its
``status``/``dateLastModified`` are ignored (one warning per file); a header-only bulk file is an
error (it would empty the kind), a header-only delta file a warning; a delta row marked
``tobedeleted`` only needs its sourcedId; in a delta, references may point at objects Village
already has (``known_ids``), in a bulk file only at objects in the bundle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from village.rostering.bundle import MANIFEST, Bundle, Manifest, open_bundle, read_manifest
from village.rostering.csvread import STOPPING_CODES, map_header, records
from village.rostering.records import ParsedRoster
from village.rostering.report import DEFAULT_CAP, Report
from village.rostering.rows import RowBuilder
from village.rostering.schema import (
    IGNORED_FILES,
    READ_ORDER,
    SCHEMAS,
    Column,
    FileMode,
    FileSchema,
    ValueType,
)
from village.rostering.values import (
    INVALID,
    READERS,
    QuietWhere,
    Value,
    Where,
    read_value,
    split_list,
)

KnownIds = Callable[[str], AbstractSet[str]]
SourcedId = str
# Columns that say what to do with a row rather than what the object is.
_ROW_STATE = frozenset({"status", "dateLastModified"})


def no_known_ids(kind: str) -> AbstractSet[str]:
    return frozenset()


@dataclass
class Validation:
    report: Report
    roster: ParsedRoster = field(default_factory=ParsedRoster)

    @property
    def ok(self) -> bool:
        return self.report.ok


def validate_bundle(
    path: str | os.PathLike[str],
    *,
    known_ids: KnownIds | None = None,
    cap: int = DEFAULT_CAP,
    max_member_bytes: int | None = None,
) -> Validation:
    """Read and check the bundle at ``path`` (a zip or a folder).

    ``known_ids(kind)`` gives the sourcedIds Village already holds for a kind (``"orgs"``,
    ``"users"``, ...); delta files may refer to them. It is called at most once per kind.
    """
    report = Report(cap=cap)
    validation = Validation(report)
    limits = {} if max_member_bytes is None else {"max_member_bytes": max_member_bytes}
    bundle = open_bundle(path, report, **limits)
    if bundle is None:
        return validation
    with bundle:
        manifest = read_manifest(bundle, report)
        if manifest is not None:
            _Validator(bundle, manifest, report, validation.roster, known_ids).run()
    return validation


class _Validator:
    def __init__(
        self,
        bundle: Bundle,
        manifest: Manifest,
        report: Report,
        roster: ParsedRoster,
        known_ids: KnownIds | None,
    ) -> None:
        self.bundle = bundle
        self.manifest = manifest
        self.report = report
        self.roster = roster
        self.known_ids = known_ids or no_known_ids
        self.known: dict[str, AbstractSet[str]] = {}
        # The sourcedIds read so far, by kind; each maps to itself, so that references to it
        # can share the one string object instead of keeping a copy per row.
        self.defined: dict[str, dict[SourcedId, SourcedId]] = {kind: {} for kind in SCHEMAS}
        self.builder = RowBuilder(roster, report)
        # Kinds whose file could not be read to the end: references to them are not checked,
        # so that one unreadable file gives one error, not one per reference.
        self.unread: set[str] = set()
        roster.version = manifest.version

    def run(self) -> None:
        members = self._members()
        for schema in READ_ORDER:
            member = members.get(schema.kind)
            if member is not None:
                self._read(schema, self.roster.mode(schema.kind), member)
        self.builder.link_guardians(self._agent_is_known)

    # -- which files to read -------------------------------------------------------------

    def _members(self) -> dict[str, str]:
        """Kind -> bundle member to read, after checking the manifest against the files."""
        members: dict[str, str] = {}
        lower = {name.lower(): name for name in self.bundle.sizes}
        used = {MANIFEST}
        for kind, mode in self.manifest.files.items():
            self.roster.modes[kind] = mode
            filename = f"{kind}.csv"
            member = filename if filename in self.bundle.sizes else lower.get(filename.lower())
            if member is not None:
                used.add(member)
            if mode is FileMode.ABSENT:
                if member is not None:
                    self.report.warning(
                        "file_ignored", f"{MANIFEST} marks it absent; ignored", file=member
                    )
                continue
            if member is None:
                self.report.error(
                    "missing_file", f"{MANIFEST} lists it as {mode} but the bundle lacks it",
                    file=filename,
                )  # fmt: skip
            elif kind in IGNORED_FILES:
                self.report.warning("file_ignored", IGNORED_FILES[kind], file=member)
            elif kind not in SCHEMAS:
                self.report.warning("unknown_file", "not a OneRoster file; ignored", file=member)
            else:
                if member != filename:
                    self.report.warning("file_name_case", f'read as "{filename}"', file=member)
                members[kind] = member
        for name in sorted(set(self.bundle.sizes) - used):
            self.report.warning(
                "undeclared_file", f"not listed as bulk or delta in {MANIFEST}; ignored", file=name
            )
        return members

    # -- one file ---------------------------------------------------------------------------

    def _read(self, schema: FileSchema, mode: FileMode, member: str) -> None:
        file = schema.filename
        with self.bundle.open(member) as stream:
            rows = records(stream, file, self.report)
            header = next(rows, None)
            if header is None:
                self.unread.add(schema.kind)
                if not self.report.has("encoding", file=file):
                    self.report.error("empty_file", "the file is empty (no header row)", file=file)
                return
            positions = map_header(
                header[1],
                file=file,
                known=schema.names,
                required=schema.required(self.manifest.version),
                aliases=schema.aliases,
                report=self.report,
            )
            if positions is None:
                self.unread.add(schema.kind)
                return
            count = self._rows(schema, mode, positions, len(header[1]), rows)
        self.report.counts[schema.kind] = count
        if any(self.report.has(code, file=file) for code in STOPPING_CODES):
            self.unread.add(schema.kind)
            return
        if count == 0:
            self._header_only(schema, mode)

    def _header_only(self, schema: FileSchema, mode: FileMode) -> None:
        if mode is FileMode.BULK:
            self.report.error(
                "no_rows",
                f"a header but no rows: as a bulk file it would remove every {schema.kind} "
                f"record; mark it absent in {MANIFEST} instead",
                file=schema.filename,
            )
        else:
            self.report.warning("no_rows", "a header but no rows", file=schema.filename)

    def _rows(
        self,
        schema: FileSchema,
        mode: FileMode,
        positions: dict[str, int],
        width: int,
        rows: Iterator[tuple[int, list[str]]],
    ) -> int:
        plan = _Plan(schema, positions, schema.required(self.manifest.version))
        where = Where(self.report, schema.filename)
        self_refs: list[tuple[int, Column, tuple[str, ...]]] = []
        fast = _FastRows(self, schema, mode, plan, self_refs)
        build = self.builder.builders.get(schema.kind)
        count = 0
        for line, fields in rows:
            count += 1
            where.line = line
            if len(fields) == width:
                values = fast.values(fields, line)
                if values is not None:
                    if build is not None:
                        build(values, where)
                    continue
            self._row(schema, mode, plan, width, fields, where, self_refs)
        self._self_references(schema, mode, self_refs, where)
        return count

    def _row(
        self,
        schema: FileSchema,
        mode: FileMode,
        plan: _Plan,
        width: int,
        fields: list[str],
        where: Where,
        self_refs: list[tuple[int, Column, tuple[str, ...]]],
    ) -> None:
        """Check one row the thorough way, reporting whatever is wrong with it."""
        if len(fields) > width and any(value.strip() for value in fields[width:]):
            where.error("row_width", "", f"{len(fields)} values but the header has {width}")
            return
        sourced_id = fields[plan.id_index].strip() if plan.id_index < len(fields) else ""
        if not self._new_id(schema, sourced_id, where):
            return
        deleted = self._status(plan, fields, mode, where)
        if deleted is None:
            return
        if deleted:
            self.roster.deletions.setdefault(schema.kind, set()).add(sourced_id)
            if schema.kind == "users":
                self.roster.deleted_user_lines[sourced_id] = where.line or 0
            return
        values = plan.values(fields, where)
        if values is not None and self._references(schema, mode, values, plan, where, self_refs):
            self.builder.build(schema.kind, values, where)

    def _status(self, plan: _Plan, fields: list[str], mode: FileMode, where: Where) -> bool | None:
        """Whether the row deletes; ``None`` when the row is unusable (already reported)."""
        status = plan.read(STATUS, fields, where)
        modified = plan.read(MODIFIED, fields, where)
        if status is INVALID or modified is INVALID:
            return None
        if mode is FileMode.DELTA:
            for name, value in (("status", status), ("dateLastModified", modified)):
                if value is None:
                    where.error("missing_value", name, "required in a delta file")
                    return None
            return status == "tobedeleted"
        if status == "tobedeleted":
            where.error(
                "bulk_delete",
                "status",
                "tobedeleted in a bulk file: leave the row out, or send a delta file",
            )
            return None
        if (status or modified) and not self.report.has("bulk_status", file=where.file):
            where.warning(
                "bulk_status", "", "status and dateLastModified are ignored in a bulk file"
            )
        return False

    def _new_id(self, schema: FileSchema, sourced_id: str, where: Where) -> bool:
        if not sourced_id:
            where.error("missing_value", "sourcedId", "required value is missing")
            return False
        defined = self.defined[schema.kind]
        if sourced_id in defined:
            where.error("duplicate_id", "sourcedId", f'duplicate sourcedId "{sourced_id}"')
            return False
        defined[sourced_id] = sourced_id
        return True

    # -- references -------------------------------------------------------------------------

    def _references(
        self,
        schema: FileSchema,
        mode: FileMode,
        values: dict[str, Value],
        plan: _Plan,
        where: Where,
        self_refs: list[tuple[int, Column, tuple[str, ...]]],
    ) -> bool:
        valid = True
        for column in plan.refs:
            value = values.get(column.name)
            if not value:
                continue
            ids = value if isinstance(value, tuple) else (str(value),)
            if column.ref == schema.kind:
                self_refs.append((where.line, column, ids))
                continue
            for sourced_id in ids:
                valid = self._resolve(column, sourced_id, mode, where) and valid
        return valid

    def _self_references(
        self,
        schema: FileSchema,
        mode: FileMode,
        self_refs: list[tuple[int, Column, tuple[str, ...]]],
        where: Where,
    ) -> None:
        for line, column, ids in self_refs:
            where.line = line
            for sourced_id in ids:
                self._resolve(column, sourced_id, mode, where)

    def _resolve(self, column: Column, sourced_id: str, mode: FileMode, where: Where) -> bool:
        kind = column.ref
        deleted = self.roster.deletions.get(kind, ())
        if sourced_id in deleted:
            where.error(
                "deleted_ref", column.name, f'{kind} "{sourced_id}" is deleted by this bundle'
            )
            return False
        if sourced_id in self.defined[kind] or kind in self.unread:
            return True
        if mode is FileMode.DELTA and sourced_id in self._known(kind):
            return True
        elsewhere = " or in Village" if mode is FileMode.DELTA else ""
        where.error(
            "dangling_ref",
            column.name,
            f'{kind} "{sourced_id}" is not defined in {kind}.csv{elsewhere}',
        )
        return False

    def _known(self, kind: str) -> AbstractSet[str]:
        if kind not in self.known:
            self.known[kind] = self.known_ids(kind)
        return self.known[kind]

    def _agent_is_known(self, sourced_id: str) -> bool:
        return sourced_id in self._known("users")


STATUS, MODIFIED = SCHEMAS["orgs"].columns[1:3]


class _Plan:
    """Where each column of a file sits and how its values are read, worked out once per file."""

    def __init__(self, schema: FileSchema, positions: dict[str, int], required: frozenset[str]):
        self.id_index = positions["sourcedId"]
        self.positions = positions
        self.columns = [
            (column, positions[column.name], READERS[column.type], column.name in required)
            for column in schema.columns
            if column.name in positions and column.name not in _ROW_STATE
        ]
        self.refs = [column for column, *_rest in self.columns if column.ref]

    def read(self, column: Column, fields: list[str], where: Where) -> Value:
        index = self.positions.get(column.name, len(fields))
        return read_value(column, fields[index].strip() if index < len(fields) else "", where)

    def values(self, fields: list[str], where: Where) -> dict[str, Value] | None:
        """The row's non-blank values by column name; ``None`` if any is missing or invalid."""
        values: dict[str, Value] = {}
        valid = True
        size = len(fields)
        for column, index, reader, required in self.columns:
            text = fields[index].strip() if index < size else ""
            if not text:
                if required:
                    where.error("missing_value", column.name, "required value is missing")
                    valid = False
                continue
            value = text if reader is None else reader(column, text, where)
            if value is INVALID:
                valid = False
            values[column.name] = value
        return values if valid else None


# How ``_FastRows`` reads a column.
_PLAIN, _LIST, _REF, _REFS, _SELF, _SELFS, _CACHED = range(7)
_CACHE_SIZE = 4096  # distinct values remembered per column (enums, booleans, dates)
_MISSING = object()


class _FastRows:
    """The common case of a row, checked with as little work per value as possible.

    ``values`` accepts only a row the thorough check (``_Validator._row``) would accept without
    a single error or warning, and returns the same values; for any other row it returns
    ``None`` and changes nothing, and the row is checked the thorough way, which reports it.
    Values whose reading could be remarked on (enums, booleans, dates) are read through a small
    per-column memory of values known to read cleanly; references are looked up in the
    sourcedIds read so far.
    """

    def __init__(
        self,
        validator: _Validator,
        schema: FileSchema,
        mode: FileMode,
        plan: _Plan,
        self_refs: list[tuple[int, Column, tuple[str, ...]]],
    ) -> None:
        self.validator = validator
        self.file = schema.filename
        self.delta = mode is FileMode.DELTA
        self.defined = validator.defined[schema.kind]
        self.self_refs = self_refs
        self.id_index = plan.id_index
        self.status_index = plan.positions.get(STATUS.name, -1)
        self.modified_index = plan.positions.get(MODIFIED.name, -1)
        self.status_noted = False  # "status and dateLastModified are ignored" is reported
        self.probe = QuietWhere(validator.report, schema.filename)
        self.modified_cache: dict[str, Value] = {}
        self.columns: list[tuple[str, int, int, bool, Any]] = []
        deletions = validator.roster.deletions
        for column, index, reader, required in plan.columns:
            if column.name == "sourcedId":
                continue
            many = column.type in (ValueType.IDS, ValueType.LIST)
            arg: Any = None
            if column.ref == schema.kind:
                code, arg = (_SELFS if many else _SELF), column
            elif column.ref:
                code = _REFS if many else _REF
                arg = (validator.defined[column.ref], deletions.get(column.ref), {})
            elif many:
                code = _LIST
            elif reader is None or column.type is ValueType.ID:
                code = _PLAIN
            else:
                code, arg = _CACHED, (column, reader, {})
            self.columns.append((column.name, index, code, required, arg))

    def values(self, fields: list[str], line: int) -> dict[str, Value] | None:
        """The row's values by column name, or ``None``: check this row the thorough way."""
        sourced_id = fields[self.id_index].strip()
        if not sourced_id or sourced_id in self.defined:
            return None
        if not self._plain_state(fields):
            return None
        values: dict[str, Value] = {"sourcedId": sourced_id}
        later: list[tuple[int, Column, tuple[str, ...]]] | None = None
        for name, index, code, required, arg in self.columns:
            text = fields[index].strip()
            if not text:
                if required:
                    return None
                continue
            if code == _PLAIN:
                values[name] = text
            elif code == _REF:
                defined, deleted, _cache = arg
                found = defined.get(text)
                if found is None or (deleted and text in deleted):
                    return None
                values[name] = found
            elif code == _CACHED:
                value = arg[2].get(text, _MISSING)
                if value is _MISSING:
                    value = self._clean(arg, text)
                    if value is _MISSING:
                        return None
                values[name] = value
            elif code == _LIST:
                values[name] = split_list(text)
            elif code == _REFS:
                ids = self._resolved(arg, text)
                if ids is None:
                    return None
                values[name] = ids
            else:  # a reference to the same file, checked once the whole file is read
                # (as ``split_list``, but not kept: such lists rarely repeat)
                ids = (
                    tuple(filter(None, map(str.strip, text.split(","))))
                    if code == _SELFS
                    else (sys.intern(text),)
                )
                values[name] = ids if code == _SELFS else ids[0]
                if ids:
                    later = later or []
                    later.append((line, arg, ids))
        self.defined[sourced_id] = sourced_id
        if later:
            self.self_refs.extend(later)
        return values

    def _plain_state(self, fields: list[str]) -> bool:
        """Whether status and dateLastModified need no remark and keep the row."""
        status = fields[self.status_index].strip() if self.status_index >= 0 else ""
        modified = fields[self.modified_index].strip() if self.modified_index >= 0 else ""
        if self.delta:
            if status != "active" or not modified:
                return False  # deleted, or a value missing: the thorough check handles it
        elif status or modified:
            if status not in ("", "active"):
                return False
            if not self.status_noted:
                self.status_noted = self.validator.report.has("bulk_status", file=self.file)
                if not self.status_noted:
                    return False
        if modified and modified not in self.modified_cache:
            value = self._clean((MODIFIED, READERS[MODIFIED.type], self.modified_cache), modified)
            return value is not _MISSING
        return True

    def _clean(self, arg: tuple[Column, Any, dict[str, Value]], text: str) -> Value | object:
        """Read ``text``; ``_MISSING`` unless it reads without a remark (then remember it)."""
        column, reader, cache = arg
        probe = self.probe
        probe.noted = False
        value = reader(column, text, probe)
        if probe.noted or value is INVALID:
            return _MISSING
        if len(cache) < _CACHE_SIZE:
            cache[text] = value
        return value

    def _resolved(self, arg: Any, text: str) -> tuple[str, ...] | None:
        """The sourcedIds of a list of references, if every one of them resolves."""
        defined, deleted, cache = arg
        ids: tuple[str, ...] | None = cache.get(text)
        if ids is not None:
            return ids
        ids = split_list(text)
        for sourced_id in ids:
            if sourced_id not in defined or (deleted and sourced_id in deleted):
                return None
        if len(cache) < _CACHE_SIZE:
            cache[text] = ids
        return ids
