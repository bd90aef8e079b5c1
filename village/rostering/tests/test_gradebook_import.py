"""Importing a OneRoster gradebook (lineItems.csv, results.csv) as classwork and feedback."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from village.accounts.models import User
from village.classwork import versions
from village.classwork.models import Assignment, Feedback, GradingCategory, Rubric, Topic
from village.classwork.services.assignments import assignment_update
from village.classwork.services.feedback import feedback_return, feedback_save
from village.classwork.status import WorkStatus, work_status
from village.classwork.tests.factories import version_tokens
from village.community.models import Organisation
from village.core.models import RosterStatus
from village.rostering.gradebook import KINDS, import_gradebook
from village.rostering.importer import KNOWN_MODELS, run_import
from village.rostering.report import Report
from village.rostering.tests.builders import ROWS, base_files, csv_text, manifest, write_zip
from village.rostering.tests.test_samples import SAMPLES

pytestmark = pytest.mark.django_db

HEADERS = {
    "categories": "sourcedId,status,dateLastModified,title",
    "lineItems": (
        "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,"
        "categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax"
    ),
    "results": (
        "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,"
        "scoreDate,comment"
    ),
}
USERS = [
    *ROWS["users"],
    "leo,,,true,s1,student,leo,,Leo,Park,,,,,,,04,",
    "sam,,,true,s1,student,sam,,Sam,Okafor,,,,,,,04,",
]
ENROLLMENTS = [*ROWS["enrollments"], "e3,,,k1,s1,leo,student,,,", "e4,,,k1,s1,sam,student,,,"]
CATEGORIES = ["cat1,,,Homework", "cat2,,,Projects"]
LINE_ITEMS = [
    'li1,,,Fractions worksheet,"Do <b>all</b> of it\n\nShow your work",'
    "2024-10-01T13:00:00Z,2024-10-08T22:00:00Z,k1,cat1,t1,0,10",
    "li2,,,Volcano model,,2024-10-02T13:00:00Z,2024-10-20T22:00:00Z,k1,cat2,t1,0,50",
]
RESULTS = [
    "r1,,,li1,ada,fully graded,8.5,2024-10-09,Nice work",
    "r2,,,li1,leo,exempt,0,2024-10-09,",
    "r3,,,li1,sam,partially graded,4,2024-10-09,",
    "r4,,,li2,ada,not submitted,0,2024-10-21,",
]
NOW = dt.datetime(2024, 11, 1, 12, tzinfo=dt.UTC)


def gradebook_files(
    mode: str = "bulk",
    *,
    categories: list[str] | None = None,
    line_items: list[str] | None = None,
    results: list[str] | None = None,
) -> dict[str, str | bytes]:
    files = base_files(mode, users=USERS, enrollments=ENROLLMENTS)
    gradebook = {
        "categories": CATEGORIES if categories is None else categories,
        "lineItems": LINE_ITEMS if line_items is None else line_items,
        "results": RESULTS if results is None else results,
    }
    for kind, rows in gradebook.items():
        if rows:  # a bulk file without rows is refused: leave it out
            files[f"{kind}.csv"] = csv_text(kind, rows, HEADERS[kind])
    kinds = [name.removesuffix(".csv") for name in files if name != "manifest.csv"]
    files["manifest.csv"] = manifest(dict.fromkeys(kinds, mode))
    return files


def delta_files(**rows: list[str]) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        f"{kind}.csv": csv_text(kind, kind_rows, HEADERS[kind]) for kind, kind_rows in rows.items()
    }
    files["manifest.csv"] = manifest(dict.fromkeys(rows, "delta"))
    return files


def import_both(
    tmp_path: Path, files: dict[str, str | bytes], name: str = "bundle"
) -> tuple[Report, dict[str, dict[str, int]]]:
    """The roster import, which imports the gradebook after the roster in one transaction."""
    path = write_zip(tmp_path / f"{name}.zip", files)
    outcome = run_import(path=path)
    assert outcome.applied, outcome.report
    counts = {kind: outcome.plan[kind] for kind in KINDS}
    return outcome.report, {
        kind: {"created": c.created, "updated": c.updated, "deactivated": c.deactivated}
        for kind, c in counts.items()
    }


def changes(counts: dict[str, dict[str, int]]) -> int:
    return sum(sum(kind.values()) for kind in counts.values())


def status_of(feedback: Feedback) -> WorkStatus:
    return work_status(
        due_at=feedback.assignment.due_at,
        submitted_at=None,
        returned_at=feedback.returned_at,
        excused=feedback.excused,
        now=NOW,
    )


def test_line_items_and_results_become_assignments_and_feedback(tmp_path: Path) -> None:
    report, counts = import_both(tmp_path, gradebook_files())

    assert counts == {
        "categories": {"created": 2, "updated": 0, "deactivated": 0},
        "lineItems": {"created": 2, "updated": 0, "deactivated": 0},
        "results": {"created": 3, "updated": 0, "deactivated": 0},
    }
    assert report.ok, report
    worksheet = Assignment.objects.get(sourced_id="li1")
    assert worksheet.school_class.sourced_id == "k1"
    assert worksheet.title == "Fractions worksheet"
    assert worksheet.instructions == (
        "<p>Do &lt;b&gt;all&lt;/b&gt; of it</p>\n\n<p>Show your work</p>"
    )
    assert worksheet.assign_at == dt.datetime(2024, 10, 1, 13, tzinfo=dt.UTC)
    assert worksheet.due_at == dt.datetime(2024, 10, 8, 22, tzinfo=dt.UTC)
    assert worksheet.points == Decimal("10.00")
    assert worksheet.visible_to_families
    assert worksheet.status == RosterStatus.ACTIVE
    assert worksheet.category is not None
    assert (worksheet.category.name, worksheet.category.weight) == ("Homework", Decimal(0))
    assert Assignment.objects.get(sourced_id="li2").category.name == "Projects"  # type: ignore[union-attr]

    by_student = {f.student.username: f for f in Feedback.objects.select_related("assignment")}
    assert set(by_student) == {"ada", "leo", "sam"}  # "not submitted" makes no feedback
    ada, leo, sam = by_student["ada"], by_student["leo"], by_student["sam"]
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    assert (ada.sourced_id, ada.score, ada.comment) == ("r1", Decimal("8.50"), "Nice work")
    assert ada.returned_at == dt.datetime(2024, 10, 9, 12, tzinfo=chicago)
    assert status_of(ada) is WorkStatus.GRADED
    assert (leo.excused, leo.score, leo.returned_at) == (True, None, None)
    assert status_of(leo) is WorkStatus.EXCUSED
    assert (sam.score, sam.returned_at) == (Decimal("4.00"), None)  # a draft
    assert status_of(sam) is WorkStatus.MISSING


def test_feedback_is_returned_at_noon_in_the_school_time_zone(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(results=[]), "roster")
    Organisation.objects.filter(sourced_id="s1").update(time_zone="Europe/Paris")

    import_both(tmp_path, gradebook_files())

    returned = Feedback.objects.get(sourced_id="r1").returned_at
    assert returned == dt.datetime(2024, 10, 9, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def test_importing_the_same_bundle_again_changes_nothing(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    before = list(Assignment.objects.values()), list(Feedback.objects.values())

    _report, counts = import_both(tmp_path, gradebook_files(), "second")

    assert changes(counts) == 0
    assert (list(Assignment.objects.values()), list(Feedback.objects.values())) == before


def test_changes_in_the_source_update_assignments_and_feedback(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    line_items = [LINE_ITEMS[0].replace("Fractions worksheet", "Fractions sheet"), LINE_ITEMS[1]]
    results = [RESULTS[0], RESULTS[1], "r3,,,li1,sam,fully graded,6,2024-10-10,Better", RESULTS[3]]

    _report, counts = import_both(
        tmp_path, gradebook_files(line_items=line_items, results=results), "second"
    )

    assert counts["lineItems"] == {"created": 0, "updated": 1, "deactivated": 0}
    assert counts["results"] == {"created": 0, "updated": 1, "deactivated": 0}
    assert Assignment.objects.get(sourced_id="li1").title == "Fractions sheet"
    sam = Feedback.objects.get(sourced_id="r3")
    assert (sam.score, sam.comment, sam.returned_at is not None) == (Decimal(6), "Better", True)


def test_an_import_that_changes_work_gives_the_class_students_new_versions(
    tmp_path: Path,
) -> None:
    """Summaries of the students' work (the family overview) are rebuilt after an import that
    changes it, and kept after one that changes nothing."""
    import_both(tmp_path, gradebook_files(), "first")
    students = {u.username: u.pk for u in User.objects.filter(username__in=["ada", "leo", "sam"])}
    first = version_tokens(students.values())
    # Leo and Sam are in the class now; Ada's place in it ended in 2024
    assert first[students["leo"]][0] != versions.UNCHANGED
    assert first[students["sam"]][0] != versions.UNCHANGED
    assert first[students["ada"]][0] == versions.UNCHANGED

    import_both(tmp_path, gradebook_files(), "again")
    assert version_tokens(students.values()) == first

    results = [RESULTS[0], RESULTS[1], "r3,,,li1,sam,fully graded,6,2024-10-10,Better", RESULTS[3]]
    import_both(tmp_path, gradebook_files(results=results), "changed")
    assert version_tokens(students.values())[students["sam"]] != first[students["sam"]]


def test_bulk_snapshot_without_a_line_item_deactivates_it_and_keeps_its_feedback(
    tmp_path: Path,
) -> None:
    import_both(tmp_path, gradebook_files(), "first")

    _report, counts = import_both(
        tmp_path,
        gradebook_files(
            line_items=LINE_ITEMS[1:], results=["r5,,,li2,ada,submitted,0,2024-10-21,"]
        ),
        "second",
    )

    assert counts["lineItems"] == {"created": 0, "updated": 0, "deactivated": 1}
    # r4 ("not submitted") made no feedback; the feedback of the inactive worksheet stays.
    assert counts["results"] == {"created": 1, "updated": 0, "deactivated": 0}
    assert Assignment.objects.get(sourced_id="li1").status == RosterStatus.INACTIVE
    assert set(
        Feedback.objects.filter(assignment__sourced_id="li1").values_list("status", flat=True)
    ) == {RosterStatus.ACTIVE}
    assert Feedback.objects.get(sourced_id="r1").returned_at is not None
    assert Feedback.objects.get(sourced_id="r5").score is None  # handed in, not graded yet

    # The line item comes back: the assignment is active again.
    _report, counts = import_both(tmp_path, gradebook_files(), "third")
    assert counts["lineItems"] == {"created": 0, "updated": 1, "deactivated": 0}
    assert Assignment.objects.get(sourced_id="li1").status == RosterStatus.ACTIVE


def test_bulk_results_leaving_a_result_out_withdraw_it(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")

    _report, counts = import_both(tmp_path, gradebook_files(results=RESULTS[1:]), "second")

    assert counts["results"] == {"created": 0, "updated": 0, "deactivated": 1}
    ada = Feedback.objects.get(sourced_id="r1")
    assert (ada.status, ada.returned_at, ada.score) == (
        RosterStatus.INACTIVE,
        None,
        Decimal("8.50"),
    )


@pytest.fixture
def known_line_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """Delta results may point at line items Village has: validation knows their ids."""
    assert KNOWN_MODELS["lineItems"] is Assignment


@pytest.mark.usefixtures("known_line_items")
def test_delta_tobedeleted_deactivates_line_items_and_results(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    stamp = "2024-11-01T00:00:00Z"

    _report, counts = import_both(
        tmp_path,
        delta_files(
            lineItems=[f"li2,tobedeleted,{stamp},,,,,,,,,"],
            results=[
                f"r1,tobedeleted,{stamp},,,,,,",
                f"r6,active,{stamp},li1,ada,fully graded,9,2024-11-01,",
            ],
        ),
        "delta",
    )

    assert counts["lineItems"] == {"created": 0, "updated": 0, "deactivated": 1}
    assert counts["results"]["deactivated"] == 1
    assert Assignment.objects.get(sourced_id="li2").status == RosterStatus.INACTIVE
    assert Assignment.objects.get(sourced_id="li1").status == RosterStatus.ACTIVE
    assert Feedback.objects.get(sourced_id="r1").status == RosterStatus.INACTIVE
    assert Feedback.objects.get(sourced_id="r3").status == RosterStatus.ACTIVE


@pytest.mark.usefixtures("known_line_items")
def test_delta_results_may_refer_to_line_items_village_has(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(results=[]), "first")
    stamp = "2024-11-01T00:00:00Z"

    _report, counts = import_both(
        tmp_path,
        delta_files(results=[f"r7,active,{stamp},li2,sam,fully graded,45,2024-11-01,"]),
        "delta",
    )

    assert counts["results"] == {"created": 1, "updated": 0, "deactivated": 0}
    assert Feedback.objects.get(sourced_id="r7").assignment.sourced_id == "li2"


def test_village_only_data_survives_a_re_import(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    worksheet = Assignment.objects.get(sourced_id="li1")
    rubric = Rubric.objects.create(
        school_class=worksheet.school_class,
        school_id=worksheet.school_class.school_id,
        title="Working",
    )
    topic = Topic.objects.create(
        school_class=worksheet.school_class,
        title="Fractions",
        starts_on=dt.date(2024, 9, 30),
        ends_on=dt.date(2024, 10, 31),
    )
    Assignment.objects.filter(pk=worksheet.pk).update(
        rubric=rubric, topic=topic, visible_to_families=False
    )
    GradingCategory.objects.filter(name="Homework").update(weight=Decimal(30))
    jordan = User.objects.get(sourced_id="jordan")
    own = Assignment.objects.create(
        school_class=worksheet.school_class, title="Reading log", assign_at=NOW
    )
    village_feedback = Feedback.objects.create(
        assignment=own, student=jordan, score=Decimal(5), returned_at=NOW
    )
    # A teacher graded Ada in Village on an imported assignment before the source did.
    teacher_grade = Feedback.objects.create(
        assignment=Assignment.objects.get(sourced_id="li2"),
        student=User.objects.get(sourced_id="ada"),
        score=Decimal(40),
        returned_at=NOW,
    )

    report, counts = import_both(
        tmp_path,
        gradebook_files(results=[*RESULTS[:3], "r4,,,li2,ada,fully graded,30,2024-10-21,"]),
        "second",
    )

    assert changes(counts) == 0
    assert any(issue.code == "feedback_kept" for issue in report.warnings)
    worksheet.refresh_from_db()
    assert (worksheet.rubric, worksheet.topic, worksheet.visible_to_families) == (
        rubric,
        topic,
        False,
    )
    assert GradingCategory.objects.get(name="Homework").weight == Decimal(30)
    village_feedback.refresh_from_db()
    teacher_grade.refresh_from_db()
    assert (village_feedback.score, village_feedback.status) == (Decimal(5), RosterStatus.ACTIVE)
    assert (teacher_grade.score, teacher_grade.sourced_id) == (Decimal(40), None)


def test_odd_line_items_are_read_with_warnings(tmp_path: Path) -> None:
    line_items = [
        "li1,,,Backwards,,2024-10-08T13:00:00Z,2024-10-01T13:00:00Z,k1,cat1,t1,0,10",
        "li2,,,Curved,,2024-10-02T13:00:00Z,2024-10-20T22:00:00Z,k1,cat2,t1,50,100",
    ]

    report, _counts = import_both(tmp_path, gradebook_files(line_items=line_items, results=[]))

    backwards = Assignment.objects.get(sourced_id="li1")
    assert backwards.due_at == backwards.assign_at
    assert Assignment.objects.get(sourced_id="li2").points == Decimal(100)
    warnings = {(issue.code, issue.file, issue.line) for issue in report.warnings}
    assert ("due_before_assigned", "lineItems.csv", 2) in warnings
    assert ("nonzero_minimum", "lineItems.csv", 3) in warnings


def test_unknown_classes_and_students_are_reported(tmp_path: Path) -> None:
    # The gradebook of a bundle whose roster was never imported: nothing resolves.
    path = write_zip(tmp_path / "bundle.zip", gradebook_files())
    report = Report()

    with transaction.atomic():
        counts = import_gradebook(path, report, now=NOW)

    assert sum(c.total for c in counts.values()) == 0
    assert list(counts) == list(KINDS)
    assert {issue.code for issue in report.warnings} == {"unknown_class", "unknown_line_item"}
    assert str(report.warnings[0]) == (
        'lineItems.csv line 2, column classSourcedId: class "k1" is not in Village; '
        "line item left out"
    )
    assert Assignment.objects.count() == Feedback.objects.count() == 0


def test_results_for_students_village_lacks_are_reported(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    User.objects.filter(sourced_id="sam").update(sourced_id=None)

    report = Report()
    path = write_zip(tmp_path / "again.zip", gradebook_files())
    with transaction.atomic():
        import_gradebook(path, report, now=NOW)

    assert [str(issue) for issue in report.warnings] == [
        'results.csv line 4, column studentSourcedId: student "sam" is not in Village; '
        "result left out"
    ]


def test_shared_samples_with_gradebook_files(tmp_path: Path) -> None:
    """No shared sample carries a gradebook yet; any that does must import cleanly."""
    bundles = sorted({path.parent for name in HEADERS for path in SAMPLES.rglob(f"{name}.csv")})
    for bundle in bundles:
        with transaction.atomic():
            run_import(path=bundle)
            transaction.set_rollback(True)
    assert SAMPLES.is_dir()


def test_a_result_above_the_points_is_reported_and_changes_nothing(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    before = list(Feedback.objects.order_by("pk").values())
    results = ["r1,,,li1,ada,fully graded,12,2024-10-09,Too much", *RESULTS[1:]]

    report, counts = import_both(tmp_path, gradebook_files(results=results), "second")

    assert changes(counts) == 0
    assert [str(issue) for issue in report.warnings if issue.code == "bad_score"] == [
        "results.csv line 2, column score: A grade is between 0 and 10. Result left out."
    ]
    assert list(Feedback.objects.order_by("pk").values()) == before


def test_a_result_on_rubric_work_must_be_the_sum_of_its_levels(tmp_path: Path) -> None:
    import_both(tmp_path, gradebook_files(), "first")
    work = Assignment.objects.get(sourced_id="li1")
    rubric = Rubric.objects.create(
        school_class=work.school_class, school_id=work.school_class.school_id, title="Worksheet"
    )
    Assignment.objects.filter(pk=work.pk).update(rubric=rubric)
    before = list(Feedback.objects.order_by("pk").values())

    report, _counts = import_both(tmp_path, gradebook_files(), "second")

    assert [(issue.file, issue.line, issue.column) for issue in report.warnings] == [
        ("results.csv", 2, "score"),  # Ada's 8.5: no rubric levels are chosen for it
        ("results.csv", 4, "score"),  # Sam's 4
    ]
    assert "graded with its rubric" in report.warnings[0].message
    assert list(Feedback.objects.order_by("pk").values()) == before


def test_the_roster_changes_replace_what_the_teacher_changed_in_village(tmp_path: Path) -> None:
    graded = [RESULTS[0], "r2,,,li1,leo,fully graded,7,2024-10-09,Good", *RESULTS[2:]]
    import_both(tmp_path, gradebook_files(results=graded), "first")
    worksheet = Assignment.objects.get(sourced_id="li1")
    assignment_update(assignment=worksheet, instructions="My **own** steps")
    leo = Feedback.objects.get(sourced_id="r2")
    feedback_save(
        assignment=worksheet, student=leo.student, graded_by=None, score=Decimal(5), comment="Hm"
    )
    leo.refresh_from_db()
    assert (leo.score, leo.draft_score, leo.has_draft) == (Decimal(7), Decimal(5), True)
    line_items = [LINE_ITEMS[0].replace("Show your work", "Show every step"), LINE_ITEMS[1]]
    regraded = [RESULTS[0], "r2,,,li1,leo,fully graded,9,2024-10-09,Very good", *RESULTS[2:]]

    import_both(tmp_path, gradebook_files(line_items=line_items, results=regraded), "second")

    worksheet.refresh_from_db()
    assert "Show every step" in worksheet.instructions
    # the edit form shows the roster's instructions, not the teacher's earlier text
    assert worksheet.instructions_source == ""
    leo.refresh_from_db()
    assert (leo.score, leo.comment) == (Decimal(9), "Very good")
    assert (leo.draft_saved_at, leo.draft_score, leo.draft_comment) == (None, None, "")
    assert (leo.draft_excused, leo.draft_rubric, leo.has_draft) == (False, {}, False)
    # returning it again keeps the roster's grade
    feedback_return(assignment=worksheet, student=leo.student, graded_by=None)
    leo.refresh_from_db()
    assert (leo.score, leo.comment) == (Decimal(9), "Very good")
