"""Reads for the roster pages: recent imports, one import's report and plan, live progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from village.community.policies import AnyUser
from village.rostering import policies
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.plan import KINDS
from village.rostering.services import progress_key

RECENT = 50

KIND_LABELS: dict[str, Promise] = {
    "orgs": _("Districts and schools"),
    "sessions": _("Years and terms"),
    "courses": _("Courses"),
    "classes": _("Classes"),
    "users": _("People"),
    "roles": _("Roles in schools"),
    "enrollments": _("Class enrolments"),
    "guardian_links": _("Guardian links"),
    "categories": _("Grading categories"),
    "lineItems": _("Assignments (gradebook)"),
    "results": _("Grades (gradebook)"),
    "gradebook": _("Assignments and grades"),
}

STAGE_LABELS: dict[str, Promise] = {
    "validating": _("Reading and checking the files"),
    "planning": _("Working out the changes"),
}


def stage_label(stage: str) -> str:
    """A stage of the import in words; the apply reports one stage per kind it saves."""
    if stage in STAGE_LABELS:
        return str(STAGE_LABELS[stage])
    if stage in KIND_LABELS:
        return gettext("Saving: %(what)s") % {"what": KIND_LABELS[stage]}
    return stage


def recent_imports(user: AnyUser) -> QuerySet[RosterImport]:
    """The latest imports ``user`` may see, newest first (one query)."""
    return policies.visible_imports(user).select_related("organisation", "uploaded_by")[:RECENT]


@dataclass(frozen=True)
class Progress:
    stage: str
    done: int
    total: int

    @property
    def label(self) -> str:
        return stage_label(self.stage)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def import_progress(import_id: int) -> Progress | None:
    """What the background task last wrote to the shared cache, if anything."""
    raw = cache.get(progress_key(import_id))
    if not isinstance(raw, dict):
        return None
    try:
        done, total = max(int(raw["done"]), 0), max(int(raw["total"]), 0)
        return Progress(stage=str(raw["stage"]), done=min(done, total), total=total)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class PlanRow:
    kind: str
    label: str
    created: int
    updated: int
    deactivated: int


ACTION_LABELS: dict[str, Promise] = {
    "created": _("new"),
    "updated": _("updated"),
    "deactivated": _("deactivated"),
}


@dataclass(frozen=True)
class ChangeGroup:
    """The changed records of one kind and action the page lists (the first ``SHOWN``)."""

    kind: str
    action: str
    label: str
    total: int
    records: list[dict[str, Any]]

    @property
    def more(self) -> int:
        return max(self.total - len(self.records), 0)


@dataclass
class ImportPage:
    roster_import: RosterImport
    progress: Progress | None = None
    report: dict[str, Any] = field(default_factory=dict)
    plan_rows: list[PlanRow] = field(default_factory=list)
    change_groups: list[ChangeGroup] = field(default_factory=list)

    @property
    def is_working(self) -> bool:
        return self.roster_import.is_working

    @property
    def can_confirm(self) -> bool:
        imported = self.roster_import
        return imported.status == ImportStatus.VALIDATED and not imported.has_nothing_to_apply

    @property
    def nothing_to_apply(self) -> bool:
        return self.roster_import.has_nothing_to_apply

    @property
    def can_download_changes(self) -> bool:
        return bool(self.roster_import.changes_file)

    @property
    def record_counts(self) -> list[tuple[str, int]]:
        return sorted((self.report.get("counts") or {}).items())


def import_page(roster_import: RosterImport) -> ImportPage:
    """One import as its page shows it: live progress while working, else report and plan."""
    if roster_import.is_working:
        return ImportPage(roster_import, progress=import_progress(roster_import.pk))
    rows = plan_rows(roster_import.plan)
    return ImportPage(
        roster_import,
        report=roster_import.report or {},
        plan_rows=rows,
        change_groups=change_groups(roster_import.changes, rows),
    )


def change_groups(listed: dict[str, Any] | None, rows: list[PlanRow]) -> list[ChangeGroup]:
    """The records the check listed, by kind then action, with how many there are in all."""
    if not isinstance(listed, dict):
        return []
    totals = {row.kind: row for row in rows}
    groups = []
    for kind in [*KINDS, *sorted(set(listed) - set(KINDS))]:
        by_action = listed.get(kind)
        if not isinstance(by_action, dict):
            continue
        for action, label in ACTION_LABELS.items():
            records = by_action.get(action)
            if not isinstance(records, list) or not records:
                continue
            row = totals.get(kind)
            total = getattr(row, action, len(records)) if row else len(records)
            kind_label = KIND_LABELS.get(kind, kind)
            groups.append(ChangeGroup(kind, action, f"{kind_label}: {label}", int(total), records))
    return groups


def plan_rows(plan: dict[str, Any] | None) -> list[PlanRow]:
    if not plan:
        return []
    rows = []
    for kind in [*KINDS, *sorted(set(plan) - set(KINDS))]:
        counts = plan.get(kind)
        if not isinstance(counts, dict):
            continue
        rows.append(
            PlanRow(
                kind=kind,
                label=str(KIND_LABELS.get(kind, kind)),
                created=int(counts.get("created", 0)),
                updated=int(counts.get("updated", 0)),
                deactivated=int(counts.get("deactivated", 0)),
            )
        )
    return rows
