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
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.html import linebreaks

from village.accounts.models import User
from village.classwork import versions
from village.classwork.models import Assignment, Feedback, GradingCategory, RubricScore
from village.classwork.scores import score_error
from village.community.models import Enrollment, SchoolClass
from village.core.models import RosterStatus
from village.rostering.bundle import Bundle, Manifest, open_bundle, read_manifest
from village.rostering.csvread import map_header, records
from village.rostering.plan import KindCounts
from village.rostering.report import Report
from village.rostering.schema import SCHEMAS, FileMode
from village.rostering.values import INVALID, QuietWhere, Value, read_value

KINDS = ("categories", "lineItems", "results")
BATCH = 2000
NOON = dt.time(12)
CENTS = Decimal("0.01")
MAX_POINTS = Decimal("99999.99")  # what the seven-digit decimal columns hold
# Above this many sourcedIds, a kind is loaded whole rather than with a long ``IN (...)`` list.
MAX_IN_LIST = 5000

Row = dict[str, Any]
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


def _no_draft() -> Row:
    """A grade the roster changes replaces changes the teacher saved without returning them:
    those would otherwise overwrite the roster's grade when returned."""
    return {
        "draft_saved_at": None,
        "draft_score": None,
        "draft_comment": "",
        "draft_excused": False,
        "draft_rubric": {},
    }


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


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradebookRecord:
    line: int
    values: dict[str, Value]
    deleted: bool

    @property
    def sourced_id(self) -> str:
        return str(self.values["sourcedId"])

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else ""


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
            list(_read(bundle, manifest, "lineItems")), list(_read(bundle, manifest, "results"))
        )


def _member(bundle: Bundle, filename: str) -> str | None:
    """The bundle member of a file, found the way validation finds it (any case)."""
    if filename in bundle.sizes:
        return filename
    return {name.lower(): name for name in bundle.sizes}.get(filename.lower())


def _read(bundle: Bundle, manifest: Manifest, kind: str) -> Iterator[GradebookRecord]:
    """The rows of one gradebook file, normalised as validation reads them; nothing reported
    (validation did). Rows that do not read are left out."""
    mode = manifest.files.get(kind, FileMode.ABSENT)
    schema = SCHEMAS[kind]
    member = _member(bundle, schema.filename)
    if mode is FileMode.ABSENT or member is None:
        return
    quiet = Report()
    where = QuietWhere(quiet, schema.filename)
    with bundle.open(member) as stream:
        rows = records(stream, schema.filename, quiet)
        header = next(rows, None)
        if header is None:
            return
        positions = map_header(
            header[1],
            file=schema.filename,
            known=schema.names,
            required=schema.required(manifest.version),
            aliases=schema.aliases,
            report=quiet,
        )
        if positions is None:
            return
        for line, fields in rows:
            where.line = line
            values: dict[str, Value] = {}
            for column in schema.columns:
                index = positions.get(column.name)
                if index is None or index >= len(fields):
                    continue
                value = read_value(column, fields[index].strip(), where)
                if value is INVALID:
                    break
                if value is not None:
                    values[column.name] = value
            else:
                if values.get("sourcedId"):
                    deleted = mode is FileMode.DELTA and values.get("status") == "tobedeleted"
                    yield GradebookRecord(line, values, deleted)


# -- planning -------------------------------------------------------------------------------


def _by_sourced_id(
    queryset: models.QuerySet[Any], sourced_ids: set[str], *fields: str
) -> dict[str, tuple[Any, ...]]:
    """``fields`` of the rows with these sourcedIds, by sourcedId, in one query."""
    if not sourced_ids:
        return {}
    if len(sourced_ids) <= MAX_IN_LIST:
        queryset = queryset.filter(sourced_id__in=sourced_ids)
    else:
        queryset = queryset.filter(sourced_id__isnull=False)
    return {
        row[0]: row[1:]
        for row in queryset.values_list("sourced_id", *fields)
        if row[0] in sourced_ids
    }


def _decimal(value: Value) -> Decimal | None:
    if not isinstance(value, float | int):
        return None
    try:
        number = Decimal(str(value)).quantize(CENTS)
    except InvalidOperation:
        return None
    return number if abs(number) <= MAX_POINTS else None


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> Row:
    return {name: value for name, value in new.items() if name in old and old[name] != value}


class _Planner:
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

    def run(self) -> GradebookPlan:
        titles = self._category_titles()
        self._line_items(titles)
        self._results()
        return self.plan

    def _category_titles(self) -> dict[str, str]:
        limit = GradingCategory._meta.get_field("name").max_length or 100
        return {
            str(record.values["sourcedId"]): record.text("title")[:limit].strip()
            for record in _read(self.bundle, self.manifest, "categories")
            if not record.deleted and record.text("title")
        }

    # -- line items -------------------------------------------------------------------------

    def _line_items(self, titles: dict[str, str]) -> None:
        file = SCHEMAS["lineItems"].filename
        rows = list(_read(self.bundle, self.manifest, "lineItems"))
        class_refs = {r.text("classSourcedId") for r in rows if not r.deleted}
        classes = _by_sourced_id(
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
            fields = _changed(old, new)
            if "instructions" in fields:  # shown as the roster wrote them, and edited so
                fields["instructions_source"] = ""
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
        points = _decimal(values.get("resultValueMax"))
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

    def _results(self) -> None:
        file = SCHEMAS["results"].filename
        rows = list(_read(self.bundle, self.manifest, "results"))
        people = User.objects.all()
        if self.organisations is not None:
            people = people.filter(
                Exists(
                    Enrollment.objects.filter(
                        user_id=OuterRef("pk"),
                        school_class__school_id__in=list(self.organisations),
                    )
                )
            )
        students = _by_sourced_id(
            people, {r.text("studentSourcedId") for r in rows if not r.deleted}, "id"
        )
        existing: dict[str, Row] = {}
        pairs: dict[tuple[int, int], Row] = {}
        foreign: set[str | None] = set()
        for row in Feedback.objects.filter(
            Q(sourced_id__isnull=False) | Q(assignment__sourced_id__isnull=False)
        ).values(
            "id",
            "sourced_id",
            "status",
            *FEEDBACK_FIELDS,
            "assignment__status",
            "assignment__school_class__school_id",
        ):
            if not self.inside(row["assignment__school_class__school_id"]):
                foreign.add(row["sourced_id"])
                continue
            pairs[(row["assignment_id"], row["student_id"])] = row
            if row["sourced_id"] is not None:
                existing[row["sourced_id"]] = row
        changes = self.plan.results
        wanted: set[str] = set()
        gone: set[str] = set()
        covered: set[int] = set()
        seen: set[tuple[str, int]] = set()
        for record in rows:
            sourced_id = str(record.values["sourcedId"])
            if sourced_id in foreign:
                self.outside(file, record.line, "sourcedId", sourced_id)
                continue
            if record.deleted:
                gone.add(sourced_id)
                continue
            item_ref = record.text("lineItemSourcedId")
            if item_ref in self.foreign_items:
                self.outside(file, record.line, "lineItemSourcedId", item_ref)
                continue
            item = self.items.get(item_ref)
            if item is None:
                self.warn(
                    "unknown_line_item",
                    file,
                    record.line,
                    "lineItemSourcedId",
                    f'line item "{item_ref}" is not in Village; result left out',
                )
                continue
            assignment_id, school_id, zone = item
            covered.add(school_id)
            student = students.get(record.text("studentSourcedId"))
            if student is None:
                self.warn(
                    "unknown_student",
                    file,
                    record.line,
                    "studentSourcedId",
                    f'student "{record.text("studentSourcedId")}" is not in Village; '
                    "result left out",
                )
                continue
            student_id = student[0]
            if (item_ref, student_id) in seen:
                self.warn(
                    "duplicate_result",
                    file,
                    record.line,
                    "",
                    "a second result for the same line item and student; left out",
                )
                continue
            seen.add((item_ref, student_id))
            old = existing.get(sourced_id)
            if not self._score_fits(record, item_ref, old, file):
                wanted.add(sourced_id)  # a refused result leaves the grade Village has as it is
                continue
            new = self._feedback(record, zone, file)
            if new is None:
                if record.values.get("scoreStatus") == "not submitted":
                    gone.add(sourced_id)
                continue
            new["student_id"] = student_id
            if assignment_id is None:
                new["assignment_ref"] = item_ref
            else:
                new["assignment_id"] = assignment_id
                holder = pairs.get((assignment_id, student_id))
                if holder is not None and holder["sourced_id"] != sourced_id:
                    self.warn(
                        "feedback_kept",
                        file,
                        record.line,
                        "",
                        "the student already has feedback on this work in Village; kept",
                    )
                    continue
            wanted.add(sourced_id)
            if old is None:
                changes.create.append({"sourced_id": sourced_id, **new})
                continue
            fields = _changed(old, {**new, "status": RosterStatus.ACTIVE})
            if "assignment_ref" in new:
                fields["assignment_ref"] = new["assignment_ref"]
            if GRADE_FIELDS & fields.keys():
                fields.update(_no_draft())
            if fields:
                changes.update.append((old["id"], fields))
        # The feedback of work that is (or is becoming) inactive stays as it is.
        inactive = {pk for pk, _fields in self.plan.line_items.deactivate}
        kept = {
            sourced_id: row
            for sourced_id, row in existing.items()
            if sourced_id in gone
            or (
                row["assignment__status"] == RosterStatus.ACTIVE
                and row["assignment_id"] not in inactive
            )
        }
        stale = self._stale("results", kept, wanted, gone, covered)
        changes.deactivate = [
            (row["id"], {"status": RosterStatus.INACTIVE, "returned_at": None}) for row in stale
        ]

    def _score_fits(
        self, record: GradebookRecord, item_ref: str, old: Row | None, file: str
    ) -> bool:
        """Whether the result's score keeps the score rule of its line item (a warning if not:
        the result is left out)."""
        if record.values.get("scoreStatus") not in ("fully graded", "partially graded"):
            return True
        score = _decimal(record.values.get("score"))
        if score is None:
            return True  # not a number: reported by ``_feedback``
        points, rubric = self.scales[item_ref]
        total = None
        if rubric and old is not None:
            total = self._rubric_totals().get(old["id"])
        message = score_error(score, points=points, rubric=rubric, rubric_total=total)
        if message is not None:
            self.warn("bad_score", file, record.line, "score", f"{message} Result left out.")
        return message is None

    def _rubric_totals(self) -> dict[int, Decimal]:
        """The sum of the rubric levels chosen on each imported result (one query, on need)."""
        if self._totals is None:
            self._totals = dict(
                RubricScore.objects.filter(feedback__sourced_id__isnull=False, level__isnull=False)
                .values("feedback_id")
                .annotate(total=Sum("points"))
                .values_list("feedback_id", "total")
            )
        return self._totals

    def _feedback(self, record: GradebookRecord, zone: str, file: str) -> Row | None:
        """The feedback a result gives; ``None`` for none."""
        status = record.values.get("scoreStatus")
        if status == "not submitted":
            return None
        score = None
        if status in ("fully graded", "partially graded"):
            score = _decimal(record.values.get("score"))
            if score is None:  # a number out of range is refused by ``_score_fits``
                self.warn(
                    "bad_score",
                    file,
                    record.line,
                    "score",
                    f"Village keeps grades from 0 to {MAX_POINTS}; result left out",
                )
                return None
        returned_at = None
        scored_on = record.values.get("scoreDate")
        if status == "fully graded" and isinstance(scored_on, dt.date):
            returned_at = dt.datetime.combine(scored_on, NOON, tzinfo=_zone(zone))
        return {
            "score": score,
            "comment": record.text("comment"),
            "excused": status == "exempt",
            "returned_at": returned_at,
        }

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


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def plan_gradebook(
    bundle: Bundle,
    manifest: Manifest,
    report: Report,
    *,
    now: dt.datetime,
    organisations: frozenset[int] | None = None,
) -> GradebookPlan:
    """What importing the bundle's gradebook files would change; warnings go to ``report``.

    Reads the database (one query per kind); run it after the roster of the same bundle is
    applied, in the same transaction.
    """
    return _Planner(bundle, manifest, report, now, organisations).run()


# -- applying -------------------------------------------------------------------------------


def _batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _update(model: type[models.Model], changes: Iterable[Change], now: dt.datetime) -> None:
    """Set the changed fields, grouped by which fields change (one ``bulk_update`` a group)."""
    groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for pk, fields in changes:
        names = (*sorted(fields), "updated_at")
        groups[names].append(model(pk=pk, **fields, updated_at=now))
    for names, objects in groups.items():
        for batch in _batches(objects):
            model._default_manager.bulk_update(batch, list(names))


def _resolve(fields: Row, key: str, target: str, ids: Mapping[Any, int]) -> Row:
    if key not in fields:
        return fields
    resolved = {name: value for name, value in fields.items() if name != key}
    resolved[target] = ids[fields[key]]
    return resolved


def apply_gradebook(plan: GradebookPlan) -> None:
    """Write the plan set-based; the caller holds the transaction."""
    now = plan.now
    if plan.categories:
        GradingCategory.objects.bulk_create(
            [
                GradingCategory(school_class_id=c, name=n, weight=Decimal(0))
                for c, n in plan.categories
            ],
            batch_size=BATCH,
        )
    category_ids = {
        (class_id, name): pk
        for class_id, name, pk in GradingCategory.objects.filter(
            school_class_id__in={class_id for class_id, _name in plan.categories}
        ).values_list("school_class_id", "name", "id")
    }
    items = plan.line_items
    Assignment.objects.bulk_create(
        [
            Assignment(**_resolve(row, "category_key", "category_id", category_ids))
            for row in items.create
        ],
        batch_size=BATCH,
    )
    _update(
        Assignment,
        [(pk, _resolve(f, "category_key", "category_id", category_ids)) for pk, f in items.update],
        now,
    )
    _update(Assignment, items.deactivate, now)
    results = plan.results
    refs = {
        row["assignment_ref"]
        for row in [*results.create, *(fields for _pk, fields in results.update)]
        if "assignment_ref" in row
    }
    assignment_ids = {
        ref: values[0]
        for ref, values in _by_sourced_id(Assignment.objects.all(), refs, "id").items()
    }
    Feedback.objects.bulk_create(
        [
            Feedback(**_resolve(row, "assignment_ref", "assignment_id", assignment_ids))
            for row in results.create
        ],
        batch_size=BATCH,
    )
    _update(
        Feedback,
        [
            (pk, _resolve(f, "assignment_ref", "assignment_id", assignment_ids))
            for pk, f in results.update
        ],
        now,
    )
    _update(Feedback, results.deactivate, now)
    versions.classes_changed(_changed_classes(plan, assignment_ids))


def _changed_classes(plan: GradebookPlan, assignment_refs: Mapping[str, int]) -> set[int]:
    """The classes whose work the plan changes: new categories and line items, changed line
    items, and every line item a result is created or changed on (a class-wide version change
    covers each of its students)."""
    class_ids = {class_id for class_id, _name in plan.categories}
    class_ids |= {row["school_class_id"] for row in plan.line_items.create}
    changed = [pk for pk, _fields in [*plan.line_items.update, *plan.line_items.deactivate]]
    on_assignments = {
        row["assignment_id"] if "assignment_id" in row else assignment_refs[row["assignment_ref"]]
        for row in plan.results.create
    }
    for batch in _batches(sorted(on_assignments.union(changed))):
        class_ids.update(
            Assignment.objects.filter(pk__in=batch)
            .values_list("school_class_id", flat=True)
            .distinct()
        )
    feedback = [pk for pk, _fields in [*plan.results.update, *plan.results.deactivate]]
    for batch in _batches(sorted(feedback)):
        class_ids.update(
            Feedback.objects.filter(pk__in=batch)
            .values_list("assignment__school_class_id", flat=True)
            .distinct()
        )
    return class_ids


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
