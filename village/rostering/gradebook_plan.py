"""Planning the line items of a gradebook import: what becomes of each classwork assignment
(see ``village.rostering.gradebook`` for the decisions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import linebreaks

from village.classwork.models import Assignment, GradingCategory
from village.community.models import SchoolClass
from village.core.models import RosterStatus
from village.rostering.bundle import Bundle, Manifest
from village.rostering.gradebook_rows import (
    MAX_POINTS,
    GradebookRecord,
    Row,
    by_sourced_id,
    changed_fields,
    decimal_points,
    read_records,
)
from village.rostering.plan import KindCounts
from village.rostering.report import Report
from village.rostering.schema import SCHEMAS, FileMode

Change = tuple[int, Row]  # (primary key, fields to set)
CategoryKey = tuple[int, str]  # (class id, category name)

ASSIGNMENT_FIELDS = (
    "school_class_id",
    "category_id",
    "title",
    "instructions",
    "assign_at",
    "due_at",
    "points",
    "status",
)
FEEDBACK_FIELDS = ("assignment_id", "student_id", "score", "comment", "excused", "returned_at")
GRADE_FIELDS = frozenset({"score", "comment", "excused", "returned_at"})


@dataclass
class Changes:
    """New rows (field values; ``category_key``/``assignment_ref`` stand for rows this import
    creates), and the fields to set on existing rows."""

    create: list[Row] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    deactivate: list[Change] = field(default_factory=list)

    def counts(self) -> KindCounts:
        return KindCounts(len(self.create), len(self.update), len(self.deactivate))


@dataclass
class GradebookPlan:
    now: dt.datetime
    categories: list[CategoryKey] = field(default_factory=list)
    line_items: Changes = field(default_factory=Changes)
    results: Changes = field(default_factory=Changes)

    @property
    def counts(self) -> dict[str, KindCounts]:
        """Changes per kind, in the shape of ``ChangeCounts.kinds``."""
        return {
            "categories": KindCounts(created=len(self.categories)),
            "lineItems": self.line_items.counts(),
            "results": self.results.counts(),
        }

    @property
    def total_changes(self) -> int:
        return sum(counts.total for counts in self.counts.values())


class LineItemPlanner:
    """Plans the line items of a gradebook (``village.rostering.gradebook_results`` adds the
    results), keeping what results need of them."""

    def __init__(
        self,
        bundle: Bundle,
        manifest: Manifest,
        report: Report,
        now: dt.datetime,
        organisations: frozenset[int] | None,
    ):
        self.bundle = bundle
        self.organisations = organisations
        self.manifest = manifest
        self.report = report
        self.plan = GradebookPlan(now)
        # lineItem sourcedId -> (assignment id or None if new, school id, time zone name)
        self.items: dict[str, tuple[int | None, int, str]] = {}
        # lineItem sourcedIds of assignments outside ``organisations``: never touched
        self.foreign_items: set[str] = set()
        # lineItem sourcedId -> (points, graded with a rubric): what a result's score must fit
        self.scales: dict[str, tuple[Decimal | None, bool]] = {}
        self._totals: dict[int, Decimal] | None = None

    def warn(self, code: str, file: str, line: int, column: str, message: str) -> None:
        self.report.warning(code, message, file=file, line=line, column=column)

    def inside(self, school_id: int) -> bool:
        """Whether the import may change the work of this school (the scope check refused
        the bundle already otherwise; this keeps the import itself from doing it)."""
        return self.organisations is None or school_id in self.organisations

    def outside(self, file: str, line: int, column: str, sourced_id: str) -> None:
        self.warn(
            "outside_scope",
            file,
            line,
            column,
            f'"{sourced_id}" lies outside the organisations of this import; row left out',
        )

    def _category_titles(self) -> dict[str, str]:
        limit = GradingCategory._meta.get_field("name").max_length or 100
        return {
            str(record.values["sourcedId"]): record.text("title")[:limit].strip()
            for record in read_records(self.bundle, self.manifest, "categories")
            if not record.deleted and record.text("title")
        }

    # -- line items -------------------------------------------------------------------------

    def _line_items(self, titles: dict[str, str]) -> None:
        file = SCHEMAS["lineItems"].filename
        rows = list(read_records(self.bundle, self.manifest, "lineItems"))
        class_refs = {r.text("classSourcedId") for r in rows if not r.deleted}
        classes = by_sourced_id(
            SchoolClass.objects.all(), class_refs, "id", "school_id", "school__time_zone"
        )
        existing = {
            row["sourced_id"]: row
            for row in Assignment.objects.filter(sourced_id__isnull=False).values(
                "id",
                "sourced_id",
                *ASSIGNMENT_FIELDS,
                "school_class__school_id",
                "school_class__school__time_zone",
                "rubric_id",
            )
        }
        foreign = {
            sourced_id
            for sourced_id, row in existing.items()
            if not self.inside(row["school_class__school_id"])
        }
        for sourced_id in foreign:
            del existing[sourced_id]
        for sourced_id, row in existing.items():
            school = row["school_class__school_id"]
            self.items[sourced_id] = (row["id"], school, row["school_class__school__time_zone"])
            self.scales[sourced_id] = (row["points"], row["rubric_id"] is not None)
        self.foreign_items = foreign
        categories = {
            (class_id, name): pk
            for class_id, name, pk in GradingCategory.objects.filter(
                school_class_id__in={c[0] for c in classes.values()}
            ).values_list("school_class_id", "name", "id")
        }
        new_categories: dict[CategoryKey, None] = {}
        changes = self.plan.line_items
        wanted: set[str] = set()
        gone: set[str] = set()
        covered: set[int] = set()
        for record in rows:
            sourced_id = str(record.values["sourcedId"])
            if sourced_id in foreign:
                self.outside(file, record.line, "sourcedId", sourced_id)
                continue
            if record.deleted:
                gone.add(sourced_id)
                continue
            school_class = classes.get(record.text("classSourcedId"))
            if school_class is not None and not self.inside(school_class[1]):
                self.outside(file, record.line, "classSourcedId", record.text("classSourcedId"))
                continue
            if school_class is None:
                self.warn(
                    "unknown_class",
                    file,
                    record.line,
                    "classSourcedId",
                    f'class "{record.text("classSourcedId")}" is not in Village; '
                    "line item left out",
                )
                continue
            class_id, school_id, zone = school_class
            covered.add(school_id)
            new = self._assignment(record, class_id, file)
            if new is None:
                continue
            wanted.add(sourced_id)
            rubric = existing.get(sourced_id, {}).get("rubric_id") is not None
            self.scales[sourced_id] = (new["points"], rubric)
            title = titles.get(record.text("categorySourcedId"))
            if title:
                key = (class_id, title)
                if key in categories:
                    new["category_id"] = categories[key]
                else:
                    new_categories.setdefault(key)
                    new["category_key"] = key
            old = existing.get(sourced_id)
            if old is None:
                changes.create.append({"sourced_id": sourced_id, **new})
                self.items[sourced_id] = (None, school_id, zone)
                continue
            self.items[sourced_id] = (old["id"], school_id, zone)
            fields = changed_fields(old, new)
            if "category_key" in new:  # a category this import creates
                fields["category_key"] = new["category_key"]
            if fields:
                changes.update.append((old["id"], fields))
        self.plan.categories = list(new_categories)
        stale = self._stale("lineItems", existing, wanted, gone, covered)
        changes.deactivate = [(row["id"], {"status": RosterStatus.INACTIVE}) for row in stale]

    def _assignment(self, record: GradebookRecord, class_id: int, file: str) -> Row | None:
        values = record.values
        assign_at = values.get("assignDate")
        due_at = values.get("dueDate")
        if not isinstance(assign_at, dt.datetime) or not isinstance(due_at, dt.datetime):
            return None
        if due_at < assign_at:
            self.warn(
                "due_before_assigned",
                file,
                record.line,
                "dueDate",
                "due before it is assigned; read as due when assigned",
            )
            due_at = assign_at
        points = decimal_points(values.get("resultValueMax"))
        if points is None or points < 0:
            self.warn(
                "bad_points",
                file,
                record.line,
                "resultValueMax",
                f"Village keeps points from 0 to {MAX_POINTS}; line item left out",
            )
            return None
        minimum = values.get("resultValueMin")
        if minimum != 0:
            self.warn(
                "nonzero_minimum",
                file,
                record.line,
                "resultValueMin",
                f"Village grades from 0; read as out of {points} points, scores as given",
            )
        title = record.text("title")
        limit = Assignment._meta.get_field("title").max_length or 200
        if len(title) > limit:
            self.warn(
                "title_shortened",
                file,
                record.line,
                "title",
                f"{len(title)} characters; Village keeps the first {limit}",
            )
            title = title[:limit]
        description = record.text("description")
        return {
            "school_class_id": class_id,
            "title": title,
            "instructions": linebreaks(description, autoescape=True) if description else "",
            "assign_at": assign_at,
            "due_at": due_at,
            "points": points,
            "status": RosterStatus.ACTIVE,
        }

    # -- results ----------------------------------------------------------------------------

    # -- removals ---------------------------------------------------------------------------

    def _stale(
        self,
        kind: str,
        existing: Mapping[str, Row],
        wanted: set[str],
        gone: set[str],
        covered: set[int],
    ) -> list[Row]:
        """Active imported rows a bulk file leaves out (in the schools it covers), or a delta
        file deletes."""
        mode = self.manifest.files.get(kind, FileMode.ABSENT)
        school = (
            "school_class__school_id"
            if kind == "lineItems"
            else "assignment__school_class__school_id"
        )
        stale: list[Row] = []
        for sourced_id, row in existing.items():
            if row["status"] != RosterStatus.ACTIVE or sourced_id in wanted:
                continue
            if sourced_id in gone or (mode is FileMode.BULK and row[school] in covered):
                stale.append(row)
        return stale
