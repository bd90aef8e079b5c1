"""Time the gradebook: one class of 35 students and 40 assignments, rendered as its teacher.

    .venv/bin/python bench/gradebook.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/village_bench \
        .venv/bin/python bench/gradebook.py

Writes into the database that ``DATABASE_URL`` names (a throwaway one: it migrates it and adds a
school; without ``DATABASE_URL`` a temporary SQLite file is used and removed), then requests the
gradebook ``--runs`` times with Django's test client signed in as the teacher (after a few warm-up
requests) and prints mean, p50 and p95 milliseconds of server time, the CPU time this process
spent per request (steadier than wall time on a shared machine) and the queries per request.
The target is a p95 of 60 ms or less.

On PostgreSQL the tables are analysed after the rows are added, as autovacuum would do soon
after: without statistics the planner reads whole tables where it would use an index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
os.environ.setdefault("VILLAGE_DEBUG", "false")

TARGET_P95_MS = 60.0

if TYPE_CHECKING:
    from village.accounts.models import User
    from village.community.models import SchoolClass


def main() -> None:
    options = _arguments()
    temporary = None
    if "DATABASE_URL" not in os.environ:
        temporary = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary.name}"
    try:
        _run(options)
    finally:
        if temporary is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(temporary.name + suffix).unlink(missing_ok=True)


def _run(options: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    teacher, class_id = build_class(options.students, options.assignments)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(teacher)
    path = f"/work/classes/{class_id}/gradebook/"
    for _ in range(options.warmup):
        _get(client, path)
    timings = []
    cpu = []
    queries = 0
    for _ in range(options.runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            _get(client, path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"database      {connection.vendor}")
    print(f"class         {options.students} students x {options.assignments} assignments")
    print(f"requests      {options.runs} (after {options.warmup} warm-up)")
    print(f"mean          {statistics.fmean(timings):.1f} ms")
    print(f"p50           {statistics.median(timings):.1f} ms")
    print(f"p95           {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms)")
    print(
        f"cpu           {statistics.fmean(cpu):.1f} ms mean, {statistics.median(cpu):.1f} ms p50"
        " (this process only: on a busy"
    )
    print("              machine, closer to what an idle one would take than wall time)")
    print(f"queries       {queries} per request")


def _get(client: object, path: str) -> None:
    response = client.get(path)  # type: ignore[attr-defined]
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")


def one_class(students: int, title: str) -> tuple[SchoolClass, User, list[User]]:
    """A new district and school with one class called ``title`` for this year: its teacher
    and ``students`` students, through the community services."""
    from django.utils import timezone

    from village.community import services as community
    from village.community.models import EnrollmentRole, Role, SessionKind

    tag = uuid.uuid4().hex[:8]
    today = timezone.localdate()
    district = community.district_create(name=f"Bench district {tag}")
    school = community.school_create(district=district, name=f"Bench school {tag}")
    term = community.session_create(
        organisation=district,
        title="Bench year",
        kind=SessionKind.SCHOOL_YEAR,
        start_date=today - dt.timedelta(days=120),
        end_date=today + dt.timedelta(days=120),
    )
    course = community.course_create(organisation=school, title="Science")
    school_class = community.class_create(course=course, school=school, title=title, terms=[term])
    teacher = community.person_create(
        username=f"bench-teacher-{tag}",
        first_name="Bench",
        last_name="Teacher",
        role=Role.TEACHER,
        organisation=school,
    )
    community.enrollment_add(user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER)
    pupils = []
    for n in range(students):
        pupil = community.person_create(
            username=f"bench-{tag}-{n}",
            first_name=f"Student{n}",
            last_name=f"Bench{n:02d}",
            role=Role.STUDENT,
            organisation=school,
        )
        community.enrollment_add(user=pupil, school_class=school_class, role=EnrollmentRole.STUDENT)
        pupils.append(pupil)
    return school_class, teacher, pupils


def build_class(students: int, assignments: int) -> tuple[User, int]:
    """A school with one teacher and one class: ``students`` students, ``assignments`` pieces of
    work in two weighted categories, most of it handed in (some twice, some late) and graded."""
    from django.utils import timezone

    from village.classwork.models import Assignment, Feedback, Submission
    from village.classwork.services.categories import category_create

    school_class, teacher, pupils = one_class(students, "Grade 8 Science")
    categories = [
        category_create(school_class=school_class, name="Homework", weight=Decimal(30)),
        category_create(school_class=school_class, name="Labs", weight=Decimal(70)),
    ]
    now = timezone.now()
    works = Assignment.objects.bulk_create(
        Assignment(
            school_class=school_class,
            title=f"Assignment {i + 1}",
            category=categories[i % 2],
            assign_at=now - dt.timedelta(days=assignments * 2 + 5),
            due_at=now - dt.timedelta(days=(assignments - i) * 2) + dt.timedelta(days=6),
            points=Decimal(10 + 10 * (i % 2)),
            created_by=teacher,
        )
        for i in range(assignments)
    )
    submissions = []
    feedback = []
    for i, work in enumerate(works):
        assert work.due_at is not None
        assert work.points is not None
        for j, pupil in enumerate(pupils):
            if (i * 7 + j) % 9 == 0:
                continue
            late = (i + j) % 11 == 0
            at = work.due_at + dt.timedelta(hours=3 if late else -20)
            if at > now:
                continue
            submissions.append(Submission(assignment=work, student=pupil, submitted_at=at))
            if (i + j) % 13 == 0:
                submissions.append(
                    Submission(
                        assignment=work,
                        student=pupil,
                        attempt=2,
                        submitted_at=at + dt.timedelta(hours=1),
                    )
                )
            if work.due_at < now - dt.timedelta(days=3):
                feedback.append(
                    Feedback(
                        assignment=work,
                        student=pupil,
                        score=work.points * Decimal(50 + (i * 13 + j * 7) % 51) / 100,
                        comment="Careful work; check your units.",
                        returned_at=at + dt.timedelta(days=2),
                        graded_by=teacher,
                    )
                )
    Submission.objects.bulk_create(submissions, batch_size=500)
    Feedback.objects.bulk_create(feedback, batch_size=500)
    return teacher, school_class.pk


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=35)
    parser.add_argument("--assignments", type=int, default=40)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    return parser.parse_args()


if __name__ == "__main__":
    main()
