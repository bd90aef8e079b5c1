"""Sample bundles from other projects: what Village makes of each one."""

from __future__ import annotations

from pathlib import Path

import pytest

import village
from village.rostering.validate import Validation, validate_bundle

SAMPLES = Path(village.__file__).resolve().parents[2] / "shared" / "data" / "oneroster_samples"


@pytest.fixture(scope="module")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"the OneRoster sample bundles are missing: expected them in {SAMPLES}")
    return SAMPLES


def texts(validation: Validation, severity: str = "errors") -> list[str]:
    return [str(issue) for issue in getattr(validation.report, severity)]


def codes(validation: Validation, severity: str = "warnings") -> set[str]:
    return {issue.code for issue in getattr(validation.report, severity)}


@pytest.mark.parametrize(
    "folder", ["SDS_v1_100_Users", "SDS_v1_Min_Required", "SDS_v2", "SDS_v2.1"]
)
def test_sds_export_is_not_a_oneroster_bundle(samples: Path, folder: str) -> None:
    validation = validate_bundle(samples / "O365-EDU-Tools" / folder)

    assert not validation.ok
    assert len(validation.report.errors) == 1
    assert texts(validation)[0].startswith("not a OneRoster bundle: manifest.csv is missing")


def test_moodle_1_2_delta_sample_is_accepted_with_ignored_files(samples: Path) -> None:
    validation = validate_bundle(samples / "moodle-enrol_oneroster" / "oneroster_test_data")

    assert validation.ok, validation.report
    assert texts(validation, "warnings") == [
        "demographics.csv: Village does not import demographic data",
        "userProfiles.csv: Village does not import credentials for other systems",
        'users.csv line 2, column enabledUser: "TRUE" read as true',
    ]
    roster = validation.roster
    assert roster.version == "1.2"
    assert roster.users["USER_0"].given_name == "Bruce"
    assert [(r.user_id, r.org_id, r.role) for r in roster.roles] == [("USER_0", "ORG_1", "student")]
    assert roster.enrollments["ENROLLMENT_001"].class_id == "CLASS_001"
    assert roster.classes["CLASS_001"].term_ids == ("ACAD_SESS_1",)


def test_moodle_minimal_sample_is_rejected_for_classes_of_missing_courses(samples: Path) -> None:
    validation = validate_bundle(samples / "moodle-enrol_oneroster" / "Test_minimal_data_set")

    assert texts(validation) == [
        'classes.csv line 2, column courseSourcedId: courses "crs-222-2023-456-12345" is not '
        "defined in courses.csv",
        'classes.csv line 3, column courseSourcedId: courses "crs-222-2023-456-23456" is not '
        "defined in courses.csv",
    ]
    assert codes(validation) == {"org_type_ignored", "enum_case", "bool_case"}


def test_moodle_full_sample_is_rejected_for_deletions_and_dangling_references(
    samples: Path,
) -> None:
    validation = validate_bundle(samples / "moodle-enrol_oneroster" / "Test_full_data_set")

    errors = texts(validation)
    assert (
        'orgs.csv line 2, column parentSourcedId: orgs "org-sch-222-3456" is not defined in '
        "orgs.csv" in errors
    )
    assert (
        "academicSessions.csv line 2, column status: tobedeleted in a bulk file: leave the row "
        "out, or send a delta file"
    ) in errors
    assert any(
        e.startswith('academicSessions.csv line 4, column status: unknown status "inactive"')
        for e in errors
    )
    assert any(e.startswith("classes.csv line 2, column courseSourcedId: courses") for e in errors)
    assert len(errors) == 7
    # The teacher listed as agent of students is reported, the parent is linked.
    assert "agent_not_guardian" in codes(validation)
    assert {(p.guardian_id, p.student_id) for p in validation.roster.guardians} == {
        ("usr-222-1234561", "usr-222-66778899")
    }


def test_moodle_nonconformant_1_2_sample_is_rejected_for_non_iso_dates(samples: Path) -> None:
    validation = validate_bundle(samples / "moodle-enrol_oneroster" / "v1p2_full_dataset")

    errors = texts(validation)
    assert (
        'users.csv line 2, column dateLastModified: not a date-time "1/05/2023" (expected ISO '
        "8601, e.g. 2023-05-01T18:25:43.511Z)"
    ) in errors
    assert any(
        e.startswith('users.csv line 7, column dateLastModified: not a date-time "15/06/2023"')
        for e in errors
    )
    warnings = texts(validation, "warnings")
    assert (
        'roles.csv line 1, column dataLastModified: header "dataLastModified" read as '
        '"dateLastModified"' in warnings
    )
    assert (
        'users.csv line 1, column prefferedGivenName: header "prefferedGivenName" read as '
        '"preferredGivenName"' in warnings
    )
    assert "userprofiles.csv: manifest.csv marks it absent; ignored" in warnings
    assert "manifest.csv line 21: file.scoreScales has no value; read as absent" in warnings
    assert any("siteAdministrator" in w and "not imported" in w for w in warnings)


def test_oat_sample_is_rejected_for_missing_column_empty_bulk_file_and_blank_course(
    samples: Path,
) -> None:
    validation = validate_bundle(samples / "oneroster-import" / "OneRosterv1p1BaseCSV")

    assert texts(validation) == [
        "academicSessions.csv line 1, column schoolYear: required column is missing",
        "courses.csv: a header but no rows: as a bulk file it would remove every courses record; "
        "mark it absent in manifest.csv instead",
        "classes.csv line 2, column courseSourcedId: required value is missing",
        "classes.csv line 3, column courseSourcedId: required value is missing",
        "classes.csv line 4, column courseSourcedId: required value is missing",
    ]
    warnings = texts(validation, "warnings")
    assert 'users.csv line 1, column agents: header "agents" read as "agentSourcedIds"' in warnings
    assert any(
        w.startswith("users.csv line 1: ignored columns Village does not use: ext_")
        for w in warnings
    )
    assert "demographics.csv: Village does not import demographic data" in warnings
    # Columns out of order (enrollments.csv) are read by name.
    assert validation.roster.enrollments["enrol1"].user_id == "user1"
