"""Time the class overview of learning goals: 35 students x 30 goals with 20 efforts each,
rendered as the class's teacher sees it (the picture, then the table).

    .venv/bin/python bench/goals.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/village_bench_goals \
        .venv/bin/python bench/goals.py --runs 100

PostgreSQL only: writes into the database that ``DATABASE_URL`` names (default
``.../village_bench_goals``, created when missing and migrated). The first run adds a school
with the class; later runs of the same size reuse it (``--fresh`` adds another). The class's
set has five groups of six goals; every student chose all 30 and reported 20 efforts on each
(21,000 efforts, each with a self-assessment on the set's rubric), written in bulk, with dates
spread so that some goals are stalled, some wait for feedback and some are met. The tables are
then analysed, as autovacuum would do soon after.

Each view is requested ``--runs`` times with Django's test client signed in as the teacher
(after a few warm-up requests); prints mean, p50 and p95 milliseconds of server time, the CPU
time this process spent per request (steadier than wall time on a shared machine) and the
queries per request. The target is a p95 of 60 ms or less for the picture.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
os.environ.setdefault("VILLAGE_DEBUG", "false")

from bench.gradebook import one_class
from bench.outbox import _create_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/village_bench_goals"
TARGET_P95_MS = 60.0
GROUPS = 5

if TYPE_CHECKING:
    from village.accounts.models import User
    from village.goals.models import GoalSet


def main() -> None:
    options = _arguments()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    title = f"Bench unit {options.students}x{options.goals}x{options.efforts}"
    found = _existing(title)
    if found is None or options.fresh:
        found = build_class(options.students, options.goals, options.efforts, title=title)
        built = f"built in {time.perf_counter() - started:.0f} s"
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        built = "built on an earlier run"
    teacher, goal_set = found
    print(f"database      {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"class         {options.students} students x {options.goals} goals x "
        f"{options.efforts} efforts ({built})"
    )
    print(f"requests      {options.runs} per view (after {options.warmup} warm-up)")
    path = f"/goals/staff/sets/{goal_set.pk}/overview/"
    for label, view in [("picture", path), ("table", f"{path}?view=table")]:
        _time(label, view, teacher, options)


def _time(label: str, path: str, teacher: User, options: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(teacher)
    for _ in range(options.warmup):
        _get(client, path)
    timings, cpu, queries = [], [], 0
    for _ in range(options.runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            size = _get(client, path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    target = f" (target {TARGET_P95_MS:.0f} ms)" if label == "picture" else ""
    print(f"-- {label}: {path} ({size / 1024:.0f} KiB)")
    print(f"mean          {statistics.fmean(timings):.1f} ms")
    print(f"p50           {statistics.median(timings):.1f} ms")
    print(f"p95           {p95:.1f} ms{target}")
    print(
        f"cpu           {statistics.fmean(cpu):.1f} ms mean, {statistics.median(cpu):.1f} ms p50"
        " (this process only)"
    )
    print(f"queries       {queries} per request")


def _get(client: Any, path: str) -> int:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return len(response.content)


def _existing(title: str) -> tuple[User, GoalSet] | None:
    """The class an earlier run built with these sizes, and its teacher (``None``: none)."""
    from village.community.models import Enrollment, EnrollmentRole
    from village.goals.models import GoalSet

    goal_set = GoalSet.objects.filter(title=title).select_related("school_class").last()
    if goal_set is None:
        return None
    teaching = Enrollment.objects.filter(
        school_class=goal_set.school_class, role=EnrollmentRole.TEACHER
    ).select_related("user")
    enrolment = teaching.first()
    return None if enrolment is None else (enrolment.user, goal_set)


def build_class(students: int, goals: int, efforts: int, *, title: str) -> tuple[User, GoalSet]:
    """A school with one teacher and one class of ``students``, a published set of ``goals``
    goals in five groups, and every student's approved plan with all of them and ``efforts``
    efforts on each."""
    from django.utils import timezone

    today = timezone.localdate()
    school_class, teacher, pupils = one_class(students, "Grade 5 Science")
    goal_set = _goal_set(school_class, teacher, goals, today, title)
    _plans(goal_set, pupils, teacher, efforts)
    return teacher, goal_set


def _goal_set(school_class: Any, teacher: User, goals: int, today: dt.date, title: str) -> GoalSet:
    """Five groups; in each, two of every three goals core, the rest optional."""
    from village.goals.models import GoalKind
    from village.goals.services import sets
    from village.goals.services.sets import GoalFields, SetFields

    goal_set = sets.goal_set_create(
        school_class=school_class,
        author=teacher,
        fields=SetFields(
            title=title,
            opens_on=today - dt.timedelta(days=60),
            closes_on=today + dt.timedelta(days=30),
        ),
    )
    groups = [sets.group_add(goal_set=goal_set, title=f"Group {g + 1}") for g in range(GROUPS)]
    for n in range(goals):
        kind = GoalKind.OPTIONAL if n % 3 == 2 else GoalKind.CORE
        sets.goal_add(
            group=groups[n % GROUPS], fields=GoalFields(title=f"Bench goal {n + 1}", kind=kind)
        )
    sets.goal_set_publish(goal_set=goal_set, published=True)
    return goal_set


def _plans(goal_set: GoalSet, pupils: list[User], teacher: User, efforts: int) -> None:
    """Every pupil's plan with every goal, and ``efforts`` efforts on each goal, in bulk."""
    from django.utils import timezone

    from village.classwork.models import AssessmentKind, RubricAssessment, RubricScore
    from village.goals.models import Effort, Plan, PlanGoal, PlanState

    now = timezone.now()
    criterion = goal_set.rubric.criteria.get()
    levels = list(criterion.levels.order_by("points"))
    plans = Plan.objects.bulk_create(
        Plan(
            goal_set=goal_set,
            student=pupil,
            state=PlanState.APPROVED,
            submitted_at=now - dt.timedelta(days=50),
            decided_at=now - dt.timedelta(days=49),
            decided_by=teacher,
        )
        for pupil in pupils
    )
    goal_ids = list(
        goal_set.goals.order_by("group__position", "position").values_list("pk", flat=True)
    )
    chosen = PlanGoal.objects.bulk_create(
        PlanGoal(
            plan=plan,
            goal_id=goal_id,
            position=i,
            met_at=now - dt.timedelta(days=2) if (p + i) % 7 == 0 else None,
            met_by=teacher if (p + i) % 7 == 0 else None,
        )
        for p, plan in enumerate(plans)
        for i, goal_id in enumerate(goal_ids)
    )
    students = {plan.pk: plan.student_id for plan in plans}
    assessments = RubricAssessment.objects.bulk_create(
        (
            RubricAssessment(
                rubric=goal_set.rubric,
                student_id=students[plan_goal.plan_id],
                assessor_id=students[plan_goal.plan_id],
                kind=AssessmentKind.SELF,
            )
            for plan_goal in chosen
            for _ in range(efforts)
        ),
        batch_size=2000,
    )
    RubricScore.objects.bulk_create(
        (
            RubricScore(
                assessment=assessment,
                criterion=criterion,
                level=levels[n % len(levels)],
                points=levels[n % len(levels)].points,
            )
            for n, assessment in enumerate(assessments)
        ),
        batch_size=2000,
    )
    rows, dates = [], []
    for n, plan_goal in enumerate(chosen):
        # Some goals went quiet weeks ago (stalled); the last effort of some waits for feedback.
        quiet = 20 if n % 5 == 0 else 0
        for k in range(efforts):
            at = now - dt.timedelta(days=quiet + (efforts - k) * 2, hours=n % 24)
            waiting = k == efforts - 1 and n % 4 == 1
            rows.append(
                Effort(
                    plan_goal=plan_goal,
                    done=f"Effort {k + 1}",
                    self_assessment=assessments[n * efforts + k],
                    feedback_asked_at=at if waiting else None,
                    answered_at=None if waiting or k == efforts - 1 else at,
                )
            )
            dates.append(at)
    made = Effort.objects.bulk_create(rows, batch_size=2000)
    for effort, at in zip(made, dates, strict=True):
        effort.created_at = at  # auto_now_add wrote the time of the insert
    Effort.objects.bulk_update(made, ["created_at"], batch_size=2000)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=35)
    parser.add_argument("--goals", type=int, default=30)
    parser.add_argument("--efforts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--fresh", action="store_true", help="build a new class even if one of this size exists"
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
