"""Import a OneRoster bundle: validate, plan, and apply in one transaction.

Strict: a bundle with any error changes nothing, and the apply is atomic, so a roster is never
half-imported. A dry run stops after the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    Organisation,
    OrgRole,
    SchoolClass,
)
from village.rostering.apply import Progress, apply_plan
from village.rostering.plan import ChangeCounts, Context, Plan
from village.rostering.plan_people import plan_people
from village.rostering.plan_structure import plan_structure
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
}


@dataclass
class ImportOutcome:
    report: Report
    plan: ChangeCounts
    applied: bool


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
) -> ImportOutcome:
    """Validate the bundle at ``path``, plan the changes and, unless ``dry_run`` or the report
    holds an error, apply them atomically."""
    tell: Progress = progress or (lambda stage, done, total: None)
    tell("validating", 0, 1)
    validation = validate_bundle(path, known_ids=known_ids)
    report = validation.report
    tell("validating", 1, 1)
    if not report.ok:
        return ImportOutcome(report, ChangeCounts(), applied=False)
    tell("planning", 0, 1)
    ctx = Context(validation.roster, report, timezone.localdate())
    plan = build_plan(ctx)
    tell("planning", 1, 1)
    counts = plan.counts
    if dry_run or not report.ok:
        return ImportOutcome(report, counts, applied=False)
    with transaction.atomic():
        apply_plan(plan, tell)
    return ImportOutcome(report, counts, applied=True)
