"""Load guardians' child pages, with the child's learning goals, and compare with a trivial view.

    .venv/bin/python bench/family_child.py                  # 50,000 students
    .venv/bin/python bench/family_child.py --students 5000  # a quicker run

PostgreSQL only, in the family benchmark's database and district (``bench/family_home.py``:
``DATABASE_URL``, default ``.../village_bench_family``; generated on the first run). Then:

1. sessions for ``--guardians`` guardians with two or three children (as the family bench);
2. each of those guardians' first child gets learning goals: their first class a published
   goal set of ``--goals`` goals in three groups (two optional goals to choose in each), the child
   an approved plan with every core goal and two optional ones per group, and ``--efforts``
   efforts spread over the plan, each with a self-assessment, half of them answered by the
   teacher with their own level, one goal met, one encouragement and one open request for help
   (written in bulk; the sets are replaced on every run);
3. gunicorn serves Village (``bench.settings``, DEBUG off); each guardian's child page is
   fetched once and checked (200, the child's name, the goal set's title);
4. wrk loads the child pages (``bench/family_home.lua``, each request the next guardian's page
   with their cookie), then the trivial view, with the family bench's load.

Prints requests per second and latency of both, the child page's share of the trivial view's
throughput (target: at least 20 %), and the SQL queries one child page runs with its sections
built and with them kept (``village.families.sections``: each gunicorn worker keeps its own
in memory unless ``VILLAGE_CACHE_URL`` points at Redis).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import family_home  # noqa: E402 - after the path is set

TARGET_SHARE = 20.0
SET_TITLE = "Bench unit: weather and water"


def main() -> int:
    options = _arguments()
    database = os.environ.get("DATABASE_URL", family_home.DEFAULT_DATABASE)
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/family_child.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
    if not family_home._which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    family_home._create_database(database)
    env = family_home._environment(database)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    district = family_home._district(options)
    guardians = family_home._sessions(options.guardians)
    targets = _goals(guardians, options)
    with tempfile.TemporaryDirectory(prefix="village-bench-") as tmp:
        pages = Path(tmp) / "pages.txt"
        pages.write_text("".join(f"{t.session} {t.path}\n" for t in targets))
        plain_pages = Path(tmp) / "plain.txt"
        plain_pages.write_text("".join(f"{t.session} {t.plain}\n" for t in targets))
        cookies = Path(tmp) / "sessions.txt"
        cookies.write_text("".join(f"{g.session}\n" for g in guardians))
        with family_home._server(options, env, Path(tmp)) as base:
            checked = _check_pages(base, targets)
            child = family_home._load("child page with goals", base, pages, options)
            plain = family_home._load("child page, no goal set", base, plain_pages, options)
            trivial_path = f"/bench/trivial/{guardians[0].pk}/"
            trivial = family_home._load(
                f"trivial view '{trivial_path}'", base + trivial_path, cookies, options
            )
    queries = _queries(targets[0])
    _report(options, database, district, checked, queries, child, plain, trivial)
    failed = child["not_200"] + trivial["not_200"] + child["socket_errors"]
    return 1 if failed or trivial["socket_errors"] else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--classwork-classes", type=int, default=0)
    parser.add_argument("--guardians", type=int, default=200)
    parser.add_argument("--goals", type=int, default=30, help="Goals in each set.")
    parser.add_argument("--efforts", type=int, default=20, help="Efforts in each child's plan.")
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load per page.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


@dataclass(frozen=True)
class Target:
    session: str
    path: str
    child: str
    guardian: int
    #: The page of the guardian's other child, whose classes have no goal set: the same page
    #: without the goals section, for comparison.
    plain: str


def _goals(guardians: list[family_home.Guardian], options: argparse.Namespace) -> list[Target]:
    """Give each guardian's first child a plan in a goal set of their first class (bulk)."""
    from django.db import transaction
    from django.urls import reverse

    from village.accounts.models import User
    from village.community.models import Enrollment, EnrollmentRole, GuardianLink
    from village.goals.models import GoalSet

    first: dict[int, int] = {}
    second: dict[int, int] = {}
    for guardian, student in (
        GuardianLink.objects.filter(guardian_id__in=[g.pk for g in guardians])
        .order_by("guardian_id", "student_id")
        .values_list("guardian_id", "student_id")
    ):
        if first.setdefault(guardian, student) != student:
            second.setdefault(guardian, student)
    classes: dict[int, int] = {}
    for student, school_class in (
        Enrollment.objects.filter(user_id__in=first.values(), role=EnrollmentRole.STUDENT)
        .order_by("user_id", "school_class_id")
        .values_list("user_id", "school_class_id")
    ):
        classes.setdefault(student, school_class)
    with transaction.atomic():
        GoalSet.objects.filter(title=SET_TITLE).delete()
        by_class: dict[int, list[int]] = {}
        for student, school_class in classes.items():
            by_class.setdefault(school_class, []).append(student)
        for school_class, students in by_class.items():
            _class_goals(school_class, students, options)
    names = dict(User.objects.filter(pk__in=first.values()).values_list("pk", "first_name"))
    with_sets = set(
        Enrollment.objects.filter(
            role=EnrollmentRole.STUDENT,
            school_class__goal_sets__title=SET_TITLE,
            user_id__in=second.values(),
        ).values_list("user_id", flat=True)
    )
    return [
        Target(
            g.session,
            reverse("families:child", args=[first[g.pk]]),
            names[first[g.pk]],
            g.pk,
            reverse("families:child", args=[second[g.pk]]),
        )
        for g in guardians
        if first.get(g.pk) in classes and g.pk in second and second[g.pk] not in with_sets
    ]


def _class_goals(class_id: int, students: list[int], options: argparse.Namespace) -> None:
    from django.utils import timezone

    from village.classwork.models import (
        AssessmentKind,
        RubricAssessment,
        RubricCriterion,
        RubricLevel,
        RubricScore,
    )
    from village.classwork.services.rubrics import CriterionSpec, rubric_create
    from village.community.models import Enrollment, EnrollmentRole, GuardianLink, SchoolClass
    from village.goals.models import (
        Effort,
        EffortFeedback,
        Encouragement,
        Goal,
        GoalGroup,
        GoalKind,
        GoalSet,
        HelpRequest,
        Plan,
        PlanGoal,
        PlanState,
    )
    from village.goals.services.sets import default_levels

    now = timezone.now()
    today = timezone.localdate(now)
    school_class = SchoolClass.objects.get(pk=class_id)
    teacher = (
        Enrollment.objects.filter(school_class=school_class, role=EnrollmentRole.TEACHER)
        .values_list("user_id", flat=True)
        .first()
    )
    rubric = rubric_create(
        title="Progress",
        criteria=[CriterionSpec(title="Progress", levels=default_levels())],
        school_class=school_class,
    )
    criterion = RubricCriterion.objects.get(rubric=rubric)
    levels = list(RubricLevel.objects.filter(criterion=criterion).order_by("points"))
    goal_set = GoalSet.objects.create(
        school_class=school_class,
        title=SET_TITLE,
        rubric=rubric,
        opens_on=today - dt.timedelta(days=14),
        closes_on=today + dt.timedelta(days=28),
        published=True,
        created_by_id=teacher,
    )
    groups = GoalGroup.objects.bulk_create(
        GoalGroup(goal_set=goal_set, title=f"Group {n + 1}", min_optional=2, position=n)
        for n in range(3)
    )
    goals = Goal.objects.bulk_create(
        Goal(
            goal_set=goal_set,
            group=groups[n % 3],
            title=f"Goal {n + 1}: an aim students work towards over the unit",
            kind=GoalKind.OPTIONAL if (n // 3) % 5 >= 3 else GoalKind.CORE,
            success_criteria="I can show it and explain it.",
            position=n,
        )
        for n in range(options.goals)
    )
    chosen = [g for g in goals if g.kind == GoalKind.CORE]
    for group in groups:
        chosen += [g for g in goals if g.group_id == group.pk and g.kind != GoalKind.CORE][:2]
    plans = Plan.objects.bulk_create(
        Plan(
            goal_set=goal_set,
            student_id=student,
            state=PlanState.APPROVED,
            submitted_at=now - dt.timedelta(days=10),
            decided_at=now - dt.timedelta(days=9),
            decided_by_id=teacher,
        )
        for student in students
    )
    plan_goals = PlanGoal.objects.bulk_create(
        PlanGoal(plan=plan, goal=goal, position=index, met_at=now if index == 0 else None)
        for plan in plans
        for index, goal in enumerate(chosen)
    )
    by_plan: dict[int, list[PlanGoal]] = {}
    for pg in plan_goals:
        by_plan.setdefault(pg.plan_id, []).append(pg)
    selves = RubricAssessment.objects.bulk_create(
        RubricAssessment(
            rubric=rubric,
            student_id=plan.student_id,
            assessor_id=plan.student_id,
            kind=AssessmentKind.SELF,
        )
        for plan in plans
        for _n in range(options.efforts)
    )
    RubricScore.objects.bulk_create(
        RubricScore(
            assessment=a, criterion=criterion, level=levels[n % 4], points=levels[n % 4].points
        )
        for n, a in enumerate(selves)
    )
    efforts = []
    for index, plan in enumerate(plans):
        mine = by_plan[plan.pk]
        for n in range(options.efforts):
            efforts.append(
                Effort(
                    plan_goal=mine[n % len(mine)],
                    done="Worked on it in class and at home, and wrote down what I found.",
                    went_well="The first part.",
                    next_step="Ask about the second part.",
                    self_assessment=selves[index * options.efforts + n],
                    feedback_asked_at=now - dt.timedelta(days=n % 9),
                )
            )
    efforts = Effort.objects.bulk_create(efforts)
    answered = efforts[::2]
    teachers = RubricAssessment.objects.bulk_create(
        RubricAssessment(
            rubric=rubric,
            student_id=e.plan_goal.plan.student_id,
            assessor_id=teacher,
            kind=AssessmentKind.TEACHER,
        )
        for e in answered
    )
    RubricScore.objects.bulk_create(
        RubricScore(assessment=a, criterion=criterion, level=levels[2], points=levels[2].points)
        for a in teachers
    )
    EffortFeedback.objects.bulk_create(
        EffortFeedback(
            effort=e, author_id=teacher, comment="Good progress: keep going.", assessment=a
        )
        for e, a in zip(answered, teachers, strict=True)
    )
    Effort.objects.filter(pk__in=[e.pk for e in answered]).update(answered_at=now)
    first_guardian = dict(
        GuardianLink.objects.filter(student_id__in=students)
        .order_by("student_id", "guardian_id")
        .values_list("student_id", "guardian_id")
    )
    Encouragement.objects.bulk_create(
        Encouragement(
            plan_goal=by_plan[plan.pk][0],
            author_id=first_guardian[plan.student_id],
            text="¡Muy bien! Estamos orgullosos de ti.",
            language="es",
        )
        for plan in plans
        if plan.student_id in first_guardian
    )
    HelpRequest.objects.bulk_create(
        HelpRequest(plan_goal=by_plan[plan.pk][1], text="I need help at home with the model.")
        for plan in plans
    )


def _check_pages(base: str, targets: list[Target]) -> str:
    for target in targets:
        status, _url, body = family_home._get(base + target.path, target.session)
        problems = []
        if status != 200:
            problems.append(f"answered {status}")
        if target.child not in body:
            problems.append(f"no {target.child!r}")
        if SET_TITLE not in body:
            problems.append("no goal set")
        if problems:
            sys.exit(
                f"child page {target.path} of guardian {target.guardian}: " + ", ".join(problems)
            )
    return f"{len(targets)} child pages: 200, the child's name and the goal set"


def _queries(target: Target) -> str:
    """The SQL queries of one child page with its sections built (nothing kept in this
    process), then of the next request, with the sections kept by the first."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = target.session
    client.get(target.path)  # the session and the compiled queries are warm
    caches["pages"].clear()
    counts = []
    for _kept in (False, True):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target.path)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    return f"{counts[0]} SQL queries per child page built, {counts[1]} with its sections kept"


def _report(
    options: argparse.Namespace,
    database: str,
    district: str,
    checked: str,
    queries: str,
    child: family_home.Load,
    plain: family_home.Load,
    trivial: family_home.Load,
) -> None:
    share = 100 * child["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    print()
    print("Village family child page (with learning goals) benchmark")
    print(f"  database        PostgreSQL {urlsplit(database).path.lstrip('/')}")
    print(f"  district        {options.students} students, seed {options.seed}: {district}")
    print(
        f"  goals           a set of {options.goals} goals per child's class; a plan with "
        f"{options.efforts} efforts per child"
    )
    print(f"  server          gunicorn, {options.workers} sync workers, bench.settings (DEBUG off)")
    print(
        f"  load            wrk, {options.threads} thread(s), {options.connections} connections, "
        f"{options.duration} s per page after {options.warmup} s warm-up"
    )
    print(f"  checked         {checked}")
    print(f"  queries         {queries}")
    print()
    print(f"  {'page':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'non-200':>9}")
    for load in (child, plain, trivial):
        print(
            f"  {load.label:<36}{load['rps']:>9.1f}{load['p50_ms']:>9.1f}"
            f"{load['p95_ms']:>9.1f}{load['p99_ms']:>9.1f}{int(load['not_200']):>9}"
        )
    print()
    print(f"  child / trivial throughput   {share:.1f}%   (target >= {TARGET_SHARE:.0f}%)")
    if plain["rps"]:
        print(f"  with goals / without         {100 * child['rps'] / plain['rps']:.1f}%")


if __name__ == "__main__":
    sys.exit(main())
