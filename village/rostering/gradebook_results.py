"""Planning the results of a gradebook import: the feedback and grades each result gives (see
``village.rostering.gradebook`` for the decisions), after the line items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from village.accounts.models import User
from village.classwork.models import Feedback
from village.classwork.scores import score_error
from village.classwork.selectors.rubrics import feedback_rubric_totals
from village.community.models import Enrollment
from village.core.models import RosterStatus
from village.rostering.bundle import Bundle, Manifest
from village.rostering.gradebook_plan import FEEDBACK_FIELDS, GradebookPlan, LineItemPlanner
from village.rostering.gradebook_rows import (
    MAX_POINTS,
    GradebookRecord,
    Row,
    by_sourced_id,
    changed_fields,
    decimal_points,
    read_records,
    time_zone,
)
from village.rostering.report import Report
from village.rostering.schema import SCHEMAS

NOON = dt.time(12)


class _Planner(LineItemPlanner):
    def run(self) -> GradebookPlan:
        titles = self._category_titles()
        self._line_items(titles)
        self._results()
        return self.plan

    def _results(self) -> None:
        file = SCHEMAS["results"].filename
        rows = list(read_records(self.bundle, self.manifest, "results"))
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
        students = by_sourced_id(
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
            fields = changed_fields(old, {**new, "status": RosterStatus.ACTIVE})
            if "assignment_ref" in new:
                fields["assignment_ref"] = new["assignment_ref"]
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
        score = decimal_points(record.values.get("score"))
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
            self._totals = feedback_rubric_totals(Feedback.objects.filter(sourced_id__isnull=False))
        return self._totals

    def _feedback(self, record: GradebookRecord, zone: str, file: str) -> Row | None:
        """The feedback a result gives; ``None`` for none."""
        status = record.values.get("scoreStatus")
        if status == "not submitted":
            return None
        score = None
        if status in ("fully graded", "partially graded"):
            score = decimal_points(record.values.get("score"))
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
            returned_at = dt.datetime.combine(scored_on, NOON, tzinfo=time_zone(zone))
        return {
            "score": score,
            "comment": record.text("comment"),
            "excused": status == "exempt",
            "returned_at": returned_at,
        }


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
