"""What a roster's gradebook files (categories, lineItems, results) may reach, and how a school's
roster may touch its organisations, terms, courses and classes.

Principal Nguyen runs Riverside K-8. His roster may give work and grades in Riverside's classes
to Riverside's students only: never in an Oak Hill class (a sister school of the district) or a
Lakeside one, never to Mina (Oak Hill) or Finn (Lakeside), and it never moves, regrades or
removes Oak Hill's imported work. It creates terms and courses at his school only, keeps the
type and district of every organisation as Village holds them, and its classes use courses and
terms inside his organisations. Priya, the district's IT, does all of that for the district.
An import refused for any of these changes nothing, and its errors name the file and line.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from village.classwork.models import Assignment, Feedback
from village.community import services as community_services
from village.community.models import (
    AcademicSession,
    Course,
    Organisation,
    OrgKind,
    SchoolClass,
    SessionKind,
)
from village.core.models import RosterStatus
from village.rostering import reach, services
from village.rostering.gradebook import import_gradebook, read_gradebook
from village.rostering.importer import known_ids
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.policies.scope import bundle_scope_problems
from village.rostering.report import Report
from village.rostering.tests.builders import HEADERS as ROSTER_HEADERS
from village.rostering.tests.builders import manifest
from village.rostering.tests.test_gradebook_import import HEADERS as GRADEBOOK_HEADERS
from village.rostering.tests.test_import_reach import (  # noqa: F401 (an autouse fixture)
    _isolated_storage,
)
from village.rostering.tests.uploads import DISTRICT, SCHOOL, SISTER, STAMP, zip_upload
from village.rostering.validate import validate_bundle

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.rostering.tests.upload_urls")]

HEADERS = {**ROSTER_HEADERS, **GRADEBOOK_HEADERS}
ACTIVE = f"active,{STAMP}"
OAK_HILL_CLASS = "demo-class-OH-G4-HR"
LAKESIDE_CLASS = "demo-class-LA-G5-HR"
RIVERSIDE_CLASS = "demo-class-G5-HR"
DATES = "2025-01-01T10:00:00Z,2025-01-05T10:00:00Z"


def line_item(
    sourced_id: str, school_class: str, title: str = "Quiz", category: str = "cat"
) -> str:
    return (
        f"{sourced_id},{ACTIVE},{title},,{DATES},{school_class},{category},demo-session-year,0,10"
    )


def result(sourced_id: str, item: str, student: str, score: int = 7, comment: str = "") -> str:
    return f"{sourced_id},{ACTIVE},{item},{student},fully graded,{score},2025-01-06,{comment}"


def bundle(rows: dict[str, list[str]], mode: str = "delta") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.csv", manifest(dict.fromkeys(rows, mode)))
        for kind, kind_rows in rows.items():
            archive.writestr(f"{kind}.csv", "\n".join([HEADERS[kind], *kind_rows]) + "\n")
    return buffer.getvalue()


def imported(capture, admin, organisation, rows, mode: str = "delta") -> RosterImport:
    """Upload ``rows`` as ``admin`` and, when the check passes, confirm them."""
    with capture(execute=True):
        roster_import = services.roster_import_create(
            uploaded_by=admin, organisation=organisation, upload=zip_upload(bundle(rows, mode))
        )
    roster_import.refresh_from_db()
    if roster_import.status == ImportStatus.VALIDATED:
        with capture(execute=True):
            services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=admin)
        roster_import.refresh_from_db()
    return roster_import


def errors_of(roster_import: RosterImport) -> list[tuple[str, int | None, str]]:
    return [
        (issue["file"], issue["line"], issue["message"])
        for issue in (roster_import.report or {})["errors"]
    ]


def oak_hill_work(personas, capture) -> Assignment:
    """Priya's district roster gives Oak Hill's class a quiz and Mina a 7 on it."""
    roster_import = imported(
        capture,
        personas.priya,
        personas.district,
        {
            "categories": [f"cat,{ACTIVE},Homework"],
            "lineItems": [line_item("li-oh", OAK_HILL_CLASS)],
            "results": [result("r-oh", "li-oh", "demo-user-mina", 7, "well done")],
        },
    )
    assert roster_import.status == ImportStatus.APPLIED, roster_import.report
    return Assignment.objects.get(sourced_id="li-oh")


def feedback_of(sourced_id: str) -> tuple:
    return Feedback.objects.values_list("student__username", "score", "comment", "status").get(
        sourced_id=sourced_id
    )


class TestGradebookOfTheDistrict:
    def test_priya_gives_work_and_a_grade_at_oak_hill(
        self, personas, django_capture_on_commit_callbacks
    ):
        assignment = oak_hill_work(personas, django_capture_on_commit_callbacks)

        assert assignment.school_class == personas.sister_class
        assert feedback_of("r-oh")[:3] == ("mina", 7, "well done")

    def test_nguyen_gives_work_and_a_grade_in_his_own_class(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "categories": [f"cat,{ACTIVE},Homework"],
                "lineItems": [line_item("li-rk", RIVERSIDE_CLASS)],
                "results": [result("r-rk", "li-rk", "demo-user-ada", 9)],
            },
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert Assignment.objects.get(sourced_id="li-rk").school_class == personas.homeroom5
        assert feedback_of("r-rk")[:2] == ("ada", 9)


class TestASchoolsGradebookStaysInside:
    @pytest.mark.parametrize(
        ("school_class", "student"),
        [(OAK_HILL_CLASS, "demo-user-mina"), (LAKESIDE_CLASS, "demo-user-finn")],
    )
    def test_work_and_grades_in_another_schools_class_are_refused(
        self, personas, django_capture_on_commit_callbacks, school_class, student
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "categories": [f"cat-x,{ACTIVE},Homework"],
                "lineItems": [line_item("li-x", school_class, "Evil", "cat-x")],
                "results": [result("r-x", "li-x", student, 0, "you fail")],
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        errors = errors_of(roster_import)
        assert ("lineItems.csv", 2) in [(file, line) for file, line, _text in errors]
        assert any(
            file == "lineItems.csv" and f'"{school_class}"' in text for file, _l, text in errors
        )
        assert any(
            (file, line) == ("results.csv", 2) and f'"{student}"' in text
            for file, line, text in errors
        )
        assert not Assignment.objects.filter(sourced_id="li-x").exists()
        assert not Feedback.objects.filter(sourced_id="r-x").exists()

    def test_moving_and_regrading_oak_hill_work_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        oak_hill_work(personas, django_capture_on_commit_callbacks)

        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "categories": [f"cat-y,{ACTIVE},Homework"],
                "lineItems": [line_item("li-oh", RIVERSIDE_CLASS, "Moved", "cat-y")],
                "results": [result("r-oh", "li-oh", "demo-user-mina", 1, "changed")],
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        errors = errors_of(roster_import)
        assert any(
            (file, line) == ("lineItems.csv", 2) and '"li-oh"' in text
            for file, line, text in errors
        )
        assert any(
            (file, line) == ("results.csv", 2) and '"r-oh"' in text for file, line, text in errors
        )
        assignment = Assignment.objects.get(sourced_id="li-oh")
        assert (assignment.school_class, assignment.title) == (personas.sister_class, "Quiz")
        assert feedback_of("r-oh") == ("mina", 7, "well done", RosterStatus.ACTIVE)

    def test_removing_oak_hill_work_is_refused(self, personas, django_capture_on_commit_callbacks):
        oak_hill_work(personas, django_capture_on_commit_callbacks)

        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "lineItems": [f"li-oh,tobedeleted,{STAMP},,,,,,,,,"],
                "results": [f"r-oh,tobedeleted,{STAMP},,,,,,"],
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert {(file, line) for file, line, _text in errors_of(roster_import)} == {
            ("lineItems.csv", 2),
            ("results.csv", 2),
        }
        assert Assignment.objects.get(sourced_id="li-oh").status == RosterStatus.ACTIVE
        assert feedback_of("r-oh")[3] == RosterStatus.ACTIVE

    def test_a_snapshot_naming_an_oak_hill_class_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        oak_hill_work(personas, django_capture_on_commit_callbacks)

        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "categories": [f"cat-z,{ACTIVE},Homework"],
                "lineItems": [line_item("li-z", OAK_HILL_CLASS, "Z", "cat-z")],
            },
            mode="bulk",
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert Assignment.objects.get(sourced_id="li-oh").status == RosterStatus.ACTIVE
        assert not Assignment.objects.filter(sourced_id="li-z").exists()

    def test_a_grade_for_a_student_not_in_the_class_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        # Leo is at Riverside, but not in the Grade 5 homeroom.
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "categories": [f"cat,{ACTIVE},Homework"],
                "lineItems": [line_item("li-rk", RIVERSIDE_CLASS)],
                "results": [
                    result("r-ada", "li-rk", "demo-user-ada", 9),
                    result("r-leo", "li-rk", "demo-user-leo", 3),
                ],
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "results.csv",
                3,
                '"demo-user-leo" is not enrolled in the class of this line item',
            )
        ]
        assert not Assignment.objects.filter(sourced_id="li-rk").exists()
        assert not Feedback.objects.exists()

    def test_the_command_line_checks_the_gradebook_of_an_organisation(self, personas, tmp_path):
        path = tmp_path / "bundle.zip"
        path.write_bytes(
            bundle(
                {
                    "categories": [f"cat-x,{ACTIVE},Homework"],
                    "lineItems": [line_item("li-x", OAK_HILL_CLASS, "Evil", "cat-x")],
                    "results": [result("r-x", "li-x", "demo-user-mina", 0)],
                }
            )
        )
        out = io.StringIO()

        with pytest.raises(CommandError, match="nothing was imported"):
            call_command(
                "roster", "import", str(path), "--organisation", SCHOOL, stdout=out,
                stderr=io.StringIO(),
            )  # fmt: skip

        assert f'error: lineItems.csv line 2: "{OAK_HILL_CLASS}"' in out.getvalue()
        assert not Assignment.objects.filter(sourced_id="li-x").exists()

    def test_the_import_itself_leaves_out_work_outside_its_organisations(
        self, personas, tmp_path, django_capture_on_commit_callbacks
    ):
        oak_hill_work(personas, django_capture_on_commit_callbacks)
        path = tmp_path / "bundle.zip"
        path.write_bytes(
            bundle(
                {
                    "categories": [f"cat-x,{ACTIVE},Homework"],
                    "lineItems": [
                        line_item("li-x", OAK_HILL_CLASS, "Evil", "cat-x"),
                        line_item("li-oh", RIVERSIDE_CLASS, "Moved", "cat-x"),
                    ],
                    "results": [
                        result("r-x", "li-x", "demo-user-mina", 0),
                        result("r-oh", "li-oh", "demo-user-mina", 1),
                    ],
                }
            )
        )
        report = Report()

        counts = import_gradebook(path, report, organisations=reach.importer_reach(personas.school))

        assert sum(kind_counts.total for kind_counts in counts.values()) == 0
        assert {issue.code for issue in report.warnings} >= {"outside_scope"}
        assert not Assignment.objects.filter(sourced_id="li-x").exists()
        assert Assignment.objects.get(sourced_id="li-oh").school_class == personas.sister_class
        assert feedback_of("r-oh")[:2] == ("mina", 7)


class TestASchoolsOrganisations:
    @pytest.mark.parametrize(
        ("kind", "parent"), [("school", "demo-org-lakeside"), ("district", ""), ("school", "")]
    )
    def test_a_school_cannot_move_itself_or_become_a_district(
        self, personas, django_capture_on_commit_callbacks, kind, parent
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"orgs": [f"{SCHOOL},{ACTIVE},Riverside K-8 School,{kind},RK8,{parent}"]},
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert [
            (file, f'"{SCHOOL}"' in text) for file, _line, text in errors_of(roster_import)
        ] == [("orgs.csv", True)]
        school = Organisation.objects.get(sourced_id=SCHOOL)
        assert (school.kind, school.parent) == (OrgKind.SCHOOL, personas.district)

    def test_a_district_cannot_put_its_school_under_another_district(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"orgs": [f"{SISTER},{ACTIVE},Oak Hill Elementary,school,,demo-org-lakeside"]},
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert Organisation.objects.get(sourced_id=SISTER).parent == personas.district

    def test_the_schools_own_rows_as_village_holds_them_are_accepted(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "orgs": [
                    f"{DISTRICT},{ACTIVE},Riverside Unified School District,district,,",
                    f"{SCHOOL},{ACTIVE},Riverside K-8 School,school,RK8,{DISTRICT}",
                ],
                "courses": [f"new-course,{ACTIVE},,Art 5,ART5,05,{SCHOOL},,"],
            },
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert Course.objects.get(sourced_id="new-course").organisation == personas.school


class TestASchoolsTermsCoursesAndClasses:
    def test_terms_and_district_courses_are_not_created_by_a_school(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "academicSessions": [
                    f"new-term,{ACTIVE},Evil term,term,2025-01-01,2025-06-01,,2025"
                ],
                "courses": [f"new-dc,{ACTIVE},new-term,District Course,DC,05,{DISTRICT},Math,"],
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        files = {file for file, _line, _text in errors_of(roster_import)}
        assert files == {"academicSessions.csv", "courses.csv"}
        assert not AcademicSession.objects.filter(sourced_id="new-term").exists()
        assert not Course.objects.filter(sourced_id="new-dc").exists()

    def test_the_district_creates_terms_and_courses(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {
                "academicSessions": [f"new-term,{ACTIVE},Spring,term,2025-01-01,2025-06-01,,2025"],
                "courses": [f"new-dc,{ACTIVE},new-term,District Course,DC,05,{DISTRICT},Math,"],
            },
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert Course.objects.get(sourced_id="new-dc").organisation == personas.district

    @pytest.mark.parametrize("sourced_id", [RIVERSIDE_CLASS, "demo-class-new"])
    def test_a_class_on_an_oak_hill_course_is_refused(
        self, personas, django_capture_on_commit_callbacks, sourced_id
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "classes": [
                    f"{sourced_id},{ACTIVE},Grade 5 Homeroom,05,demo-course-OH-G4-HR,G5-HR,"
                    f"homeroom,Room 12,{SCHOOL},demo-session-year,Homeroom,,"
                ]
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert any(
            file == "classes.csv" and '"demo-course-OH-G4-HR"' in text
            for file, _line, text in errors_of(roster_import)
        )
        assert personas.homeroom5.course.sourced_id == "demo-course-G5-HR"
        personas.homeroom5.refresh_from_db()
        assert personas.homeroom5.course.sourced_id == "demo-course-G5-HR"
        assert not SchoolClass.objects.filter(sourced_id="demo-class-new").exists()

    def test_a_class_in_a_term_of_another_district_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        community_services.session_create(
            organisation=personas.other_district,
            title="Lakeside year",
            kind=SessionKind.SCHOOL_YEAR,
            start_date=dt.date(2025, 8, 1),
            end_date=dt.date(2026, 7, 31),
            sourced_id="lakeside-year",
        )

        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {
                "classes": [
                    f"{RIVERSIDE_CLASS},{ACTIVE},Grade 5 Homeroom,05,demo-course-G5-HR,G5-HR,"
                    f"homeroom,Room 12,{SCHOOL},lakeside-year,Homeroom,,"
                ]
            },
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert any(
            file == "classes.csv" and '"lakeside-year"' in text
            for file, _line, text in errors_of(roster_import)
        )


class TestTheCheckIsSetBased:
    def test_the_scope_check_asks_as_many_queries_for_many_rows_as_for_one(
        self, personas, tmp_path
    ):
        def queries(count: int) -> int:
            rows = {
                "categories": [f"cat,{ACTIVE},Homework"],
                "lineItems": [line_item(f"li-{n}", RIVERSIDE_CLASS) for n in range(count)],
                "results": [
                    result(f"r-{n}-{who}", f"li-{n}", f"demo-user-{who}")
                    for n in range(count)
                    for who in ("ada", "maya")
                ],
            }
            path = tmp_path / f"bundle-{count}.zip"
            path.write_bytes(bundle(rows))
            validation = validate_bundle(path, known_ids=known_ids)
            assert validation.ok, validation.report.errors
            gradebook = read_gradebook(path)
            with CaptureQueriesContext(connection) as captured:
                problems = bundle_scope_problems(
                    personas.school, validation.roster, gradebook=gradebook
                )
            assert problems == []
            return len(captured)

        assert queries(40) == queries(1)
