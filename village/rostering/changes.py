"""The records an import changes, one by one, so that an admin sees what "1955 changes" are.

A change names its kind, what happens (created, updated, deactivated), the record (its
sourcedId, or what identifies it) and each field that changes, old and new value. The report
page shows the first ``SHOWN`` of each kind and action (``listing``); the download holds every
one (``write_csv``), one line per changed field.

The values a plan replaces are not part of the plan, so they are read for a batch of records at a
time: a few queries per kind, never one per record.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from village.community.models import SchoolClass
from village.core.text import spreadsheet_safe
from village.rostering.apply import MODELS, batches
from village.rostering.plan import KINDS, Change, KindPlan, Plan

SHOWN = 100
ACTIONS = ("created", "updated", "deactivated")
CSV_HEADER = ("kind", "change", "record", "field", "old value", "new value")
# What names a record of each kind that has no sourcedId of its own.
LABEL_LOOKUPS: dict[str, tuple[str, ...]] = {
    "roles": ("sourced_id", "user__sourced_id", "organisation__sourced_id", "role"),
    "guardian_links": ("guardian__sourced_id", "student__sourced_id"),
}
NEW_LABELS = {
    "roles": ("user_ref", "organisation_ref", "role"),
    "guardian_links": ("guardian_ref", "student_ref"),
}
# The fields a change lists by their name in Village, not by the reference the plan holds.
HIDDEN = frozenset({"sourced_id", "password"})


@dataclass(frozen=True)
class RecordChange:
    kind: str
    action: str
    record: str
    fields: tuple[tuple[str, str, str], ...]  # (field, old value, new value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "fields": [{"name": n, "old": old, "new": new} for n, old, new in self.fields],
        }


def record_changes(plan: Plan) -> Iterator[RecordChange]:
    """Every change of ``plan``, kind by kind in the order they are applied."""
    terms = plan.class_terms
    for kind in KINDS:
        kind_plan = plan[kind]
        yield from _created(kind, kind_plan, terms)
        yield from _changed(kind, "updated", kind_plan.update, terms)
        yield from _changed(kind, "deactivated", kind_plan.deactivate)


def listing(plan: Plan, shown: int = SHOWN) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The first ``shown`` changes of each kind and action, as the report page keeps them."""
    kept: dict[str, dict[str, list[dict[str, Any]]]] = {}
    terms = plan.class_terms
    for kind in KINDS:
        kind_plan = plan[kind]
        for action, changes in (
            ("created", _created(kind, _first(kind_plan, shown), terms)),
            ("updated", _changed(kind, "updated", kind_plan.update[:shown], terms)),
            ("deactivated", _changed(kind, "deactivated", kind_plan.deactivate[:shown])),
        ):
            rows = [change.as_dict() for change in changes]
            if rows:
                kept.setdefault(kind, {})[action] = rows
    return kept


def write_csv(plan: Plan, out: IO[str]) -> None:
    """Every change of ``plan`` as CSV, one line per changed field."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for change in record_changes(plan):
        for name, old, new in change.fields or (("", "", ""),):
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (change.kind, change.action, change.record, name, old, new)
                ]
            )


def _first(kind_plan: KindPlan, shown: int) -> KindPlan:
    return KindPlan(columns=kind_plan.columns, create=kind_plan.create[:shown])


def _created(
    kind: str, kind_plan: KindPlan, terms: dict[str, tuple[str, ...]]
) -> Iterator[RecordChange]:
    label = NEW_LABELS.get(kind, ("sourced_id",))
    for row in kind_plan.created():
        record = row.get("sourced_id") or " / ".join(str(row.get(name) or "") for name in label)
        fields = tuple(
            (_name(name), "", _text(value))
            for name, value in row.items()
            if name not in HIDDEN and _text(value)
        )
        if kind == "classes" and record in terms:
            fields += (("terms", "", _text(terms[record])),)
        yield RecordChange(kind, "created", str(record), fields)


def _changed(
    kind: str, action: str, changes: list[Change], terms: dict[str, tuple[str, ...]] | None = None
) -> Iterator[RecordChange]:
    """Changes to existing records, with the values they replace (read a batch at a time)."""
    model = MODELS[kind]
    labels = LABEL_LOOKUPS.get(kind, ("sourced_id",))
    for batch in batches(changes):
        names = sorted({name for _pk, fields in batch for name in fields})
        lookups = {name: _lookup(name) for name in names}
        read = dict.fromkeys([*labels, *lookups.values()])
        rows = model._default_manager.filter(pk__in=[pk for pk, _f in batch]).values("pk", *read)
        old = {row["pk"]: row for row in rows}
        old_terms = _terms_of([pk for pk, _f in batch]) if kind == "classes" and terms else {}
        for pk, fields in batch:
            was = old.get(pk, {})
            record = was.get("sourced_id") or " / ".join(
                str(was.get(label) or "") for label in labels if label != "sourced_id"
            )
            listed = tuple(
                (_name(name), _text(was.get(lookups[name])), _text(value))
                for name, value in fields.items()
                if name not in HIDDEN or name == "sourced_id"
            )
            if terms and record in terms:
                listed += (("terms", _text(old_terms.get(pk, [])), _text(terms[record])),)
            yield RecordChange(kind, action, str(record or f"#{pk}"), listed)


def _terms_of(class_ids: list[int]) -> dict[int, list[str]]:
    """The sourcedIds of the terms each class has now (one query)."""
    found: dict[int, list[str]] = {}
    through = SchoolClass.terms.through.objects.filter(schoolclass_id__in=class_ids)
    for class_id, term in through.order_by("academicsession__sourced_id").values_list(
        "schoolclass_id", "academicsession__sourced_id"
    ):
        found.setdefault(class_id, []).append(str(term))
    return found


def _lookup(name: str) -> str:
    """Where the current value of a planned field is read: references by their sourcedId."""
    return f"{name[:-4]}__sourced_id" if name.endswith("_ref") else name


def _name(name: str) -> str:
    return name[:-4] if name.endswith("_ref") else name


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(map(str, value))
    return str(value)
