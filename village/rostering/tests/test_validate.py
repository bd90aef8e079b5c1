"""Checking small bundles written here: normalising, warning and rejecting, each with its place."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

from village.community.models import EnrollmentRole, OrgKind, Role
from village.rostering.records import GuardianPair
from village.rostering.tests.builders import (
    HEADERS,
    ROWS,
    base_files,
    csv_text,
    manifest,
    write_zip,
)
from village.rostering.validate import Validation, validate_bundle


def check(tmp_path: Path, files: Mapping[str, str | bytes], **kwargs: object) -> Validation:
    return validate_bundle(write_zip(tmp_path / "roster.zip", files), **kwargs)  # type: ignore[arg-type]


def errors(validation: Validation) -> list[str]:
    return [str(issue) for issue in validation.report.errors]


def warnings(validation: Validation) -> list[str]:
    return [str(issue) for issue in validation.report.warnings]


def test_clean_bulk_bundle_is_accepted_and_normalised(tmp_path: Path) -> None:
    validation = check(tmp_path, base_files())

    assert validation.ok, validation.report
    assert validation.report.warnings == []
    roster = validation.roster
    assert roster.orgs["s1"].kind == OrgKind.SCHOOL
    assert roster.orgs["d1"].kind == OrgKind.DISTRICT
    assert roster.sessions["t1"].start_date == dt.date(2024, 9, 1)
    assert roster.classes["k1"].kind == "scheduled"
    assert roster.enrollments["e1"].role == EnrollmentRole.TEACHER
    assert roster.enrollments["e1"].is_primary
    assert roster.users["ada"].grades == ("04",)
    assert validation.report.counts == {
        "orgs": 2, "academicSessions": 1, "courses": 1, "classes": 1, "users": 3, "enrollments": 2,
    }  # fmt: skip


def test_bom_and_mixed_line_endings_are_tolerated(tmp_path: Path) -> None:
    files = base_files()
    users = "\ufeff" + HEADERS["users"] + "\r\n" + "\n".join(ROWS["users"]) + "\r\n"
    files["users.csv"] = users.encode()

    validation = check(tmp_path, files)

    assert validation.ok, validation.report
    assert set(validation.roster.users) == {"rivera", "ada", "jordan"}


def test_uppercase_boolean_and_wrong_case_enum_are_read_with_warnings(tmp_path: Path) -> None:
    files = base_files(
        classes=["k1,,,Reading 4A,04,c1,RD4A,Scheduled,Room 12,s1,t1,,,1"],
        users=["rivera,,,TRUE,s1,Teacher,mrivera,,Maria,Rivera,,,,,,,,", *ROWS["users"][1:]],
    )

    validation = check(tmp_path, files)

    assert validation.ok, validation.report
    assert warnings(validation) == [
        'classes.csv line 2, column classType: "Scheduled" read as "scheduled"',
        'users.csv line 2, column enabledUser: "TRUE" read as true',
        'users.csv line 2, column role: "Teacher" read as "teacher"',
    ]
    assert validation.roster.users["rivera"].enabled is True


def test_unknown_role_is_an_error_naming_file_line_and_column(tmp_path: Path) -> None:
    files = base_files(users=[*ROWS["users"][:1], "ada,,,true,s1,studnet,ada,,Ada,L,,,,,,,,"])

    validation = check(tmp_path, files)

    assert not validation.ok
    assert errors(validation)[0].startswith(
        'users.csv line 3, column role: unknown role "studnet" (expected administrator, aide'
    )


def test_dangling_references_in_bulk_are_errors_with_the_missing_id(tmp_path: Path) -> None:
    files = base_files(
        classes=['k1,,,Reading 4A,04,c1,RD4A,scheduled,,s1,"t1, t9",,,'],
        enrollments=["e1,,,k1,s1,rivera,teacher,,,", "e2,,,k1,s1,leo,student,,,"],
    )

    validation = check(tmp_path, files)

    assert errors(validation) == [
        'classes.csv line 2, column termSourcedIds: academicSessions "t9" is not defined in '
        "academicSessions.csv",
        'enrollments.csv line 3, column userSourcedId: users "leo" is not defined in users.csv',
    ]


def test_bulk_references_are_not_resolved_against_village(tmp_path: Path) -> None:
    files = base_files(enrollments=["e2,,,k1,s1,leo,student,,,"])

    validation = check(tmp_path, files, known_ids=lambda kind: {"leo"})

    assert not validation.ok


def test_delta_with_tobedeleted_lists_deletions_and_resolves_village_ids(tmp_path: Path) -> None:
    stamp = "2024-10-01T08:00:00Z"
    files = {
        "manifest.csv": manifest({"users": "delta", "enrollments": "delta"}),
        "users.csv": csv_text(
            "users",
            [
                f"leo,active,{stamp},true,s1,student,leo,,Leo,Okafor,,,,,,,05,",
                f"old,tobedeleted,{stamp},,,,,,,,,,,,,,,",
            ],
        ),
        "enrollments.csv": csv_text("enrollments", [f"e9,active,{stamp},k1,s1,leo,student,,,"]),
    }
    known = {"orgs": {"s1"}, "classes": {"k1"}}
    asked: list[str] = []

    def known_ids(kind: str) -> set[str]:
        asked.append(kind)
        return known.get(kind, set())

    validation = check(tmp_path, files, known_ids=known_ids)

    assert validation.ok, validation.report
    assert validation.roster.deletions == {"users": {"old"}}
    assert set(validation.roster.users) == {"leo"}
    assert validation.roster.enrollments["e9"].class_id == "k1"
    assert sorted(asked) == ["classes", "orgs"]  # once per kind
    # An admin role at an organisation outside the bundle waits for the apply to know its kind.
    assert [(r.user_id, r.role) for r in validation.roster.roles] == [("leo", Role.STUDENT)]


def test_delta_rows_need_status_and_a_known_reference(tmp_path: Path) -> None:
    files = {
        "manifest.csv": manifest({"enrollments": "delta"}),
        "enrollments.csv": csv_text(
            "enrollments", [",,,k1,s1,leo,student,,,", "e2,,2024-10-01,k1,s1,leo,student,,,"]
        ).replace(",,,k1", "e1,,,k1", 1),
    }

    validation = check(tmp_path, files)

    assert errors(validation) == [
        "enrollments.csv line 2, column status: required in a delta file",
        "enrollments.csv line 3, column status: required in a delta file",
    ]


def test_delta_reference_missing_everywhere_names_village_too(tmp_path: Path) -> None:
    files = {
        "manifest.csv": manifest({"enrollments": "delta"}),
        "enrollments.csv": csv_text(
            "enrollments", ["e1,active,2024-10-01T00:00:00Z,k1,s1,leo,student,,,"]
        ),
    }

    validation = check(tmp_path, files, known_ids=lambda kind: {"k1", "s1"})

    assert errors(validation) == [
        'enrollments.csv line 2, column userSourcedId: users "leo" is not defined in users.csv '
        "or in Village"
    ]


def test_tobedeleted_in_bulk_is_an_error(tmp_path: Path) -> None:
    files = base_files(courses=["c1,tobedeleted,,,Reading 4,RD4,04,s1,,"])

    validation = check(tmp_path, files)

    assert (
        "courses.csv line 2, column status: tobedeleted in a bulk file: leave the row out, or "
        "send a delta file"
    ) in errors(validation)


def test_guardian_links_from_both_directions_are_deduplicated(tmp_path: Path) -> None:
    files = base_files(
        users=[
            ROWS["users"][0],
            'ada,,,true,s1,student,ada,,Ada,L,,,,,,"jordan, eve",04,',
            'jordan,,,true,s1,parent,jordan,,Jordan,L,,,,,,"ada,sam",,',
            "eve,,,true,s1,guardian,eve,,Eve,L,,,,,,,,",
            "sam,,,true,s1,student,sam,,Sam,L,,,,,,,02,",
        ]
    )

    validation = check(tmp_path, files)

    assert validation.ok, validation.report
    assert sorted(validation.roster.guardians) == [
        GuardianPair("eve", "ada"),
        GuardianPair("jordan", "ada"),
        GuardianPair("jordan", "sam"),
    ]


def test_teacher_as_agent_is_a_warning_not_a_link(tmp_path: Path) -> None:
    files = base_files(users=[ROWS["users"][0], "ada,,,true,s1,student,ada,,Ada,L,,,,,,rivera,04,"])

    validation = check(tmp_path, files)

    assert validation.ok
    assert validation.roster.guardians == set()
    assert warnings(validation) == [
        'users.csv line 3, column agentSourcedIds: agent "rivera" (teacher) of user "ada" '
        "(student) is not a parent, guardian or relative of a student: not linked"
    ]


def test_non_iso_date_is_an_error_naming_file_line_and_column(tmp_path: Path) -> None:
    files = base_files(academicSessions=["t1,,,Fall,term,1/05/2023,2024-12-20,,2025"])

    validation = check(tmp_path, files)

    assert errors(validation) == [
        'academicSessions.csv line 2, column startDate: not a date "1/05/2023" (expected '
        "YYYY-MM-DD)"
    ]


def test_session_ending_before_it_starts_is_an_error(tmp_path: Path) -> None:
    files = base_files(academicSessions=["t1,,,Fall,term,2024-12-20,2024-09-01,,2025"])

    validation = check(tmp_path, files)

    assert errors(validation) == [
        "academicSessions.csv line 2, column endDate: endDate 2024-09-01 is before startDate "
        "2024-12-20"
    ]


def test_duplicate_sourced_ids_are_errors(tmp_path: Path) -> None:
    files = base_files(orgs=[*ROWS["orgs"], "s1,,,Another School,school,,d1"])

    validation = check(tmp_path, files)

    assert errors(validation) == ['orgs.csv line 4, column sourcedId: duplicate sourcedId "s1"']


def test_header_only_file_is_an_error_in_bulk_and_a_warning_in_delta(tmp_path: Path) -> None:
    bulk = check(tmp_path, base_files(courses=[], classes=[], enrollments=[]))
    delta_files = {
        "manifest.csv": manifest({"courses": "delta"}),
        "courses.csv": csv_text("courses", []),
    }
    delta = validate_bundle(write_zip(tmp_path / "delta.zip", delta_files))

    assert errors(bulk)[0] == (
        "courses.csv: a header but no rows: as a bulk file it would remove every courses record; "
        "mark it absent in manifest.csv instead"
    )
    assert delta.ok
    assert warnings(delta) == ["courses.csv: a header but no rows"]


def test_missing_required_column_is_an_error_naming_it(tmp_path: Path) -> None:
    header = HEADERS["users"].replace(",familyName", "")
    rows = [row.replace(",Rivera", "").replace(",Lovelace", "") for row in ROWS["users"]]
    files = base_files()
    files["users.csv"] = csv_text("users", rows, header=header)

    validation = check(tmp_path, files)

    assert "users.csv line 1, column familyName: required column is missing" in errors(validation)


def test_header_typo_trailing_empty_headers_and_extension_columns(tmp_path: Path) -> None:
    header = HEADERS["orgs"].replace("dateLast", "dataLast") + ",metadata.region,ext_code,,"
    files = base_files()
    files["orgs.csv"] = csv_text("orgs", [r + ",north,7" for r in ROWS["orgs"]], header=header)

    validation = check(tmp_path, files)

    assert validation.ok, validation.report
    assert warnings(validation) == [
        'orgs.csv line 1, column dataLastModified: header "dataLastModified" read as '
        '"dateLastModified"',
        "orgs.csv line 1: ignored columns Village does not use: metadata.region, ext_code",
    ]


def test_date_only_in_a_datetime_column_is_read_with_a_warning(tmp_path: Path) -> None:
    files = {
        "manifest.csv": manifest({"orgs": "delta"}),
        "orgs.csv": csv_text("orgs", ["s1,active,2024-10-01,Riverside Elementary,school,,"]),
    }

    validation = check(tmp_path, files)

    assert validation.ok
    assert warnings(validation) == [
        "orgs.csv line 2, column dateLastModified: a date without a time; read as 00:00 UTC"
    ]


def test_non_utf8_file_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    files = base_files()
    files["users.csv"] = csv_text("users", ROWS["users"]).encode().replace(b"Ada", b"Ad\xe9", 1)

    validation = check(tmp_path, files)

    assert errors(validation) == [
        "users.csv line 3: not UTF-8 text (byte 0xe9 at character 30); save the file as UTF-8"
    ]


def test_role_mapping_follows_organisation_type(tmp_path: Path) -> None:
    files = base_files(
        users=[
            "nguyen,,,true,s1,administrator,nguyen,,Thi,Nguyen,,,,,,,,",
            "priya,,,true,d1,administrator,priya,,Priya,Shah,,,,,,,,",
            "pat,,,true,s1,proctor,pat,,Pat,Lee,,,,,,,,",
            "rivera,,,true,s1,teacher,mrivera,,Maria,Rivera,,,,,,,,",
            "ada,,,true,s1,student,ada,,Ada,L,,,,,,,,",
        ],
        enrollments=["e1,,,k1,s1,rivera,teacher,,,", "e2,,,k1,s1,ada,student,,,"],
    )

    validation = check(tmp_path, files)

    roles = {(r.user_id, r.org_id): r.role for r in validation.roster.roles}
    assert roles[("nguyen", "s1")] == Role.SCHOOL_ADMIN
    assert roles[("priya", "d1")] == Role.DISTRICT_ADMIN
    assert ("pat", "s1") not in roles
    assert warnings(validation) == [
        'users.csv line 4, column role: role "proctor" not imported: Village has no proctor role'
    ]


def test_roles_file_of_1_2_maps_new_roles(tmp_path: Path) -> None:
    users_header = (
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
        "userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,"
        "primaryOrgSourcedId,pronouns"
    )
    roles_header = (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId"
    )
    files = {
        "manifest.csv": manifest({"orgs": "bulk", "users": "bulk", "roles": "bulk"}, "1.2"),
        "orgs.csv": csv_text("orgs", ROWS["orgs"]),
        "users.csv": csv_text(
            "users",
            [
                "nguyen,,,true,nguyen,,Thi,Nguyen,,,,,,,,,,Tee,,,s1,she/her",
                "priya,,,true,priya,,Priya,Shah,,,,,,,,,,,,,d1,",
                "cam,,,true,cam,,Cam,Diaz,,,,,,,,,,,,,s1,",
            ],
            header=users_header,
        ),
        "roles.csv": csv_text(
            "roles",
            [
                "r1,,,nguyen,primary,principal,2024-08-01,,s1,",
                "r2,,,priya,primary,districtAdministrator,,,d1,",
                "r3,,,cam,primary,counselor,,,s1,",
                "r4,,,priya,secondary,systemAdministrator,,,d1,",
            ],
            header=roles_header,
        ),
    }

    validation = check(tmp_path, files)

    assert validation.ok, validation.report
    assert [(r.sourced_id, r.role, r.is_primary) for r in validation.roster.roles] == [
        ("r1", Role.SCHOOL_ADMIN, True),
        ("r2", Role.DISTRICT_ADMIN, True),
    ]
    assert validation.roster.roles[0].begin_date == dt.date(2024, 8, 1)
    assert validation.roster.users["nguyen"].preferred_name == "Tee"
    assert validation.roster.users["nguyen"].pronouns == "she/her"
    assert [issue.code for issue in validation.report.warnings] == ["role_not_imported"] * 2


def test_manifest_only_bundle_means_no_changes(tmp_path: Path) -> None:
    files = {"manifest.csv": manifest({"users": "absent", "orgs": "absent"})}

    validation = check(tmp_path, files)

    assert validation.ok
    assert validation.roster.is_empty


def test_file_listed_in_manifest_but_missing_is_an_error(tmp_path: Path) -> None:
    files = base_files()
    del files["users.csv"]

    validation = check(tmp_path, files)

    assert "users.csv: manifest.csv lists it as bulk but the bundle lacks it" in errors(validation)


def test_unsupported_version_is_rejected(tmp_path: Path) -> None:
    files = {"manifest.csv": manifest({}, version="1.0")}

    validation = check(tmp_path, files)

    assert errors(validation) == [
        'manifest.csv line 3: unsupported oneroster.version "1.0" (Village reads 1.1 and 1.2)'
    ]


def test_report_as_dict_is_json_ready(tmp_path: Path) -> None:
    validation = check(tmp_path, base_files(orgs=[*ROWS["orgs"], "s1,,,Copy,school,,d1"]))

    data = json.loads(json.dumps(validation.report.as_dict()))

    assert data["ok"] is False
    assert data["errors"][0] == {
        "severity": "error",
        "code": "duplicate_id",
        "file": "orgs.csv",
        "line": 4,
        "column": "sourcedId",
        "message": 'duplicate sourcedId "s1"',
        "text": 'orgs.csv line 4, column sourcedId: duplicate sourcedId "s1"',
    }


def test_an_address_mail_cannot_go_to_is_an_error_naming_file_line_and_column(
    tmp_path: Path,
) -> None:
    files = base_files(
        users=[
            "rivera,,,true,s1,teacher,mrivera,,Maria,Rivera,,,rivera@example.org,,,,,",
            "ada,,,true,s1,student,ada,,Ada,Lovelace,,,ada at school,,,,04,",
            "jordan,,,true,s1,parent,jordan,,Jordan,Lovelace,,,"
            '"j@village.test\r\nBcc: evil@example.com",,,ada,,',
        ]
    )

    validation = check(tmp_path, files)

    assert not validation.ok
    assert errors(validation) == [
        'users.csv line 3, column email: not an email address "ada at school"',
        "users.csv line 4, column email: "
        'not an email address "j@village.test\\r\\nBcc: evil@example.com"',
    ]


def test_addresses_are_checked_on_every_row_of_a_large_file(tmp_path: Path) -> None:
    pupils = [
        f"p{n},,,true,s1,student,p{n},,Pupil,{n},,,p{n}@village.test,,,,04," for n in range(300)
    ]
    pupils[250] = "p250,,,true,s1,student,p250,,Pupil,250,,,p250@,,,,04,"
    files = base_files(users=[*ROWS["users"], *pupils])

    validation = check(tmp_path, files)

    assert errors(validation) == ['users.csv line 255, column email: not an email address "p250@"']
    assert validation.roster.users.get("p249") is not None
