"""``village roster``: the import report, plan table, progress and exit status; the export."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from village.accounts.models import User
from village.community.models import Organisation
from village.rostering.tests.builders import ROWS, base_files, write_folder, write_zip
from village.rostering.validate import validate_bundle

pytestmark = pytest.mark.django_db


def roster(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.empty_database
def test_import_prints_the_report_and_the_plan_and_applies(tmp_path: Path) -> None:
    out, err = roster("import", str(write_zip(tmp_path / "r.zip", base_files())))

    assert out.splitlines()[0] == "accepted: 0 error(s), 0 warning(s)"
    assert "rows read: orgs 2, academicSessions 1, courses 1, classes 1, users 3" in out
    assert "users                    3         0            0" in out
    assert "14 change(s) in all" in out
    assert out.rstrip().endswith("Imported.")
    assert "validating..." in err
    assert "enrollments..." in err
    assert User.objects.count() == 3


@pytest.mark.empty_database
def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path) -> None:
    out, _err = roster("import", str(write_folder(tmp_path / "r", base_files())), "--dry-run")

    assert "orgs                     2         0            0" in out
    assert "Dry run: nothing was changed." in out
    assert not Organisation.objects.exists()


@pytest.mark.empty_database
def test_a_broken_bundle_prints_where_and_exits_1(tmp_path: Path) -> None:
    enrollments = [*ROWS["enrollments"], "e3,,,k1,s1,nobody,student,false,,"]
    out = io.StringIO()

    with pytest.raises(CommandError, match="rejected") as failure:
        call_command(
            "roster",
            "import",
            str(write_zip(tmp_path / "r.zip", base_files(enrollments=enrollments))),
            stdout=out,
            stderr=io.StringIO(),
        )

    assert failure.value.returncode == 1
    assert out.getvalue().splitlines()[:2] == [
        "rejected: 1 error(s), 0 warning(s)",
        'error: enrollments.csv line 4, column userSourcedId: users "nobody" is not defined in '
        "users.csv",
    ]
    assert "change(s) in all" not in out.getvalue()
    assert not Organisation.objects.exists()


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    from django.core.management.base import OutputWrapper

    from village.rostering.management.commands.roster import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(OutputWrapper(stream))
    bar("users", 12000, 50000)
    bar.close()

    assert stream.getvalue().startswith("\r[#######.......................] users 12000/50000")


@pytest.mark.django_db
def test_export_command_writes_a_bundle_that_validates(personas, tmp_path):
    out = io.StringIO()
    target = tmp_path / "riverside.zip"
    call_command(
        "roster", "export", str(target), "--district", "demo-org-riverside", "--zip", stdout=out
    )
    assert "Wrote a OneRoster 1.1 bulk bundle" in out.getvalue()
    assert "users.csv" in out.getvalue()
    assert validate_bundle(target).report.ok


@pytest.mark.django_db
def test_export_command_asks_which_district_when_there_are_several(personas, tmp_path):
    with pytest.raises(CommandError, match="--district"):
        call_command("roster", "export", str(tmp_path / "out"))
