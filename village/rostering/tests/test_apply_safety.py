"""An import is all or nothing: rejected bundles, failures and dry runs change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model

from village.accounts.models import User
from village.community.models import AcademicSession, Organisation, OrgRole, Role
from village.core.bulk import CopyWriter, DjangoWriter, Writer
from village.rostering.importer import run_import
from village.rostering.tests.builders import ROWS, base_files, csv_text, manifest, write_zip
from village.rostering.tests.test_apply import dump, import_files
from village.rostering.tests.test_samples import SAMPLES

pytestmark = pytest.mark.django_db

USERS_1_2 = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
    "preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns"
)
ROLES_1_2 = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)


def test_a_bundle_with_one_error_applies_nothing(tmp_path: Path) -> None:
    enrollments = [*ROWS["enrollments"], "e3,,,k1,s1,nobody,student,false,,"]

    outcome = import_files(tmp_path, base_files(enrollments=enrollments))

    assert not outcome.applied
    assert outcome.report.error_count == 1
    assert outcome.plan.total_changes == 0
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_a_failure_late_in_the_apply_leaves_the_database_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(tmp_path, base_files(), "first")
    before = dump()

    def failing_on_links(writer: type[Writer]) -> Any:
        original = writer.insert

        def insert(self: Writer, model: type[Model], *args: Any, **kwargs: Any) -> Any:
            if model.__name__ == "GuardianLink":
                raise RuntimeError("disk full")
            return original(self, model, *args, **kwargs)

        return insert

    for writer in (DjangoWriter, CopyWriter):  # whichever this database uses
        monkeypatch.setattr(writer, "insert", failing_on_links(writer))
    users = [row.replace("Lovelace", "Byron") for row in ROWS["users"]]
    users.append("leo,,,true,s1,student,leo,,Leo,Park,,,,,,,04,")
    users.append("kim,,,true,s1,parent,kim,,Kim,Park,,,,,,leo,,")
    orgs = [*ROWS["orgs"], "s2,,,Oak Hill Elementary,school,OH,d1"]

    with pytest.raises(RuntimeError, match="disk full"):
        import_files(tmp_path, base_files(users=users, orgs=orgs), "second")

    assert dump() == before


def test_a_dry_run_counts_the_changes_and_makes_none(tmp_path: Path) -> None:
    outcome = run_import(path=write_zip(tmp_path / "b.zip", base_files()), dry_run=True)

    assert outcome.report.ok
    assert not outcome.applied
    assert outcome.plan.total_changes == 14
    assert outcome.plan["users"].created == 3
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_progress_is_told_of_each_stage(tmp_path: Path) -> None:
    stages: list[str] = []

    run_import(
        path=write_zip(tmp_path / "b.zip", base_files()),
        progress=lambda stage, done, total: stages.append(stage),
    )

    assert stages[0] == "validating"
    for stage in ("planning", "orgs", "users", "enrollments", "guardian_links"):
        assert stage in stages


def test_a_school_under_a_school_is_rejected_naming_orgs_csv(tmp_path: Path) -> None:
    orgs = [*ROWS["orgs"], "s2,,,Annexe,school,AX,s1"]

    outcome = import_files(tmp_path, base_files(orgs=orgs))

    assert not outcome.applied
    assert [str(issue) for issue in outcome.report.errors] == [
        'orgs.csv, column parentSourcedId: school "s2": its parent "s1" is not a district in the '
        "bundle or in Village"
    ]
    assert not Organisation.objects.exists()


def test_a_username_owned_by_another_account_is_rejected(tmp_path: Path) -> None:
    User.objects.create_user(username="ada", password="x")

    outcome = import_files(tmp_path, base_files())

    assert not outcome.applied
    assert outcome.report.has("username_taken", file="users.csv")
    assert User.objects.count() == 1


def test_a_1_2_bundle_sets_preferred_name_and_pronouns_and_keeps_blank_ones(
    tmp_path: Path,
) -> None:
    users = [
        "ada,,,true,ada,,Ada,Lovelace,,,,,,,04,secret,,Addie,,,s1,she/her",
        "rivera,,,true,mrivera,,Maria,Rivera,,,,,,,,,,,,,s1,",
    ]
    roles = ["r1,,,ada,primary,student,,,s1,", "r2,,,rivera,primary,teacher,,,s1,"]
    files = base_files()
    files["users.csv"] = csv_text("users", users, USERS_1_2)
    files["roles.csv"] = csv_text("roles", roles, ROLES_1_2)
    files["manifest.csv"] = manifest(
        dict.fromkeys(("orgs", "academicSessions", "courses", "classes"), "bulk")
        | {"users": "bulk", "roles": "bulk", "enrollments": "bulk"},
        version="1.2",
    )

    outcome = import_files(tmp_path, files)

    assert outcome.applied, outcome.report
    ada = User.objects.get(sourced_id="ada")
    assert (ada.preferred_name, ada.pronouns, ada.has_usable_password()) == (
        "Addie",
        "she/her",
        False,
    )
    assert OrgRole.objects.get(sourced_id="r1").role == Role.STUDENT
    rivera = User.objects.get(sourced_id="rivera")
    rivera.preferred_name = "Mari"
    rivera.save()
    assert import_files(tmp_path, files, "again").plan.total_changes == 0
    rivera.refresh_from_db()
    assert rivera.preferred_name == "Mari"


def test_a_school_without_a_district_gets_one_of_its_own(tmp_path: Path) -> None:
    outcome = import_files(tmp_path, base_files(orgs=["s1,,,Riverside Elementary,school,RE,"]))

    assert outcome.applied, outcome.report
    assert outcome.report.has("school_without_district", file="orgs.csv")
    school = Organisation.objects.get(sourced_id="s1")
    assert school.parent is not None
    assert (school.parent.kind, school.parent.name) == (
        "district",
        "Riverside Elementary (district)",
    )
    assert AcademicSession.objects.get(sourced_id="t1").organisation == school.parent
    again = import_files(tmp_path, base_files(orgs=["s1,,,Riverside Elementary,school,RE,"]), "2")
    assert again.plan.total_changes == 0


def test_the_moodle_1_2_delta_sample_imports_and_reimports_as_no_change() -> None:
    sample = SAMPLES / "moodle-enrol_oneroster" / "oneroster_test_data"

    outcome = run_import(path=sample)

    assert outcome.applied, outcome.report
    school = Organisation.objects.get(sourced_id="ORG_1")
    assert school.parent is not None
    assert school.parent.kind == "district"
    bruce = User.objects.get(sourced_id="USER_0")
    assert (bruce.username, bruce.first_name, bruce.has_usable_password()) == (
        "brucewayne",
        "Bruce",
        False,
    )
    assert bruce.enrollments.get().school_class.sourced_id == "CLASS_001"
    assert run_import(path=sample).plan.total_changes == 0
