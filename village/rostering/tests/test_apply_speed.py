"""The import is set-based: the number of SQL queries does not grow with the roster."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Organisation,
    OrgKind,
    OrgRole,
    SchoolClass,
)
from village.rostering.importer import run_import
from village.rostering.tests.builders import ROWS, csv_text, manifest, write_zip

pytestmark = pytest.mark.django_db(transaction=True)

CLASSES = 40
PER_STUDENT = 5


def district_bundle(path: Path, students: int) -> Path:
    """One school, ``students`` students in five classes each, a guardian per two students."""
    users = [f"t{n},,,true,s1,teacher,teacher{n},,Tess,Teacher{n},,,,,,,," for n in range(CLASSES)]
    enrollments = [f"te{n},,,k{n},s1,t{n},teacher,true,," for n in range(CLASSES)]
    classes = [f"k{n},,,Class {n},04,c1,K{n},scheduled,,s1,t1,,," for n in range(CLASSES)]
    for n in range(students):
        users.append(f"u{n},,,true,s1,student,student{n},,Sam,Student{n},,,,,,,04,")
        if n % 2 == 0:
            users.append(f"g{n},,,true,s1,parent,parent{n},,Pat,Parent{n},,,,,,u{n},,")
        for k in range(PER_STUDENT):
            enrollments.append(f"e{n}-{k},,,k{(n + k) % CLASSES},s1,u{n},student,false,,")
    rows = {
        **ROWS,
        "classes": classes,
        "users": users,
        "enrollments": enrollments,
    }
    files: dict[str, str | bytes] = {f"{kind}.csv": csv_text(kind, rows[kind]) for kind in rows}
    files["manifest.csv"] = manifest(dict.fromkeys(rows, "bulk"))
    return write_zip(path, files)


def empty_database() -> None:
    for model in (GuardianLink, Enrollment, OrgRole, User, SchoolClass, Course, AcademicSession):
        model._default_manager.all().delete()
    Organisation.objects.filter(kind=OrgKind.SCHOOL).delete()
    Organisation.objects.all().delete()


def queries_to_import(path: Path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        outcome = run_import(path=path)
    assert outcome.applied, outcome.report
    return [query["sql"].lstrip().split(" ", 1)[0].upper() for query in captured.captured_queries]


def test_query_count_does_not_grow_with_the_roster(tmp_path: Path) -> None:
    small = queries_to_import(district_bundle(tmp_path / "small.zip", 1000))
    assert Enrollment.objects.count() == CLASSES + 5000
    empty_database()

    large = queries_to_import(district_bundle(tmp_path / "large.zip", 2000))

    assert Enrollment.objects.count() == CLASSES + 10_000
    assert large.count("SELECT") == small.count("SELECT")
    assert large.count("UPDATE") == small.count("UPDATE")
    rows = 2000 + 1000 + CLASSES + 10_000 + 1000 + 3040  # users, links, enrolments, roles
    # Each INSERT carries many rows (SQLite caps a statement at 999 parameters).
    assert large.count("INSERT") < rows / 40
    if connection.vendor == "postgresql":
        assert len(large) - len(small) <= 5
