"""The fast paths of an import write exactly what the plain ones would.

A generated district (a few hundred students, exported as OneRoster) is imported, imported again
(no change), then changed by a delta (renamed people, a deleted student, ended and new
enrolments, a new student with a guardian). That is done three ways and the database must end
up holding the same rows each time:

- as a real import runs: on PostgreSQL every write is a COPY (``CopyWriter``);
- with Django's ``bulk_create``/``bulk_update`` (``DjangoWriter``), the path SQLite takes;
- with the delta's plan built from every row of the district instead of only the rows it names
  (and with only some of its filters, as when the delta is too large for them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models

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
from village.core.bulk import CopyWriter, DjangoWriter, Writer
from village.demo.community.synthetic import (
    DISTRICT_SOURCED_ID,
    district_generate,
    generated_district_delete,
)
from village.rostering import apply, importer, plan_people
from village.rostering.export import export_district
from village.rostering.importer import run_import
from village.rostering.tests.test_apply_speed import empty_database

pytestmark = pytest.mark.django_db

STAMP = "2025-02-01T08:00:00Z"
# Fields that differ from one import to the next whatever the path: keys and clocks.
UNSTABLE = frozenset({"id", "created_at", "updated_at", "password", "date_joined"})
SOURCED: tuple[type[models.Model], ...] = (Organisation, AcademicSession, Course, SchoolClass, User)


@pytest.fixture
def bundles(tmp_path: Path) -> tuple[Path, Path]:
    """A generated district as a bulk bundle, and a delta of it; the database left empty."""
    district_generate(students=240, seed=5)
    bulk = tmp_path / "bulk"
    export_district(district=Organisation.objects.get(sourced_id=DISTRICT_SOURCED_ID), out=bulk)
    generated_district_delete()
    delta = tmp_path / "delta"
    write_delta(bulk, delta)
    return bulk, delta


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def write_delta(bulk: Path, out: Path) -> None:
    """Rename every 25th user, delete a student, add one with a guardian; end every 40th
    enrolment and add three."""
    out.mkdir()
    header, users = read_csv(bulk / "users.csv")
    at = {name: position for position, name in enumerate(header)}
    students = [row for row in users if row[at["role"]] == "student"]
    guardians = [row for row in users if row[at["role"]] in ("parent", "guardian")]
    gone, stays = students[7], students[1]
    changed = [row for row in users[::25] if row is not gone]
    for row in changed:
        row[at["familyName"]] += "-Okafor"
    newcomer = list(students[0])
    newcomer[at["sourcedId"]] = "gen-user-newcomer"
    newcomer[at["username"]] = "newcomer.student"
    newcomer[at["email"]] = "newcomer@students.village.test"
    newcomer[at["agentSourcedIds"]] = guardians[3][at["sourcedId"]]
    deleted = [""] * len(header)
    deleted[at["sourcedId"]] = gone[at["sourcedId"]]
    for row in [*changed, newcomer]:
        row[at["status"]], row[at["dateLastModified"]] = "active", STAMP
    deleted[at["status"]], deleted[at["dateLastModified"]] = "tobedeleted", STAMP
    write_csv(out / "users.csv", header, [*changed, newcomer, deleted])
    student, school = stays[at["sourcedId"]], stays[at["orgSourcedIds"]]

    header, enrolments = read_csv(bulk / "enrollments.csv")
    at = {name: position for position, name in enumerate(header)}
    rows = []
    for row in enrolments[::40]:
        ended = [""] * len(header)
        ended[at["sourcedId"]] = row[at["sourcedId"]]
        ended[at["status"]], ended[at["dateLastModified"]] = "tobedeleted", STAMP
        rows.append(ended)
    taken = {row[at["classSourcedId"]] for row in enrolments if row[at["userSourcedId"]] == student}
    free = sorted(
        {row[at["classSourcedId"]] for row in enrolments if row[at["schoolSourcedId"]] == school}
        - taken
    )
    for number, (user, school_class) in enumerate(
        [(student, free[0]), (student, free[1]), ("gen-user-newcomer", free[2])]
    ):
        row = [""] * len(header)
        row[at["sourcedId"]] = f"gen-enrollment-new-{number}"
        row[at["status"]], row[at["dateLastModified"]] = "active", STAMP
        row[at["classSourcedId"]], row[at["schoolSourcedId"]] = school_class, school
        row[at["userSourcedId"]], row[at["role"]], row[at["primary"]] = user, "student", "false"
        rows.append(row)
    write_csv(out / "enrollments.csv", header, rows)
    (out / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.users,delta\nfile.enrollments,delta\n"
    )


def snapshot() -> dict[str, list[str]]:
    """Every row an import writes, with references as sourcedIds and no keys or clocks."""
    names: dict[Any, dict[int, str]] = {
        model: dict(model._default_manager.values_list("pk", "sourced_id")) for model in SOURCED
    }
    tables: dict[str, list[str]] = {}
    models_: list[type[models.Model]] = [
        *SOURCED, OrgRole, Enrollment, GuardianLink, SchoolClass.terms.through,
    ]  # fmt: skip
    for model in models_:
        rows = []
        for row in model._default_manager.values():
            rows.append(repr(sorted(_labelled(model, row, names).items())))
        tables[model.__name__] = sorted(rows)
    return tables


def _labelled(
    model: type[models.Model], row: dict[str, Any], names: dict[Any, dict[int, str]]
) -> dict[str, Any]:
    for field in model._meta.concrete_fields:
        if field.is_relation and row.get(field.attname) is not None:
            row[field.attname] = names[field.related_model][row[field.attname]]
    return {name: value for name, value in row.items() if name not in UNSTABLE}


def import_all(bulk: Path, delta: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Import, import again, apply the delta; the three plans and the rows at the end."""
    plans = []
    for path in (bulk, bulk, delta):
        outcome = run_import(path=path)
        assert outcome.applied, outcome.report
        plans.append(outcome.plan.as_dict())
    assert sum(counts["created"] for counts in plans[0].values()) > 3000
    nothing = {"created": 0, "updated": 0, "deactivated": 0}
    assert all(counts == nothing for counts in plans[1].values())
    return plans, snapshot()


def test_every_path_writes_the_same_rows(
    bundles: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk, delta = bundles
    monkeypatch.setattr(importer, "STATISTICS_AFTER", 100)  # PostgreSQL measures the tables
    used: list[type[Writer]] = []
    chosen = apply.writer_for_connection

    def noting() -> Writer:
        writer = chosen()
        used.append(type(writer))
        return writer

    monkeypatch.setattr(apply, "writer_for_connection", noting)
    plans, rows = import_all(bulk, delta)
    empty_database()

    monkeypatch.setattr(apply, "writer_for_connection", DjangoWriter)
    django_plans, django_rows = import_all(bulk, delta)
    empty_database()

    monkeypatch.setattr(plan_people.shared, "LIMIT", 2)  # most lists too long to filter by
    limited_plans, limited_rows = import_all(bulk, delta)
    empty_database()

    monkeypatch.setattr(plan_people.shared.Scope, "of", classmethod(lambda cls, ctx: cls()))
    unscoped_plans, unscoped_rows = import_all(bulk, delta)

    assert used[0] is (CopyWriter if connection.vendor == "postgresql" else DjangoWriter)
    assert django_plans == plans
    assert django_rows == rows
    assert (limited_plans, unscoped_plans) == (plans, plans)
    assert limited_rows == rows
    assert unscoped_rows == rows
    changes = plans[2]
    assert changes["users"]["updated"] >= 20
    assert (changes["users"]["created"], changes["users"]["deactivated"]) == (1, 1)
    assert changes["enrollments"]["created"] == 3
    assert changes["enrollments"]["deactivated"] >= 50
    assert changes["guardian_links"]["created"] == 1
    assert changes["guardian_links"]["deactivated"] >= 1
    assert not any(user.has_usable_password() for user in User.objects.all())
