"""Carry out a plan with set-based writes: COPY on PostgreSQL, bulk operations elsewhere.

Parents go first (organisations, sessions, courses, classes, users), and after each kind is
created its sourcedId -> id map is loaded once, so children resolve their references without a
query per row. The writes themselves are ``village.core.bulk``'s. The caller wraps ``apply_plan``
in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    SchoolClass,
)
from village.core.bulk import Writer, writer_for_connection
from village.rostering.plan import Change, Plan, Row

BATCH = 5000
Progress = Callable[[str, int, int], None]

# What each reference column points at; ``None``: the kind itself (a parent).
REF_TARGETS: dict[str, str | None] = {
    "parent_ref": None,
    "organisation_ref": "orgs",
    "school_ref": "orgs",
    "course_ref": "courses",
    "school_year_ref": "sessions",
    "user_ref": "users",
    "school_class_ref": "classes",
    "guardian_ref": "users",
    "student_ref": "users",
}
MODELS: dict[str, type[models.Model]] = {
    "orgs": Organisation,
    "sessions": AcademicSession,
    "courses": Course,
    "classes": SchoolClass,
    "users": User,
    "roles": OrgRole,
    "enrollments": Enrollment,
    "guardian_links": GuardianLink,
}


def _no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""


def batches(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Applier:
    def __init__(
        self, plan: Plan, progress: Progress | None = None, writer: Writer | None = None
    ) -> None:
        self.plan = plan
        self.progress = progress or _no_progress
        self.writer = writer or writer_for_connection()
        self.ids: dict[str, dict[str, int]] = {}
        self.now = timezone.now()
        # Rostered accounts have no password (Village signs them in its own ways). One
        # unusable password for the accounts of this import: making one costs 40 random
        # characters, too much to repeat 100,000 times, and it holds no secret to share.
        self.password = make_password(None)

    def run(self) -> None:
        self._orgs()
        self._kind("sessions", deferred=("parent_ref",))
        self._kind("courses")
        self._kind("classes")
        self._terms()
        self._kind("users", constants={"password": self.password})
        self._kind("roles")
        self._kind("enrollments")
        self._kind(
            "guardian_links",
            constants={"source": LinkSource.ROSTER, "status": LinkStatus.ACTIVE},
        )

    # -- references -----------------------------------------------------------------------

    def _load_ids(self, kind: str) -> dict[str, int]:
        model = MODELS[kind]
        pairs = (
            model._default_manager.filter(sourced_id__isnull=False)
            .order_by()
            .values_list("sourced_id", "id")
        )
        self.ids[kind] = dict(pairs)
        return self.ids[kind]

    def _ids(self, kind: str) -> dict[str, int]:
        known = self.ids.get(kind)
        return self._load_ids(kind) if known is None else known

    def _fields(self, kind: str, row: Row) -> Row:
        """Model field values for a planned change: references become ids."""
        fields: Row = {}
        for name, value in row.items():
            if name in REF_TARGETS:
                target = REF_TARGETS[name] or kind
                fields[f"{name[:-4]}_id"] = None if value is None else self._ids(target)[value]
            else:
                fields[name] = value
        return fields

    # -- writes ---------------------------------------------------------------------------

    def _create(
        self,
        kind: str,
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        deferred: tuple[str, ...] = (),
        constants: Row | None = None,
    ) -> None:
        """Insert planned rows; references (``*_ref``) become ids, ``deferred`` ones wait."""
        kept = [position for position, name in enumerate(columns) if name not in deferred]
        names: list[str] = []
        refs: list[tuple[int, dict[str, int]]] = []
        for position in kept:
            name = columns[position]
            if name in REF_TARGETS:
                refs.append((len(names), self._ids(REF_TARGETS[name] or kind)))
                names.append(f"{name[:-4]}_id")
            else:
                names.append(name)

        def values(batch: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
            for row in batch:
                out = [row[position] for position in kept]
                for position, ids in refs:
                    ref = out[position]
                    if ref is not None:
                        out[position] = ids[ref]
                yield out

        model, total, done = MODELS[kind], len(rows), 0
        for batch in batches(rows, self.writer.batch):
            self.writer.insert(model, names, values(batch), constants or {})
            done += len(batch)
            self.progress(kind, done, total)

    def _update(self, kind: str, changes: list[Change]) -> None:
        """Changes grouped by the set of fields that change, only those fields."""
        model = MODELS[kind]
        stamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        groups: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        for pk, row in changes:
            if not row:
                continue
            fields = self._fields(kind, row)
            if stamped:
                fields["updated_at"] = self.now
            names = tuple(sorted(fields))
            groups[names].append([pk, *(fields[name] for name in names)])
        for names, rows in groups.items():
            for batch in batches(rows, self.writer.batch):
                self.writer.update(model, names, batch)

    def _kind(
        self,
        kind: str,
        deferred: tuple[str, ...] = (),
        constants: Row | None = None,
    ) -> None:
        kind_plan = self.plan[kind]
        if kind_plan.create:
            self._create(kind, kind_plan.columns, kind_plan.create, deferred, constants)
            if kind in ("sessions", "courses", "classes", "users"):
                self._load_ids(kind)
            self._set_deferred(kind, kind_plan.columns, kind_plan.create, deferred)
        self._update(kind, kind_plan.update)
        self._update(kind, kind_plan.deactivate)
        self.progress(kind, len(kind_plan.create), len(kind_plan.create))

    def _set_deferred(
        self,
        kind: str,
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        deferred: tuple[str, ...],
    ) -> None:
        """Self-references of new rows, set once every row of the kind has an id."""
        if not deferred:
            return
        ids = self._ids(kind)
        key = columns.index("sourced_id")
        positions = [(columns.index(name), name) for name in deferred]
        changes: list[Change] = []
        for row in rows:
            fields = {name: row[position] for position, name in positions if row[position]}
            if fields:
                changes.append((ids[row[key]], fields))
        self._update(kind, changes)

    def _orgs(self) -> None:
        """Districts before schools: a school row needs its district's id."""
        kind_plan = self.plan["orgs"]
        columns = kind_plan.columns
        if kind_plan.create:
            kind = columns.index("kind")
            districts = [row for row in kind_plan.create if row[kind] == OrgKind.DISTRICT]
            schools = [row for row in kind_plan.create if row[kind] != OrgKind.DISTRICT]
            self._create("orgs", columns, districts)
            self._load_ids("orgs")
            self._create("orgs", columns, schools)
        self._load_ids("orgs")
        self._update("orgs", kind_plan.update)
        self._update("orgs", kind_plan.deactivate)
        self.progress("orgs", len(kind_plan.create), len(kind_plan.create))

    def _terms(self) -> None:
        """Replace the terms of the classes whose terms change."""
        wanted = self.plan.class_terms
        if not wanted:
            return
        through = SchoolClass.terms.through
        classes, sessions = self._ids("classes"), self._ids("sessions")
        class_ids = [classes[sourced_id] for sourced_id in wanted]
        for batch in batches(class_ids):
            through.objects.filter(schoolclass_id__in=batch).delete()
        links = [
            (classes[class_id], sessions[term])
            for class_id, terms in wanted.items()
            for term in terms
        ]
        for batch in batches(links, self.writer.batch):
            self.writer.insert(through, ("schoolclass_id", "academicsession_id"), batch, {})


def apply_plan(plan: Plan, progress: Progress | None = None) -> None:
    """Write ``plan``; call inside ``transaction.atomic()``."""
    Applier(plan, progress).run()
