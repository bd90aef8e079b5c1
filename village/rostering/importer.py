"""Import a OneRoster bundle: validate, plan, and apply in one transaction.

Strict: a bundle with any error changes nothing, and the apply is atomic, so a roster is never
half-imported. A dry run stops after the plan.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Assignment
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    Organisation,
    OrgRole,
    SchoolClass,
)
from village.rostering import reach
from village.rostering.apply import MODELS, Progress, apply_plan
from village.rostering.gradebook import import_gradebook, read_gradebook
from village.rostering.notices import email_changes_notify
from village.rostering.plan import ChangeCounts, Context, Plan
from village.rostering.plan_people import plan_people
from village.rostering.plan_structure import plan_structure
from village.rostering.policies.scope import bundle_scope_problems
from village.rostering.report import Report
from village.rostering.validate import validate_bundle

# The models holding the sourcedIds a delta file may refer to, by OneRoster file kind.
KNOWN_MODELS: dict[str, type[models.Model]] = {
    "orgs": Organisation,
    "academicSessions": AcademicSession,
    "courses": Course,
    "classes": SchoolClass,
    "users": User,
    "roles": OrgRole,
    "enrollments": Enrollment,
    "lineItems": Assignment,
}


STATISTICS_AFTER = 10_000  # new rows of a kind after which its table is measured again


@dataclass
class ImportOutcome:
    report: Report
    plan: ChangeCounts
    applied: bool
    changes: Plan | None = None  # what a dry run would change, record by record


def known_ids(kind: str) -> AbstractSet[str]:
    """The sourcedIds Village holds for a OneRoster kind (one query)."""
    model = KNOWN_MODELS.get(kind)
    if model is None:
        return frozenset()
    return frozenset(
        model._default_manager.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True)
    )


def build_plan(ctx: Context) -> Plan:
    index = plan_structure(ctx)
    plan_people(ctx, index)
    return ctx.plan


def run_import(
    *,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    organisation: Organisation | None = None,
) -> ImportOutcome:
    """Validate the bundle at ``path``, plan the changes and, unless ``dry_run`` or the report
    holds an error, apply them atomically.

    ``organisation`` is the one the import is for (an admin's upload, or ``--organisation`` on
    the command line): a bundle holding anything outside it is refused
    (``policies.scope.bundle_scope_problems``), and its reach bounds whose accounts the import may
    change (``reach``). Without it (the server's operator, on the
    command line) the import reaches every organisation.
    """
    with _collector_paused():
        return _run_import(
            path, dry_run, progress or (lambda stage, done, total: None), organisation
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the import.

    An import builds millions of small tuples and dicts that live until it ends; the collector
    would go through all of them again and again (a fifth of the time of a large import) to
    find cycles the import does not make. It runs again, as usual, once the import is over.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_import(
    path: Path, dry_run: bool, tell: Progress, organisation: Organisation | None
) -> ImportOutcome:
    tell("validating", 0, 1)
    validation = validate_bundle(path, known_ids=known_ids)
    report = validation.report
    tell("validating", 1, 1)
    if not report.ok:
        return ImportOutcome(report, ChangeCounts(), applied=False)
    roster = validation.roster
    if organisation is not None:
        # The same check as an admin's upload: a bundle reaching outside its organisation is
        # refused whole, whoever runs it.
        problems = bundle_scope_problems(organisation, roster, gradebook=read_gradebook(path))
        for problem in problems:
            report.error("outside_scope", problem.message, file=problem.file, line=problem.line)
        if not report.ok:
            return ImportOutcome(report, ChangeCounts(), applied=False)
    tell("planning", 0, 1)
    organisations = None if organisation is None else reach.importer_reach(organisation)
    ctx = Context(roster, report, timezone.localdate(), organisations=organisations)
    plan = build_plan(ctx)
    tell("planning", 1, 1)
    counts = plan.counts
    if dry_run or not report.ok:
        return ImportOutcome(report, counts, applied=False, changes=plan)
    with transaction.atomic():
        apply_plan(plan, tell)
        if plan.email_changes:
            transaction.on_commit(partial(email_changes_notify, dict(plan.email_changes)))
        # Gradebook files (lineItems, results) need the classes and students just written, so
        # they are read and applied after the roster, in the same transaction.
        tell("gradebook", 0, 1)
        gradebook = import_gradebook(path, report, organisations=organisations, now=timezone.now())
        counts.kinds.update(
            {kind: kind_counts for kind, kind_counts in gradebook.items() if kind_counts.total}
        )
        tell("gradebook", 1, 1)
    _refresh_statistics(plan)
    return ImportOutcome(report, counts, applied=True)


def _refresh_statistics(plan: Plan) -> None:
    """Have PostgreSQL measure again the tables an import filled.

    Its row estimates are otherwise those of the tables before (empty, for a first import)
    until autovacuum gets to them, and queries planned on them can be very slow meanwhile.
    """
    if connection.vendor != "postgresql":
        return
    tables = [
        MODELS[kind]._meta.db_table
        for kind, kind_plan in plan.kinds.items()
        if len(kind_plan.create) >= STATISTICS_AFTER
    ]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
