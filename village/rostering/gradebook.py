"""Import a OneRoster gradebook: lineItems.csv as classwork assignments, results.csv as feedback.

Runs after the roster of the same bundle is applied, in the same transaction, so that classes and
students the bundle creates are found. The bundle is already validated; its gradebook files are
read again here (problems in them were reported by validation, so this reading is quiet), each
reference is resolved with one query per kind, and the changes are worked out against the
assignments and feedback Village holds (one query each), then written set-based.

Decisions:

- **categories**: a line item's category becomes the ``GradingCategory`` of its class with the
  category's title as name, matched by (class, name) and created with weight 0 when missing.
  Weights are Village's and never changed; categories are never renamed or removed.
- **lineItems** become assignments visible to families; ``description`` becomes escaped plain
  text in paragraphs; ``points`` is ``resultValueMax``. Village grades from 0: a non-zero
  ``resultValueMin`` is a warning, and scores are kept as the source gives them. A due date
  before the assign date is a warning and the due date becomes the assign date. Rubric,
  materials, topic and "families see it" are Village's and never changed by an import.
- **results** become feedback, one per (assignment, student): ``fully graded`` is returned (at
  noon on ``scoreDate`` in the school's time zone); ``partially graded`` is a draft with its
  score, ``submitted`` a draft without one; ``exempt`` excuses the work (no score); ``not
  submitted`` makes no feedback (the work's status comes from what the student hands in), and
  removes an imported grade. Feedback a teacher wrote in Village (no sourcedId) is kept.
- A bulk file is a snapshot: imported assignments (results) of the schools it covers that it
  leaves out are deactivated, as are delta rows marked ``tobedeleted``. A deactivated assignment
  keeps its feedback (a bulk results file does not deactivate the feedback of inactive work);
  deactivated feedback is withdrawn from the student (no longer returned) and comes back if the
  result reappears.
- Problems found here are warnings: the roster is already applied, and a row Village cannot use
  is left out without stopping the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from village.classwork import bulk
from village.classwork.models import Assignment
from village.rostering.bundle import open_bundle, read_manifest
from village.rostering.gradebook_plan import FEEDBACK_FIELDS, Change, GradebookPlan
from village.rostering.gradebook_results import plan_gradebook
from village.rostering.gradebook_rows import GradebookRecord, Row, by_sourced_id, read_records
from village.rostering.plan import KindCounts
from village.rostering.report import Report

KINDS = ("categories", "lineItems", "results")


@dataclass(frozen=True)
class GradebookRows:
    """The line items and results of a bundle, read as the import reads them: what the scope
    check of an import looks at before anything is applied."""

    line_items: list[GradebookRecord] = field(default_factory=list)
    results: list[GradebookRecord] = field(default_factory=list)


def read_gradebook(path: str | Path) -> GradebookRows:
    """The gradebook rows of the validated bundle at ``path`` (none if it does not open)."""
    bundle = open_bundle(path, Report())
    if bundle is None:
        return GradebookRows()
    with bundle:
        manifest = read_manifest(bundle, Report())
        if manifest is None:
            return GradebookRows()
        return GradebookRows(
            list(read_records(bundle, manifest, "lineItems")),
            list(read_records(bundle, manifest, "results")),
        )


def _resolve(fields: Row, key: str, target: str, ids: Mapping[Any, int]) -> Row:
    if key not in fields:
        return fields
    resolved = {name: value for name, value in fields.items() if name != key}
    resolved[target] = ids[fields[key]]
    return resolved


def _resolved(
    changes: Iterable[Change], key: str, target: str, ids: Mapping[Any, int]
) -> list[Change]:
    return [(pk, _resolve(fields, key, target, ids)) for pk, fields in changes]


def apply_gradebook(plan: GradebookPlan) -> None:
    """Write the plan through classwork's bulk service; the caller holds the transaction."""
    now = plan.now
    category_ids = dict(
        zip(
            plan.categories,
            bulk.categories_create(
                rows=[
                    {"school_class_id": class_id, "name": name, "weight": Decimal(0)}
                    for class_id, name in plan.categories
                ]
            ),
            strict=True,
        )
    )
    items = plan.line_items
    bulk.assignments_create(
        rows=[_resolve(row, "category_key", "category_id", category_ids) for row in items.create]
    )
    bulk.assignments_update(
        changes=_resolved(items.update, "category_key", "category_id", category_ids), now=now
    )
    bulk.assignments_withdraw(ids=[pk for pk, _fields in items.deactivate], now=now)
    results = plan.results
    refs = {
        row["assignment_ref"]
        for row in [*results.create, *(fields for _pk, fields in results.update)]
        if "assignment_ref" in row
    }
    assignment_ids = {
        ref: values[0]
        for ref, values in by_sourced_id(Assignment.objects.all(), refs, "id").items()
    }
    columns = ("sourced_id", *FEEDBACK_FIELDS)
    created = [
        _resolve(row, "assignment_ref", "assignment_id", assignment_ids) for row in results.create
    ]
    bulk.feedback_create(
        columns=columns, rows=[tuple(row[name] for name in columns) for row in created]
    )
    bulk.feedback_update(
        changes=_resolved(results.update, "assignment_ref", "assignment_id", assignment_ids),
        now=now,
    )
    bulk.feedback_withdraw(ids=[pk for pk, _fields in results.deactivate], now=now)


def import_gradebook(
    path: str | Path,
    report: Report,
    *,
    organisations: frozenset[int] | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> dict[str, KindCounts]:
    """Plan and (unless ``dry_run``) apply the gradebook files of the validated bundle at
    ``path``, after its roster is applied and inside the same transaction. Returns the changes
    per kind ("categories", "lineItems", "results").

    ``organisations`` is the import's reach (``reach.importer_reach``), ``None`` for the whole
    of Village: rows naming classes, line items or results outside it, or students enrolled in
    none of its classes, are left out (the scope check refused such a bundle already)."""
    now = now or timezone.now()
    bundle = open_bundle(path, Report())
    if bundle is None:
        return GradebookPlan(now).counts
    with bundle:
        manifest = read_manifest(bundle, Report())
        if manifest is None:
            return GradebookPlan(now).counts
        plan = plan_gradebook(bundle, manifest, report, now=now, organisations=organisations)
    if not dry_run:
        apply_gradebook(plan)
    return plan.counts
