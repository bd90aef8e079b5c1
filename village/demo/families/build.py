"""The demo district's students and families (after ``village.demo.community``): planned by
``village.demo.families.planner`` for each grade cohort's places, then written set-based."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, OrgRole, Role, Scope
from village.core.bulk import insert_objects, insert_rows
from village.demo.community.school import COHORT_SIZES, DEMO_USER_PREFIX, DemoCommunity
from village.demo.families.planner import (
    FamilyPlan,
    FamilyPlanner,
    PlannedGuardian,
    PlannedLink,
    PlannedStudent,
    Slot,
)


def demo_families_build(community: DemoCommunity, *, seed: int) -> None:
    """The students of each cohort of the demo district, and their families."""
    plan = FamilyPlanner(random.Random(seed), community.usernames).plan_for(_slots())
    _write_families(community, plan)


def _slots() -> list[Slot]:
    return [
        Slot(school, grade) for (school, grade), size in COHORT_SIZES.items() for _ in range(size)
    ]


# --- students and families, set-based ---------------------------------------------------------


LINK_COLUMNS = (
    "guardian_id", "student_id", "relationship", "lives_with", "emergency_contact",
    "receives_communications", "no_access", "access_note",
    *(GuardianLink.scope_field(scope) for scope in Scope),
)  # fmt: skip


def _write_families(community: DemoCommunity, plan: FamilyPlan) -> None:
    users = [_student_user(community, student) for student in plan.students]
    users += [_guardian_user(community, guardian, n) for n, guardian in enumerate(plan.guardians)]
    ids = {user.username: user.pk for user in insert_objects(users)}
    school_of = {
        student.username: community.schools[student.school].pk for student in plan.students
    }
    insert_rows(OrgRole, ("user_id", "organisation_id", "role"), _roles(plan, ids, school_of))
    enrolments = [
        (ids[student.username], school_class.pk, EnrollmentRole.STUDENT.value)
        for student in plan.students
        for school_class in community.cohorts[(student.school, student.grade)]
    ]
    insert_rows(Enrollment, ("user_id", "school_class_id", "role"), enrolments)
    insert_rows(GuardianLink, LINK_COLUMNS, [_link_row(link, ids) for link in plan.links])


def _roles(
    plan: FamilyPlan, ids: dict[str, int], school_of: dict[str, int]
) -> list[tuple[int, int, str]]:
    """A student role at the school, and a guardian role at each school a guardian's child is at."""
    roles = [(ids[student], school, Role.STUDENT.value) for student, school in school_of.items()]
    guardian_schools = dict.fromkeys(
        (link.guardian, school_of[link.student]) for link in plan.links
    )
    roles += [(ids[guardian], school, Role.GUARDIAN.value) for guardian, school in guardian_schools]
    return roles


def _link_row(link: PlannedLink, ids: dict[str, int]) -> tuple[object, ...]:
    return (
        ids[link.guardian],
        ids[link.student],
        link.relationship.value,
        link.lives_with,
        link.emergency_contact,
        link.receives_communications,
        link.no_access,
        link.access_note,
        *(scope in link.scopes for scope in Scope),
    )


def _student_user(community: DemoCommunity, student: PlannedStudent) -> User:
    return User(
        username=student.username,
        first_name=student.first,
        last_name=student.last,
        email=f"{student.username}@students.village.test",
        sourced_id=f"{DEMO_USER_PREFIX}{student.username}",
        grade=student.grade,
        password=community.password,
    )


def _guardian_user(community: DemoCommunity, guardian: PlannedGuardian, index: int) -> User:
    signed_in = guardian.last_login_days_ago is not None
    return User(
        username=guardian.username,
        first_name=guardian.first,
        last_name=guardian.last,
        email=f"{guardian.username}@families.village.test",
        sourced_id=f"{DEMO_USER_PREFIX}{guardian.username}",
        preferred_language=guardian.language,
        phone=f"+1 555 {100 + index % 100:04d}",
        password=community.password if signed_in else make_password(None),
        last_login=_days_ago(community.today, guardian.last_login_days_ago, index),
    )


def _days_ago(today: dt.date, days: int | None, index: int) -> dt.datetime | None:
    if days is None:
        return None
    moment = dt.datetime.combine(
        today - dt.timedelta(days=days), dt.time(7 + index % 14, index % 60)
    )
    return timezone.make_aware(moment)
