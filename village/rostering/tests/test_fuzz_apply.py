"""A roster that is rejected changes nothing, whatever is wrong with it."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Organisation,
    OrgRole,
    SchoolClass,
)
from village.rostering.importer import run_import
from village.rostering.tests.builders import ROWS, base_files, write_zip

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
VALUES = st.one_of(
    st.sampled_from(["", "d1", "s1", "t1", "c1", "k1", "ada", "nope", "TRUE", "Scheduled"]),
    st.sampled_from(["2024-13-45", "1/05/2023", "studnet", "tobedeleted", '"', ",", "\n"]),
    st.text(max_size=40),
)


def snapshot() -> dict[str, list[Any]]:
    """Every roster-owned row of every kind, in a stable order."""
    tables: dict[str, Any] = {
        "orgs": Organisation.objects.values_list(
            "sourced_id", "name", "kind", "parent_id", "status"
        ),
        "sessions": AcademicSession.objects.values_list(
            "sourced_id", "title", "start_date", "status"
        ),
        "courses": Course.objects.values_list("sourced_id", "title", "code", "status"),
        "classes": SchoolClass.objects.values_list("sourced_id", "title", "location", "status"),
        "users": User.objects.values_list(
            "sourced_id", "username", "first_name", "last_name", "email", "is_active", "status"
        ),
        "roles": OrgRole.objects.values_list("user_id", "organisation_id", "role", "status"),
        "enrollments": Enrollment.objects.values_list(
            "sourced_id", "user_id", "school_class_id", "role", "status", "end_date"
        ),
        "links": GuardianLink.objects.values_list("guardian_id", "student_id", "status"),
    }
    return {name: sorted(rows, key=repr) for name, rows in tables.items()}


@pytest.fixture
def imported(db: None) -> None:
    with TemporaryDirectory() as folder:
        assert run_import(path=write_zip(Path(folder) / "r.zip", base_files())).applied


@pytest.mark.django_db
@FUZZ
@given(
    kind=st.sampled_from(list(ROWS)),
    row=st.integers(0, 3),
    column=st.integers(0, 17),
    value=VALUES,
    mode=st.sampled_from(["bulk", "delta"]),
)
def test_a_rejected_roster_changes_nothing(
    imported: None, kind: str, row: int, column: int, value: str, mode: str
) -> None:
    rows = list(ROWS[kind])
    cells = rows[row % len(rows)].split(",")
    cells[column % len(cells)] = value
    rows[row % len(rows)] = ",".join(cells)
    files = base_files(mode, **{kind: rows})
    before = snapshot()
    with TemporaryDirectory() as folder:
        outcome = run_import(path=write_zip(Path(folder) / "r.zip", files))
    if not outcome.report.ok:
        assert not outcome.applied
        assert snapshot() == before
