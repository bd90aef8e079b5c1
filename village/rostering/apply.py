"""Carry out a plan with set-based writes: ``bulk_create`` and ``bulk_update`` in batches.

Parents go first (organisations, sessions, courses, classes, users), and after each kind is
created its sourcedId -> id map is loaded once, so children resolve their references without a
query per row. The caller wraps ``apply_plan`` in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
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
    def __init__(self, plan: Plan, progress: Progress | None = None) -> None:
        self.plan = plan
        self.progress = progress or _no_progress
        self.ids: dict[str, dict[str, int]] = {}
        self.now = timezone.now()

    def run(self) -> None:
        self._orgs()
        self._kind("sessions", deferred=("parent_ref",))
        self._kind("courses")
        self._kind("classes")
        self._terms()
        self._kind("users", extra=lambda: {"password": make_password(None)})
        self._kind("roles")
        self._kind("enrollments")
        self._kind(
            "guardian_links",
            extra=lambda: {"source": LinkSource.ROSTER, "status": LinkStatus.ACTIVE},
        )

    # -- references -----------------------------------------------------------------------

    def _load_ids(self, kind: str) -> dict[str, int]:
        model = MODELS[kind]
        pairs = model._default_manager.filter(sourced_id__isnull=False).values_list(
            "sourced_id", "id"
        )
        self.ids[kind] = dict(pairs)
        return self.ids[kind]

    def _id(self, kind: str, sourced_id: str) -> int:
        known = self.ids.get(kind)
        if known is None:
            known = self._load_ids(kind)
        return known[sourced_id]

    def _fields(self, kind: str, row: Row) -> Row:
        """Model field values for a planned row: references become ids."""
        fields: Row = {}
        for name, value in row.items():
            if name in REF_TARGETS:
                target = REF_TARGETS[name] or kind
                fields[f"{name[:-4]}_id"] = None if value is None else self._id(target, value)
            else:
                fields[name] = value
        return fields

    # -- writes ---------------------------------------------------------------------------

    def _create(
        self,
        kind: str,
        rows: list[Row],
        deferred: tuple[str, ...] = (),
        extra: Callable[[], Row] | None = None,
    ) -> None:
        model = MODELS[kind]
        total = len(rows)
        for done, batch in enumerate(batches(rows), start=1):
            objects = []
            for row in batch:
                kept = {name: value for name, value in row.items() if name not in deferred}
                objects.append(model(**self._fields(kind, kept), **(extra() if extra else {})))
            model._default_manager.bulk_create(objects, batch_size=BATCH)
            self.progress(kind, min(done * BATCH, total), total)

    def _update(self, kind: str, changes: list[Change]) -> None:
        """``bulk_update`` grouped by the set of fields that change, only those fields."""
        model = MODELS[kind]
        stamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
        for pk, row in changes:
            if not row:
                continue
            fields = self._fields(kind, row)
            if stamped:
                fields["updated_at"] = self.now
            groups[tuple(sorted(fields))].append(model(pk=pk, **fields))
        for names, objects in groups.items():
            model._default_manager.bulk_update(objects, list(names), batch_size=BATCH)

    def _kind(
        self,
        kind: str,
        deferred: tuple[str, ...] = (),
        extra: Callable[[], Row] | None = None,
    ) -> None:
        kind_plan = self.plan[kind]
        if kind_plan.create:
            self._create(kind, kind_plan.create, deferred, extra)
            if kind in ("sessions", "courses", "classes", "users"):
                self._load_ids(kind)
            self._set_deferred(kind, kind_plan.create, deferred)
        self._update(kind, kind_plan.update)
        self._update(kind, kind_plan.deactivate)
        self.progress(kind, len(kind_plan.create), len(kind_plan.create))

    def _set_deferred(self, kind: str, rows: list[Row], deferred: tuple[str, ...]) -> None:
        """Self-references of new rows, set once every row of the kind has an id."""
        changes: list[Change] = []
        for row in rows:
            fields = {name: row[name] for name in deferred if row.get(name) is not None}
            if fields:
                changes.append((self._id(kind, row["sourced_id"]), fields))
        self._update(kind, changes)

    def _orgs(self) -> None:
        """Districts before schools: a school row needs its district's id."""
        kind_plan = self.plan["orgs"]
        districts = [row for row in kind_plan.create if row["kind"] == OrgKind.DISTRICT]
        schools = [row for row in kind_plan.create if row["kind"] != OrgKind.DISTRICT]
        self._create("orgs", districts)
        self._load_ids("orgs")
        self._create("orgs", schools)
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
        class_ids = [self._id("classes", sourced_id) for sourced_id in wanted]
        for batch in batches(class_ids):
            through.objects.filter(schoolclass_id__in=batch).delete()
        links = [
            through(schoolclass_id=self._id("classes", class_id), academicsession_id=term_pk)
            for class_id, terms in wanted.items()
            for term_pk in (self._id("sessions", term) for term in terms)
        ]
        through.objects.bulk_create(links, batch_size=BATCH)


def apply_plan(plan: Plan, progress: Progress | None = None) -> None:
    """Write ``plan``; call inside ``transaction.atomic()``."""
    Applier(plan, progress).run()
