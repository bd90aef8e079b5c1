"""What an announcer may choose as an announcement's target, for the form: the classes they
teach or whose school they run, the grades and the schools they administer, their districts
(four queries)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.announcements.models import AudienceScope
from village.announcements.policies import (
    Target,
    announceable_classes,
    announceable_districts,
    announceable_schools,
)
from village.community.models import OrgRole, Role
from village.community.policies import roles_of


@dataclass(frozen=True)
class Option:
    target: Target
    label: str


@dataclass(frozen=True)
class Options:
    """The targets by kind, in the order the form lists them."""

    classes: list[Option]
    grades: list[Option]
    schools: list[Option]
    districts: list[Option]

    @property
    def all(self) -> list[Option]:
        return [*self.classes, *self.grades, *self.schools, *self.districts]

    @property
    def any_admin(self) -> bool:
        return any(option.target.as_admin for option in self.all)

    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """For a ``<select>`` with ``<optgroup>``s: (label, [(value, label)])."""
        named = [
            (_("Classes"), self.classes),
            (_("Grades"), self.grades),
            (_("Whole schools"), self.schools),
            (_("Whole districts"), self.districts),
        ]
        return [
            (label, [(option.target.value, option.label) for option in options])
            for label, options in named
            if options
        ]


def announcement_options(user: User) -> Options:
    roles = roles_of(user)
    admin_schools = roles.orgs(Role.SCHOOL_ADMIN)
    classes = [
        Option(
            Target(
                AudienceScope.CLASS,
                found.school_id,
                class_id=found.pk,
                as_admin=found.school_id in admin_schools,
            ),
            f"{found.title} · {found.school.name}",
        )
        for found in announceable_classes(user)
        .select_related("school")
        .order_by("school__name", "title", "pk")
    ]
    schools = list(announceable_schools(user).order_by("name", "pk"))
    names = {school.pk: school.name for school in schools}
    grades = (
        OrgRole.objects.current(timezone.localdate())
        .filter(role=Role.STUDENT, organisation_id__in=admin_schools, user__is_active=True)
        .exclude(user__grade="")
        .values_list("organisation_id", "user__grade")
        .distinct()
        .order_by()
    )
    return Options(
        classes=classes,
        grades=[
            Option(
                Target(AudienceScope.GRADE, school_id, grade=grade, as_admin=True),
                _("Grade %(grade)s · %(school)s")
                % {"grade": grade.lstrip("0") or grade, "school": names.get(school_id, "")},
            )
            for school_id, grade in sorted(
                grades, key=lambda pair: (names.get(pair[0], ""), _grade_key(pair[1]))
            )
        ],
        schools=[
            Option(Target(AudienceScope.SCHOOL, school.pk, as_admin=True), school.name)
            for school in schools
        ],
        districts=[
            Option(Target(AudienceScope.DISTRICT, district.pk, as_admin=True), district.name)
            for district in announceable_districts(user).order_by("name", "pk")
        ],
    )


def _grade_key(grade: str) -> tuple[int, str]:
    return (int(grade), grade) if grade.isdigit() else (99, grade)
