"""Exporting a district as a OneRoster 1.1 bulk bundle that Village's own reader accepts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q

from village.accounts.models import User
from village.community import services
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    Role,
    SchoolClass,
)
from village.core.models import RosterStatus
from village.demo.personas import Personas
from village.rostering import export_rows
from village.rostering.export import ExportError, district_for_export, export_district
from village.rostering.export_rows import ONEROSTER_ROLE
from village.rostering.importer import run_import
from village.rostering.records import GuardianPair
from village.rostering.roles import village_role
from village.rostering.tests.builders import HEADERS
from village.rostering.validate import validate_bundle

pytestmark = pytest.mark.django_db

SIX = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments")


def export(personas: Personas, path: Path, *, as_zip: bool = False) -> Path:
    export_district(district=personas.district, out=path, as_zip=as_zip)
    return path


def files_of(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {item.name: item.read_bytes() for item in sorted(path.iterdir())}
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist())}


def rows_of(path: Path, kind: str) -> dict[str, dict[str, str]]:
    text = files_of(path)[f"{kind}.csv"].decode()
    return {row["sourcedId"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def test_riverside_bundle_validates_with_no_errors_and_no_warnings(personas, tmp_path):
    validation = validate_bundle(export(personas, tmp_path / "riverside"))

    assert validation.report.ok, str(validation.report)
    assert validation.report.errors == []
    assert validation.report.warnings == []
    assert validation.report.counts == {
        "orgs": 3, "academicSessions": 1, "courses": 4, "classes": 4, "users": 12,
        "enrollments": 9,
    }  # fmt: skip


def test_bundle_holds_the_riverside_family_with_agents_listed_both_ways(personas, tmp_path):
    path = export(personas, tmp_path / "riverside")
    users = rows_of(path, "users")
    roster = validate_bundle(path).roster

    assert users["demo-user-ada"]["agentSourcedIds"] == "demo-user-sam"
    assert users["demo-user-leo"]["agentSourcedIds"] == "demo-user-jordan,demo-user-sam"
    assert users["demo-user-sam"]["agentSourcedIds"] == "demo-user-ada,demo-user-leo"
    assert users["demo-user-jordan"]["agentSourcedIds"] == "demo-user-leo"
    assert users["demo-user-sam"]["role"] == "parent"
    assert users["demo-user-ada"]["grades"] == "05"  # Village's "5" as a CEDS code
    assert {
        GuardianPair("demo-user-sam", "demo-user-ada"),
        GuardianPair("demo-user-sam", "demo-user-leo"),
        GuardianPair("demo-user-jordan", "demo-user-leo"),
    } <= roster.guardians


def test_nothing_from_lakeside_or_any_partner_is_exported(personas, tmp_path):
    path = export(personas, tmp_path / "riverside")
    text = b"".join(files_of(path).values()).decode().lower()

    for absent in ("lakeside", "demo-user-eve", "demo-user-finn", "demo-user-stone", "la-g5"):
        assert absent not in text
    assert "demo-user-library" not in text  # OneRoster has no community-partner role
    assert set(rows_of(path, "orgs")) == {
        "demo-org-riverside", "demo-org-riverside-k8", "demo-org-oakhill",
    }  # fmt: skip


def test_no_password_or_hash_is_exported(personas, tmp_path):
    path = export(personas, tmp_path / "riverside")
    text = b"".join(files_of(path).values()).decode()

    assert all(row["password"] == "" for row in rows_of(path, "users").values())
    assert personas.ada.password
    assert personas.ada.password not in text
    assert personas.ada.password.split("$")[-1] not in text


def test_files_have_exactly_the_1_1_headers_crlf_and_no_bom(personas, tmp_path):
    files = files_of(export(personas, tmp_path / "riverside"))

    assert sorted(files) == sorted([f"{kind}.csv" for kind in SIX] + ["manifest.csv"])
    for kind in SIX:
        data = files[f"{kind}.csv"]
        assert data.split(b"\r\n", 1)[0].decode() == HEADERS[kind]
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\n") == data.count(b"\r\n")
    assert files["manifest.csv"].decode().split("\r\n") == [
        "propertyName,value", "manifest.version,1.0", "oneroster.version,1.1",
        "file.orgs,bulk", "file.academicSessions,bulk", "file.courses,bulk",
        "file.classes,bulk", "file.users,bulk", "file.enrollments,bulk",
        "file.demographics,absent", "file.categories,absent", "file.lineItems,absent",
        "file.results,absent", "file.resources,absent", "file.classResources,absent",
        "file.courseResources,absent", "source.systemName,Village", "",
    ]  # fmt: skip


def test_rows_are_sorted_by_sourced_id_and_lists_are_quoted(personas, tmp_path):
    path = export(personas, tmp_path / "riverside")

    for kind in SIX:
        ids = list(rows_of(path, kind))
        assert ids == sorted(ids)
    users = files_of(path)["users.csv"].decode()
    assert ',"demo-user-ada,demo-user-leo",' in users
    assert all(
        row["status"] == row["dateLastModified"] == ""
        for kind in SIX
        for row in rows_of(path, kind).values()
    )


def test_two_exports_are_byte_identical(personas, tmp_path):
    assert files_of(export(personas, tmp_path / "one")) == files_of(
        export(personas, tmp_path / "two")
    )
    first = export(personas, tmp_path / "one.zip", as_zip=True).read_bytes()
    assert export(personas, tmp_path / "two.zip", as_zip=True).read_bytes() == first


def test_zip_and_folder_hold_the_same_files(personas, tmp_path):
    folder = files_of(export(personas, tmp_path / "folder"))
    archive = export(personas, tmp_path / "bundle.zip", as_zip=True)

    assert files_of(archive) == folder
    assert validate_bundle(archive).report.ok


def test_objects_made_in_village_get_stable_ids_that_survive_a_round_trip(personas, tmp_path):
    course = services.course_create(organisation=personas.school, title="Grade 5 Art")
    art = services.class_create(
        course=course, school=personas.school, title="Grade 5 Art", terms=[personas.term]
    )
    pupil = services.person_create(
        username="ines", first_name="Inès", last_name="Dubois", role=Role.STUDENT,
        organisation=personas.school, grade="5",
    )  # fmt: skip
    services.enrollment_add(user=pupil, school_class=art, role=EnrollmentRole.STUDENT)
    first = files_of(export(personas, tmp_path / "first"))
    users = rows_of(tmp_path / "first", "users")
    assert users[f"village-user-{pupil.pk}"]["givenName"] == "Inès"
    assert f"village-class-{art.pk}" in rows_of(tmp_path / "first", "classes")

    # An import stores each exported id as the object's sourced id.
    for model, kind in (
        (Course, "course"), (SchoolClass, "class"), (User, "user"), (Enrollment, "enrollment"),
    ):  # fmt: skip
        for obj in model.objects.filter(Q(sourced_id__isnull=True) | Q(sourced_id="")):
            model.objects.filter(pk=obj.pk).update(sourced_id=f"village-{kind}-{obj.pk}")

    assert files_of(export(personas, tmp_path / "second")) == first


def test_exported_roles_map_back_to_the_same_village_roles():
    for role, oneroster in ONEROSTER_ROLE.items():
        kind = OrgKind.DISTRICT if role == Role.DISTRICT_ADMIN else OrgKind.SCHOOL
        assert village_role(oneroster, kind, org_known=True).role == role
    assert Role.PARTNER not in ONEROSTER_ROLE


def test_aide_enrolment_is_a_teacher_enrolment_that_is_not_primary(personas, tmp_path):
    aide = services.person_create(
        username="tomas", first_name="Tomás", last_name="Ruiz", role=Role.AIDE,
        organisation=personas.school, sourced_id="demo-user-tomas",
    )  # fmt: skip
    services.enrollment_add(
        user=aide, school_class=personas.homeroom5, role=EnrollmentRole.AIDE, is_primary=True,
        sourced_id="demo-enrol-tomas",
    )  # fmt: skip
    path = export(personas, tmp_path / "riverside")

    row = rows_of(path, "enrollments")["demo-enrol-tomas"]
    assert (row["role"], row["primary"]) == ("teacher", "false")
    assert rows_of(path, "users")["demo-user-tomas"]["role"] == "aide"
    assert validate_bundle(path).report.ok


def test_only_usable_guardian_links_become_agents(personas, tmp_path):
    GuardianLink.objects.filter(guardian=personas.jordan).update(no_access=True)
    GuardianLink.objects.filter(guardian=personas.olga).update(status=LinkStatus.ENDED)
    path = export(personas, tmp_path / "riverside")
    users = rows_of(path, "users")

    assert users["demo-user-leo"]["agentSourcedIds"] == "demo-user-sam"
    assert users["demo-user-jordan"]["agentSourcedIds"] == ""
    assert users["demo-user-mina"]["agentSourcedIds"] == ""
    assert users["demo-user-olga"]["agentSourcedIds"] == ""
    assert validate_bundle(path).report.warnings == []


def test_account_states_and_past_roles(personas, tmp_path):
    User.objects.filter(pk=personas.maya.pk).update(is_active=False)
    User.objects.filter(pk=personas.chen.pk).update(status=RosterStatus.INACTIVE)
    OrgRole.objects.filter(user=personas.park).update(end_date=dt.date(2020, 6, 30))
    path = export(personas, tmp_path / "riverside")
    users = rows_of(path, "users")
    enrolled = {row["userSourcedId"] for row in rows_of(path, "enrollments").values()}

    assert users["demo-user-maya"]["enabledUser"] == "false"
    assert "demo-user-chen" not in users  # removed by a roster: stays removed
    assert "demo-user-chen" not in enrolled
    assert users["demo-user-park"]["role"] == "teacher"  # a past role still counts
    assert validate_bundle(path).report.ok


def test_a_person_with_two_roles_is_exported_with_the_stronger_one(personas, tmp_path):
    services.role_grant(
        user=personas.rivera, organisation=personas.sister_school, role=Role.TEACHER
    )
    OrgRole.objects.create(user=personas.rivera, organisation=personas.school, role=Role.GUARDIAN)
    row = rows_of(export(personas, tmp_path / "riverside"), "users")["demo-user-rivera"]

    assert row["role"] == "teacher"
    assert row["orgSourcedIds"] == "demo-org-oakhill,demo-org-riverside-k8"


def test_a_class_without_terms_gets_the_district_school_year(personas, tmp_path):
    personas.math8.terms.clear()
    path = export(personas, tmp_path / "riverside")

    assert rows_of(path, "classes")["demo-class-G8-MATH"]["termSourcedIds"] == "demo-session-year"
    assert validate_bundle(path).report.ok


def test_classes_without_any_session_are_refused(personas, tmp_path):
    AcademicSession.objects.filter(pk=personas.year.pk).update(status=RosterStatus.INACTIVE)

    with pytest.raises(ExportError, match="no academic session"):
        export(personas, tmp_path / "riverside")


def test_a_kind_with_no_rows_is_left_out_and_marked_absent(db, tmp_path):
    district = services.district_create(name="Hillside District", sourced_id="hill")
    services.school_create(district=district, name="Hillside School", sourced_id="hill-school")
    summary = export_district(district=district, out=tmp_path / "hill")

    assert summary.counts == dict.fromkeys(SIX, 0) | {"orgs": 2}
    assert sorted(files_of(tmp_path / "hill")) == ["manifest.csv", "orgs.csv"]
    assert b"file.users,absent" in files_of(tmp_path / "hill")["manifest.csv"]
    assert validate_bundle(tmp_path / "hill").report.ok


def test_a_school_is_refused_and_so_is_a_folder_of_other_files(personas, tmp_path):
    with pytest.raises(ExportError, match="is a school"):
        export_district(district=personas.school, out=tmp_path / "school")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match=r"notes\.txt"):
        export(personas, tmp_path / "busy")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_exporting_again_into_a_folder_replaces_the_earlier_export(personas, tmp_path):
    export(personas, tmp_path / "riverside")
    Enrollment.objects.all().delete()
    path = export(personas, tmp_path / "riverside")

    assert not (path / "enrollments.csv").exists()
    assert b"file.enrollments,absent" in (path / "manifest.csv").read_bytes()
    assert validate_bundle(path).report.ok


def test_users_are_read_in_chunks_with_a_few_queries_each(
    personas, tmp_path, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(export_rows, "CHUNK", 4)
    scope = export_rows.DistrictScope(personas.district)
    # 12 people in chunks of 4: one streamed read of people, then per chunk one read each of
    # roles, guardian links and the people at the links' other end; never a query per person.
    with django_assert_max_num_queries(1 + 3 * 3):
        rows = list(export_rows.user_rows(scope))
    assert len(rows) == 12


def test_the_district_is_found_by_sourced_id_or_name(personas):
    assert district_for_export("demo-org-riverside") == personas.district
    assert district_for_export("lakeside district") == personas.other_district
    with pytest.raises(ExportError, match="Lakeside District"):
        district_for_export()  # two districts: say which
    with pytest.raises(ExportError, match='no district "Hilltop"'):
        district_for_export("Hilltop")


def test_the_only_district_needs_no_name(db):
    hill = services.district_create(name="Hillside District")
    assert district_for_export() == hill


def test_export_import_export_gives_the_same_files(personas, tmp_path):
    first = files_of(export(personas, tmp_path / "first"))
    assert run_import(path=tmp_path / "first").applied

    assert files_of(export(personas, tmp_path / "second")) == first


@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_database_then_export_gives_the_same_files(
    personas, tmp_path
):
    first = files_of(export(personas, tmp_path / "first"))
    call_command("flush", "--no-input", verbosity=0)
    assert not User.objects.exists()

    outcome = run_import(path=tmp_path / "first")
    assert outcome.applied, str(outcome.report)
    assert User.objects.filter(username="ada").exists()
    riverside = Organisation.objects.get(sourced_id="demo-org-riverside")
    export_district(district=riverside, out=tmp_path / "second")

    assert files_of(tmp_path / "second") == first


def test_reimporting_the_districts_own_export_deactivates_nobody(personas, tmp_path):
    export(personas, tmp_path / "bundle")
    outcome = run_import(path=tmp_path / "bundle")
    assert outcome.applied, str(outcome.report)
    assert all(outcome.plan[kind].deactivated == 0 for kind in ("users", "roles", "enrollments"))
    personas.library.refresh_from_db()
    assert personas.library.is_active  # a community partner is in no roster
