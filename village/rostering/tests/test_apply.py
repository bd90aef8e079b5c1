"""Importing a roster into Village: what each file becomes, and re-imports that change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.core.models import RosterStatus
from village.rostering.importer import ImportOutcome, run_import
from village.rostering.tests.builders import ROWS, base_files, csv_text, manifest, write_zip

pytestmark = pytest.mark.django_db

MODELS = (Organisation, AcademicSession, Course, SchoolClass, User, OrgRole, Enrollment)


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables an import writes, for before/after comparisons."""
    tables = {
        model.__name__: list(model._default_manager.order_by("pk").values()) for model in MODELS
    }
    tables["GuardianLink"] = list(GuardianLink.objects.order_by("pk").values())
    tables["terms"] = list(SchoolClass.terms.through.objects.order_by("pk").values())
    return tables


def import_files(
    tmp_path: Path, files: dict[str, str | bytes], name: str = "bundle"
) -> ImportOutcome:
    return run_import(path=write_zip(tmp_path / f"{name}.zip", files))


def imported(tmp_path: Path, **overrides: list[str]) -> ImportOutcome:
    outcome = import_files(tmp_path, base_files("bulk", **overrides))
    assert outcome.applied, outcome.report
    return outcome


def delta(tmp_path: Path, kind: str, rows: list[str], name: str = "delta") -> ImportOutcome:
    files: dict[str, str | bytes] = {
        f"{kind}.csv": csv_text(kind, rows),
        "manifest.csv": manifest({kind: "delta"}),
    }
    return import_files(tmp_path, files, name)


def test_small_bundle_creates_every_kind_of_row(tmp_path: Path) -> None:
    outcome = imported(tmp_path)

    assert outcome.plan.as_dict() == {
        "orgs": {"created": 2, "updated": 0, "deactivated": 0},
        "sessions": {"created": 1, "updated": 0, "deactivated": 0},
        "courses": {"created": 1, "updated": 0, "deactivated": 0},
        "classes": {"created": 1, "updated": 0, "deactivated": 0},
        "users": {"created": 3, "updated": 0, "deactivated": 0},
        "roles": {"created": 3, "updated": 0, "deactivated": 0},
        "enrollments": {"created": 2, "updated": 0, "deactivated": 0},
        "guardian_links": {"created": 1, "updated": 0, "deactivated": 0},
    }
    district = Organisation.objects.get(sourced_id="d1")
    school = Organisation.objects.get(sourced_id="s1")
    assert (district.kind, district.parent) == ("district", None)
    assert (school.kind, school.parent, school.identifier) == ("school", district, "RE")
    term = AcademicSession.objects.get(sourced_id="t1")
    assert (term.organisation, term.kind, term.school_year) == (district, "term", 2025)
    assert (term.start_date, term.end_date) == (dt.date(2024, 9, 1), dt.date(2024, 12, 20))
    course = Course.objects.get(sourced_id="c1")
    assert (course.organisation, course.code, course.grades) == (school, "RD4", "04")
    reading = SchoolClass.objects.get(sourced_id="k1")
    assert (reading.course, reading.school, reading.location, reading.periods) == (
        course,
        school,
        "Room 12",
        "1",
    )
    assert list(reading.terms.all()) == [term]


def test_rostered_people_get_roles_enrolments_and_guardian_links(tmp_path: Path) -> None:
    imported(tmp_path)

    ada = User.objects.get(sourced_id="ada")
    rivera = User.objects.get(sourced_id="rivera")
    jordan = User.objects.get(sourced_id="jordan")
    assert (ada.username, ada.first_name, ada.last_name, ada.grade) == (
        "ada",
        "Ada",
        "Lovelace",
        "04",
    )
    assert (rivera.email, rivera.is_active, rivera.status) == ("rivera@example.org", True, "active")
    assert not ada.has_usable_password()
    assert not rivera.has_usable_password()
    school = Organisation.objects.get(sourced_id="s1")
    assert set(OrgRole.objects.values_list("user__sourced_id", "organisation", "role")) == {
        ("rivera", school.pk, Role.TEACHER),
        ("ada", school.pk, Role.STUDENT),
        ("jordan", school.pk, Role.GUARDIAN),
    }
    teaching = Enrollment.objects.get(sourced_id="e1")
    assert (teaching.user, teaching.role, teaching.is_primary) == (rivera, "teacher", True)
    learning = Enrollment.objects.get(sourced_id="e2")
    assert (learning.user, learning.end_date) == (ada, dt.date(2024, 12, 20))
    link = GuardianLink.objects.get()
    assert (link.guardian, link.student, link.source, link.status) == (
        jordan,
        ada,
        LinkSource.ROSTER,
        LinkStatus.ACTIVE,
    )
    assert not link.is_limited
    assert not link.no_access


def test_importing_the_same_bundle_twice_changes_nothing(tmp_path: Path) -> None:
    imported(tmp_path)
    before = dump()

    again = import_files(tmp_path, base_files(), "again")

    assert again.applied
    assert again.plan.total_changes == 0
    assert dump() == before


def test_bulk_reimport_without_a_student_deactivates_and_keeps_their_data(
    tmp_path: Path,
) -> None:
    imported(tmp_path)
    users = [row for row in ROWS["users"] if not row.startswith("ada,")]
    users = [row.replace(",ada,,", ",,,") for row in users]
    enrollments = [row for row in ROWS["enrollments"] if not row.startswith("e2,")]

    outcome = import_files(tmp_path, base_files(users=users, enrollments=enrollments), "again")

    assert outcome.applied, outcome.report
    counts = outcome.plan
    assert (counts["users"].deactivated, counts["enrollments"].deactivated) == (1, 1)
    assert counts["guardian_links"].deactivated == 1
    ada = User.objects.get(sourced_id="ada")
    assert (ada.is_active, ada.status, ada.first_name) == (False, "inactive", "Ada")
    enrolment = Enrollment.objects.get(sourced_id="e2")
    assert enrolment.status == RosterStatus.INACTIVE
    assert enrolment.end_date == dt.date(2024, 12, 20)  # already over: its end is kept
    assert GuardianLink.objects.get().status == LinkStatus.ENDED
    assert (
        import_files(
            tmp_path, base_files(users=users, enrollments=enrollments), "third"
        ).plan.total_changes
        == 0
    )


def test_a_removed_students_current_enrolment_ends_today(tmp_path: Path) -> None:
    enrollments = ["e1,,,k1,s1,rivera,teacher,true,,", "e2,,,k1,s1,ada,student,false,,"]
    imported(tmp_path, enrollments=enrollments)
    users = [row for row in ROWS["users"] if not row.startswith("ada,")]

    outcome = import_files(
        tmp_path,
        base_files(
            users=[row.replace(",ada,,", ",,,") for row in users], enrollments=enrollments[:1]
        ),
        "again",
    )

    assert outcome.applied, outcome.report
    enrolment = Enrollment.objects.get(sourced_id="e2")
    assert (enrolment.status, enrolment.end_date) == ("inactive", timezone.localdate())


def test_a_student_back_in_the_snapshot_is_active_again(tmp_path: Path) -> None:
    imported(tmp_path)
    users = [row for row in ROWS["users"] if not row.startswith("ada,")]
    users = [row.replace(",ada,,", ",,,") for row in users]
    enrollments = [row for row in ROWS["enrollments"] if not row.startswith("e2,")]
    import_files(tmp_path, base_files(users=users, enrollments=enrollments), "without")

    outcome = import_files(tmp_path, base_files(), "with")

    assert outcome.plan["users"].updated == 1
    ada = User.objects.get(sourced_id="ada")
    assert (ada.is_active, ada.status) == (True, "active")
    assert GuardianLink.objects.get().status == LinkStatus.ACTIVE


def test_delta_tobedeleted_deactivates_the_user_and_ends_their_enrolments(
    tmp_path: Path,
) -> None:
    imported(tmp_path)

    outcome = delta(tmp_path, "users", ["ada,tobedeleted,2025-01-05T00:00:00Z,,,,,,,,,,,,,,,"])

    assert outcome.applied, outcome.report
    assert outcome.plan["users"].deactivated == 1
    assert outcome.plan["enrollments"].deactivated == 1
    assert User.objects.get(sourced_id="ada").is_active is False
    assert Enrollment.objects.get(sourced_id="e2").status == RosterStatus.INACTIVE
    assert User.objects.get(sourced_id="rivera").is_active is True


def test_delta_renaming_one_user_is_exactly_one_update(tmp_path: Path) -> None:
    imported(tmp_path)
    before = dump()

    outcome = delta(
        tmp_path,
        "users",
        ["ada,active,2025-01-05T00:00:00Z,true,s1,student,ada,,Ada,Byron,,,,,,,04,"],
    )

    assert outcome.applied, outcome.report
    assert outcome.plan.total_changes == 1
    assert outcome.plan["users"].updated == 1
    after = dump()
    assert User.objects.get(sourced_id="ada").last_name == "Byron"
    assert {k: v for k, v in after.items() if k != "User"} == {
        k: v for k, v in before.items() if k != "User"
    }


def test_delta_enrolment_may_refer_to_a_class_already_in_village(tmp_path: Path) -> None:
    imported(tmp_path)

    outcome = delta(
        tmp_path, "enrollments", ["e3,active,2025-01-05T00:00:00Z,k1,s1,jordan,aide,,,"]
    )

    # jordan is enrolled though holding no aide role: Village records what the roster says.
    assert outcome.report.ok, outcome.report
    assert outcome.plan["enrollments"].created == 1
    assert Enrollment.objects.get(sourced_id="e3").school_class.sourced_id == "k1"


def test_village_only_user_data_survives_a_reimport(tmp_path: Path) -> None:
    imported(tmp_path)
    ada = User.objects.get(sourced_id="ada")
    ada.set_password("ada-chose-this")
    ada.preferred_language = "es"
    ada.timezone = "America/Chicago"
    ada.preferred_name = "Addie"
    ada.pronouns = "she/her"
    ada.save()

    outcome = import_files(tmp_path, base_files(), "again")

    assert outcome.plan.total_changes == 0
    ada.refresh_from_db()
    assert ada.check_password("ada-chose-this")
    assert (ada.preferred_language, ada.timezone) == ("es", "America/Chicago")
    assert (ada.preferred_name, ada.pronouns) == ("Addie", "she/her")


def test_village_only_link_data_survives_a_reimport(tmp_path: Path) -> None:
    imported(tmp_path)
    link = GuardianLink.objects.get()
    GuardianLink.objects.filter(pk=link.pk).update(
        relationship="mother",
        scope_grades=False,
        scope_support_plan=False,
        no_access=True,
        access_note="Court order 2024-117",
        lives_with=False,
        emergency_contact=True,
        receives_communications=False,
    )
    before = dump()

    outcome = import_files(tmp_path, base_files(), "again")

    assert outcome.applied
    assert outcome.plan.total_changes == 0
    assert dump() == before


def test_links_village_made_are_never_touched_by_a_bulk_import(tmp_path: Path) -> None:
    imported(tmp_path)
    GuardianLink.objects.update(source=LinkSource.PAIRING, status=LinkStatus.PENDING)
    users = [row.replace(",ada,,", ",,,") for row in ROWS["users"]]

    outcome = import_files(tmp_path, base_files(users=users), "again")

    assert outcome.plan["guardian_links"].total == 0
    link = GuardianLink.objects.get()
    assert (link.source, link.status) == (LinkSource.PAIRING, LinkStatus.PENDING)


def test_persona_accounts_are_adopted_by_a_roster_naming_their_sourced_ids(
    tmp_path: Path, personas: Any
) -> None:
    ada = personas.ada
    ada.preferred_language = "vi"
    ada.save()
    enrolments = Enrollment.objects.count()
    rows = [
        "demo-user-ada,active,2025-01-05T00:00:00Z,true,demo-org-riverside-k8,student,ada,,"
        "Ada,Lovelace-Ng,,,,,,,05,"
    ]

    outcome = delta(tmp_path, "users", rows)

    assert outcome.applied, outcome.report
    assert outcome.plan["users"].updated == 1
    assert outcome.plan["roles"].updated == 1  # the role Village made is now the roster's
    ada.refresh_from_db()
    assert (ada.last_name, ada.preferred_language) == ("Lovelace-Ng", "vi")
    assert Enrollment.objects.count() == enrolments


def test_moving_an_enrolment_onto_a_place_another_still_holds_is_refused(
    tmp_path: Path,
) -> None:
    """e1 (Ms. Rivera teaching k1) becomes Ada as a student of k1, while e2 (Ada in k1) leaves
    the file: e2 is ended, not deleted, so it still holds that place. The bundle is refused with
    a message, and nothing changes."""
    imported(tmp_path)
    before = dump()
    enrollments = ["e1,,,k1,s1,ada,student,false,,"]

    outcome = import_files(tmp_path, base_files(enrollments=enrollments), "moved")

    assert not outcome.applied
    assert [entry.code for entry in outcome.report.errors] == ["enrollment_conflict"]
    assert '"e1"' in outcome.report.errors[0].message
    assert dump() == before


def test_two_enrolments_taking_over_one_row_are_refused(tmp_path: Path) -> None:
    imported(tmp_path)
    before = dump()
    # e2's row is Ada in k1; e9 (new id, same place) would take it over while e2 keeps it.
    enrollments = [*ROWS["enrollments"], "e9,,,k1,s1,ada,student,false,,"]
    enrollments = [row for row in enrollments if not row.startswith("e2,")] + [
        "e2,,,k1,s1,ada,student,false,2024-09-01,2024-12-20"
    ]

    outcome = import_files(tmp_path, base_files(enrollments=enrollments), "twice")

    assert not outcome.applied
    assert dump() == before
