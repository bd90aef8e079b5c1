"""What the profile's forms read: the writer's own entry on a topic, and the staff a restricted
entry may name."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, OrgRole, Role
from village.community.policies import today
from village.support import policies
from village.support.models import Entry, TeamMember, Topic


def own_entry(author: User, student_id: int, topic: Topic) -> Entry | None:
    """``author``'s entry on ``topic`` of the student's profile, with its readers (two
    queries), or ``None`` when they have not written one."""
    return (
        policies.visible_entries(author)
        .filter(student_id=student_id, topic=topic, author_id=author.pk)
        .prefetch_related("readers")
        .first()
    )


def reader_candidates(student_id: int) -> QuerySet[User]:
    """The staff a restricted entry on the student may name: the teachers and aides of the
    student's current classes, the admins of the student's current school and its support
    team (staff there now). The service checks each name again (``readers_not_staff``)."""
    now = today()
    classes = (
        Enrollment.objects.current(now)
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    teaching = (
        Enrollment.objects.current(now)
        .filter(school_class_id__in=classes, role__in=[EnrollmentRole.TEACHER, EnrollmentRole.AIDE])
        .values("user_id")
    )
    schools = (
        OrgRole.objects.current(now)
        .filter(user_id=student_id, role=Role.STUDENT)
        .values("organisation_id")
    )
    admins = (
        OrgRole.objects.current(now)
        .filter(organisation_id__in=schools, role=Role.SCHOOL_ADMIN)
        .values("user_id")
    )
    staff_there = (
        OrgRole.objects.current(now)
        .filter(organisation_id__in=schools, role__in=policies.SCHOOL_STAFF_ROLES)
        .values("user_id")
    )
    team = TeamMember.objects.filter(school_id__in=schools, user_id__in=staff_there).values(
        "user_id"
    )
    condition = Q(pk__in=teaching) | Q(pk__in=admins) | Q(pk__in=team)
    return User.objects.filter(condition, is_active=True).order_by("last_name", "first_name", "pk")
