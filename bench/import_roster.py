"""Time ``village roster import`` of a generated district on PostgreSQL.

    .venv/bin/python bench/import_roster.py --students 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/import_roster.py

In one run: generate a district and export it as a OneRoster bundle, as ``village generate
--students N --oneroster OUT`` does (in a child process, timed separately), empty Village's
tables, then time in this process

1. the full import into the empty database,
2. the same bundle again (it must change nothing),
3. a delta bundle changing 1% of the users (new family names) and of the enrolments (half
   ``tobedeleted``, half new),

and finally PostgreSQL's own floor for the same number of rows: COPY into bare temporary tables
without indexes or constraints. Figures are printed one per line; the ratios to the floor are
steadier than the seconds on a busy machine, and so are the CPU seconds of this process and of
the PostgreSQL process serving it. The database is created when missing and emptied first: it
must be one kept for benchmarks (``bench`` in its name).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/village_bench"
DELTA_SHARE = 0.01
STAMP = "2025-01-15T12:00:00Z"


def main() -> None:
    options = _arguments()
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
    _create_database(options.database_url, everything=options.empty_any_database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="village-bench-") as folder:
        bundle, delta = Path(folder) / "district", Path(folder) / "delta"
        call_command("flush", "--no-input", verbosity=0)
        started = time.perf_counter()
        _generate(options, bundle)
        generated = time.perf_counter() - started
        files = _row_counts(bundle)
        _line("bundle", f"{options.students} students, " + ", ".join(
            f"{kind} {count}" for kind, count in files.items()
        ))  # fmt: skip
        _line("generate + export", f"{generated:.1f} s (child process, not part of the import)")
        delta_counts = write_delta(bundle, delta, seed=options.seed)
        _line("delta bundle", ", ".join(f"{k} {v}" for k, v in delta_counts.items()))
        call_command("flush", "--no-input", verbosity=0)
        _measure(bundle, delta)


def _measure(bundle: Path, delta: Path) -> None:
    from django.db import connection

    _line("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
    rows_before = _database_rows()
    full = _timed(bundle)
    rows = _database_rows() - rows_before
    _line("full import", f"{full.seconds:.1f} s")
    _line("  rows written", f"{rows}")
    _line("  rows/s", f"{rows / full.seconds:,.0f}")
    _line("  changes", f"{full.outcome.plan.total_changes}")
    _line("  peak RSS", f"{_peak_mib():.0f} MiB")
    _stages(full)
    again = _timed(bundle)
    _line("second import", f"{again.seconds:.1f} s")
    _line("  changes", f"{again.outcome.plan.total_changes} (must be 0)")
    _line("  peak RSS", f"{_peak_mib():.0f} MiB")
    _stages(again)
    changed = _timed(delta)
    _line("delta import", f"{changed.seconds:.1f} s")
    _line("  changes", f"{changed.outcome.plan.total_changes}")
    _line("  peak RSS", f"{_peak_mib():.0f} MiB")
    _stages(changed)
    for name, result in (("full", full), ("second", again), ("delta", changed)):
        if not result.outcome.applied:
            print(result.outcome.report)
            raise SystemExit(f"the {name} import was not applied")
    floor = copy_floor(_counts_by_kind())
    _line("COPY floor", f"{floor:.1f} s ({rows} rows into bare temporary tables)")
    _line("  full import / COPY floor", f"{full.seconds / floor:.1f}x")
    _line("  second import / COPY floor", f"{again.seconds / floor:.1f}x")
    _line("  delta import / COPY floor", f"{changed.seconds / floor:.2f}x")
    if again.outcome.plan.total_changes:
        raise SystemExit("the second import of the same bundle changed something")


class _Timed:
    def __init__(self, outcome: Any, seconds: float, stages: dict[str, float]) -> None:
        self.outcome = outcome
        self.seconds = seconds
        self.stages = stages
        self.cpu = 0.0  # seconds of CPU this process used
        self.database_cpu = 0.0  # and the database server process serving it


def _timed(path: Path) -> _Timed:
    """Import ``path``, noting the seconds between the stages its progress reports."""
    from village.rostering.importer import run_import

    stages: dict[str, float] = {}
    current: list[Any] = ["", 0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != current[0]:
            if current[0]:
                stages[current[0]] = stages.get(current[0], 0.0) + now - current[1]
            current[0], current[1] = stage, now

    database_cpu, cpu = _backend_cpu(), time.process_time()
    started = time.perf_counter()
    outcome = run_import(path=path, progress=progress)
    progress("", 0, 0)
    timed = _Timed(outcome, time.perf_counter() - started, stages)
    timed.cpu = time.process_time() - cpu
    timed.database_cpu = _backend_cpu() - database_cpu
    return timed


def _backend_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL process serving this connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return float("nan")
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def _stages(result: _Timed) -> None:
    shown = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.stages.items())
    _line("  seconds by stage", shown)
    _line("  CPU seconds", f"{result.cpu:.1f} Village, {result.database_cpu:.1f} PostgreSQL")


def _line(label: str, value: str) -> None:
    print(f"{label:<30}{value}", flush=True)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- the database ---------------------------------------------------------------------------


def _create_database(url: str, *, everything: bool) -> None:
    """Create the benchmark database when it is missing (connecting to ``postgres``)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"DATABASE_URL must point to PostgreSQL, not {parts.scheme}")
    name = parts.path.lstrip("/")
    if "bench" not in name and not everything:
        raise SystemExit(
            f'The benchmark empties database "{name}": name one for benchmarks (with "bench" '
            "in its name), or add --empty-any-database."
        )
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _database_rows() -> int:
    from village.community.models import SchoolClass
    from village.rostering.apply import MODELS

    models = [*MODELS.values(), SchoolClass.terms.through]
    return sum(model._default_manager.count() for model in models)


def _counts_by_kind() -> dict[str, int]:
    from village.accounts.models import User
    from village.community.models import Enrollment, GuardianLink, OrgRole

    return {
        "users": User.objects.count(),
        "roles": OrgRole.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "guardian_links": GuardianLink.objects.count(),
    }


def copy_floor(counts: dict[str, int]) -> float:
    """Seconds PostgreSQL takes to COPY rows shaped like Village's into bare temporary tables."""
    from django.db import connection, transaction

    shapes = {
        "users": "sourced_id text, username text, first_name text, last_name text, "
        "middle_name text, email text, phone text, grade text, status text, is_active boolean, "
        "preferred_name text, pronouns text, password text, is_staff boolean, "
        "is_superuser boolean, date_joined timestamptz, preferred_language text, timezone text, "
        "created_at timestamptz, updated_at timestamptz",
        "roles": "sourced_id text, user_id bigint, organisation_id bigint, role text, "
        "is_primary boolean, begin_date date, end_date date, status text, "
        "created_at timestamptz, updated_at timestamptz",
        "enrollments": "sourced_id text, user_id bigint, school_class_id bigint, role text, "
        "is_primary boolean, begin_date date, end_date date, status text, "
        "created_at timestamptz, updated_at timestamptz",
        "guardian_links": "guardian_id bigint, student_id bigint, relationship text, "
        "status text, source text, lives_with boolean, emergency_contact boolean, "
        "receives_communications boolean, no_access boolean, access_note text, "
        "scope_classwork boolean, scope_grades boolean, scope_goals boolean, "
        "scope_support_plan boolean, scope_messages boolean, "
        "created_at timestamptz, updated_at timestamptz",
    }
    rows = {kind: list(_floor_rows(kind, count)) for kind, count in counts.items()}
    seconds = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, shape in shapes.items():
            table = f"floor_{kind}"
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({shape})")
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows[kind]:
                    copy.write_row(row)
            seconds += time.perf_counter() - started
            cursor.execute(f"DROP TABLE {table}")
    return seconds


def _floor_rows(kind: str, count: int) -> Iterator[tuple[Any, ...]]:
    now = dt.datetime.now(dt.UTC)
    for n in range(count):
        if kind == "users":
            name = f"given{n % 997}.family{n}"
            yield (f"gen-user-{n:08d}", name, f"Given{n % 997}", f"Family{n}", "",
                   f"{name}@families.village.test", "", "05", "active", True, "", "",
                   "!unusable", False, False, now, "en", "America/New_York", now, now)  # fmt: skip
        elif kind == "guardian_links":
            yield (n, n + 1, "mother", "active", "roster", True, False, True, False, "", True,
                   True, True, True, True, now, now)  # fmt: skip
        else:
            yield (f"gen-{kind}-{n:08d}", n, n % 10007, "student", False, None, None, "active",
                   now, now)  # fmt: skip


# -- the bundles ----------------------------------------------------------------------------


# The district and its export, as ``village generate --students N --oneroster OUT`` makes them
# (without the classwork that command may add: an import does not read it).
GENERATE = """
import sys
import django
django.setup()
from pathlib import Path
from village.community.models import Organisation
from village.demo.community.synthetic import DISTRICT_SOURCED_ID, district_generate
from village.rostering.export import export_district
district_generate(students=int(sys.argv[1]), seed=int(sys.argv[2]))
district = Organisation.objects.get(sourced_id=DISTRICT_SOURCED_ID)
export_district(district=district, out=Path(sys.argv[3]))
"""


def _generate(options: argparse.Namespace, out: Path) -> None:
    """Generate and export in a child process, so that its memory is not this process's."""
    command = [sys.executable, "-c", GENERATE, str(options.students), str(options.seed), str(out)]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def _row_counts(bundle: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments"):
        with (bundle / f"{name}.csv").open("rb") as stream:
            counts[name] = sum(1 for _line in stream) - 1
    return counts


def write_delta(bundle: Path, out: Path, *, seed: int = 1) -> dict[str, int]:
    """A delta bundle of ``bundle``: 1% of the users renamed, 1% of the enrolments changed.

    Half of the changed enrolments are ``tobedeleted``; the other half are new enrolments of
    students in classes of their school they were not in.
    """
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    users_header, renamed, students = _renamed_users(bundle, rng)
    enrol_header, enrolments = _changed_enrolments(bundle, rng, students)
    _write_csv(out / "users.csv", users_header, renamed)
    _write_csv(out / "enrollments.csv", enrol_header, enrolments)
    (out / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.users,delta\nfile.enrollments,delta\n"
    )
    return {"users": len(renamed), "enrollments": len(enrolments)}


def _renamed_users(
    bundle: Path, rng: random.Random
) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """Every hundredth user, with a new family name; and their students' schools."""
    with (bundle / "users.csv").open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        at = {name: position for position, name in enumerate(header)}
        renamed: list[list[str]] = []
        students: dict[str, str] = {}
        for row in reader:
            if row[at["role"]] == "student" and rng.random() < DELTA_SHARE:
                students[row[at["sourcedId"]]] = row[at["orgSourcedIds"]].split(",")[0]
            if rng.random() < DELTA_SHARE:
                row[at["familyName"]] += "-Rivera"
                row[at["status"]], row[at["dateLastModified"]] = "active", STAMP
                renamed.append(row)
    return header, renamed, students


def _changed_enrolments(
    bundle: Path, rng: random.Random, students: dict[str, str]
) -> tuple[list[str], list[list[str]]]:
    with (bundle / "enrollments.csv").open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        at = {name: position for position, name in enumerate(header)}
        width = len(header)
        deleted: list[list[str]] = []
        classes: dict[str, set[str]] = {}  # school -> its classes
        taken: set[tuple[str, str]] = set()  # (student, class) of the chosen students
        for row in reader:
            school, school_class = row[at["schoolSourcedId"]], row[at["classSourcedId"]]
            classes.setdefault(school, set()).add(school_class)
            if row[at["userSourcedId"]] in students:
                taken.add((row[at["userSourcedId"]], school_class))
            if rng.random() < DELTA_SHARE / 2:
                gone = [""] * width
                gone[at["sourcedId"]] = row[at["sourcedId"]]
                gone[at["status"]], gone[at["dateLastModified"]] = "tobedeleted", STAMP
                deleted.append(gone)
    added: list[list[str]] = []
    for student, school in students.items():
        for school_class in _some(rng, classes.get(school, set()), 4):
            if (student, school_class) in taken or len(added) >= len(deleted):
                continue
            row = [""] * width
            row[at["sourcedId"]] = f"bench-enrollment-{len(added) + 1:08d}"
            row[at["status"]], row[at["dateLastModified"]] = "active", STAMP
            row[at["classSourcedId"]], row[at["schoolSourcedId"]] = school_class, school
            row[at["userSourcedId"]], row[at["role"]] = student, "student"
            row[at["primary"]] = "false"
            added.append(row)
    return header, deleted + added


def _some(rng: random.Random, items: set[str], count: int) -> list[str]:
    return rng.sample(sorted(items), min(count, len(items)))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL), metavar="URL"
    )
    parser.add_argument(
        "--empty-any-database",
        action="store_true",
        help='Run even on a database without "bench" in its name (it is emptied).',
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
