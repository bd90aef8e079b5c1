"""Opening bundles (zip or folder) safely, and keeping reports small."""

from __future__ import annotations

import zipfile
from pathlib import Path

from village.rostering.report import Report, Severity
from village.rostering.tests.builders import ROWS, base_files, write_folder, write_zip
from village.rostering.validate import validate_bundle


def error_texts(path: Path, **kwargs: int) -> list[str]:
    return [str(issue) for issue in validate_bundle(path, **kwargs).report.errors]  # type: ignore[arg-type]


def test_folder_and_zip_give_the_same_roster(tmp_path: Path) -> None:
    files = base_files()

    from_zip = validate_bundle(write_zip(tmp_path / "r.zip", files))
    from_folder = validate_bundle(write_folder(tmp_path / "r", files))

    assert from_zip.ok
    assert from_folder.ok
    assert from_zip.roster == from_folder.roster


def test_zip_slip_path_is_refused(tmp_path: Path) -> None:
    files = {**base_files(), "../../etc/users.csv": "x"}

    assert error_texts(write_zip(tmp_path / "r.zip", files)) == [
        'the zip holds an unsafe path "../../etc/users.csv"; it was not read'
    ]


def test_bundle_with_files_only_inside_a_folder_is_refused(tmp_path: Path) -> None:
    files = {f"export/{name}": text for name, text in base_files().items()}

    assert error_texts(write_zip(tmp_path / "r.zip", files)) == [
        "the CSV files must be at the top level of the bundle, not inside a folder (found export/)"
    ]


def test_over_large_member_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "r.zip", base_files())

    assert error_texts(path, max_member_bytes=100) == [
        "orgs.csv: 145 bytes; at most 100 bytes per file are read"
    ]


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.zip"
    path.write_bytes(b"sourcedId,name\n")

    assert error_texts(path)[0].startswith("r.zip is not a readable zip file")


def test_subfolder_beside_top_level_files_is_ignored_with_a_warning(tmp_path: Path) -> None:
    files = {**base_files(), "old/users.csv": "x", "__MACOSX/._users.csv": "x"}

    validation = validate_bundle(write_zip(tmp_path / "r.zip", files))

    assert validation.ok
    assert [str(w) for w in validation.report.warnings] == [
        "folder old/ ignored: files must be at the top level"
    ]


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "r.zip", base_files())
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of every entry in the central directory.
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist()]
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        data[offset + 8] |= 0x1
        offset = data.find(b"PK\x01\x02", offset + 4)
    path.write_bytes(bytes(data))

    assert error_texts(path) == [f'"{names[0]}" is encrypted; send the bundle without a password']


def test_report_keeps_a_capped_number_of_messages_per_kind_and_counts_the_rest() -> None:
    report = Report(cap=3)
    for line in range(2, 12):
        report.error("bad_enum", 'unknown role "x"', file="users.csv", line=line, column="role")
    report.warning("bool_case", '"TRUE" read as true', file="users.csv", line=2)

    assert len(report.errors) == 3
    assert report.error_count == 10
    assert report.warning_count == 1
    assert report.omitted == {(Severity.ERROR, "users.csv", "bad_enum"): 7}
    assert report.as_dict()["omitted"] == [
        {"severity": "error", "file": "users.csv", "code": "bad_enum", "count": 7}
    ]
    assert str(report).splitlines()[0] == "rejected: 10 error(s), 1 warning(s)"
    assert str(report).splitlines()[-1] == ("... and 7 more error(s) of kind bad_enum in users.csv")


def test_many_identical_row_errors_stay_small(tmp_path: Path) -> None:
    rows = [f"u{i},,,maybe,s1,student,u{i},,A,B,,,,,,,," for i in range(500)]
    validation = validate_bundle(
        write_zip(tmp_path / "r.zip", base_files(users=[*ROWS["users"], *rows]))
    )

    assert validation.report.error_count >= 500
    assert len(validation.report.errors) <= 60
