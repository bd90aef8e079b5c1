"""Reads for the onboarding pages, each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from village.accounts.models import User
from village.community import policies as community_policies
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.onboarding.models import LinkRoute, OnboardingSettings, PairingCode
from village.onboarding.policies import AnyUser, approvable_links

SPANISH = "es"


def _usable_link(**filters: object) -> Exists:
    return Exists(
        GuardianLink.objects.filter(
            student_id=OuterRef("pk"), status=LinkStatus.ACTIVE, no_access=False, **filters
        )
    )


def sheet_students(school_class: SchoolClass, *, everyone: bool) -> QuerySet[User]:
    """Students currently in the class, annotated with ``has_family`` (a usable guardian link)
    and ``speaks_spanish`` (the student or a linked guardian prefers Spanish); without
    ``everyone``, only students no family can follow yet."""
    enrolled = (
        Enrollment.objects.current(community_policies.today())
        .filter(school_class=school_class, role=EnrollmentRole.STUDENT)
        .values("user_id")
    )
    students = User.objects.filter(pk__in=enrolled, is_active=True).annotate(
        has_family=_usable_link(),
        spanish_family=_usable_link(guardian__preferred_language__istartswith=SPANISH),
    )
    if not everyone:
        students = students.filter(has_family=False)
    return students.order_by("last_name", "first_name", "pk")


def speaks_spanish(student: User) -> bool:
    own = student.preferred_language.lower().startswith(SPANISH)
    return own or bool(getattr(student, "spanish_family", False))


def student_codes(student: User) -> QuerySet[PairingCode]:
    return PairingCode.objects.filter(student=student).select_related("created_by")


def pending_links_of(user: AnyUser) -> QuerySet[GuardianLink]:
    """The user's own links that wait for the school."""
    return GuardianLink.objects.filter(guardian_id=user.pk or 0, status=LinkStatus.PENDING)


def approval_queue(user: AnyUser) -> QuerySet[GuardianLink]:
    return approvable_links(user).select_related("guardian", "student").order_by("created_at")


def own_children_links(user: AnyUser) -> QuerySet[GuardianLink]:
    return community_policies.children_links(user).select_related("student")


# --- who hears of a new guardian link ----------------------------------------------------------


def guardians_to_tell(link: GuardianLink) -> QuerySet[User]:
    """The child's other guardians whose link is active, gives access and receives the school's
    communications (a guardian with no access hears nothing of the child)."""
    return (
        User.objects.filter(
            is_active=True,
            children_links__student_id=link.student_id,
            children_links__status=LinkStatus.ACTIVE,
            children_links__no_access=False,
            children_links__receives_communications=True,
        )
        .exclude(pk=link.guardian_id)
        .exclude(email="")
        .distinct()
    )


def school_admins(school: Organisation) -> QuerySet[User]:
    """The people who currently administer ``school`` itself."""
    admins = (
        OrgRole.objects.current(community_policies.today())
        .filter(organisation=school, role=Role.SCHOOL_ADMIN)
        .values("user_id")
    )
    return User.objects.filter(pk__in=admins, is_active=True).exclude(email="")


# --- each school's settings for new links ------------------------------------------------------


def school_settings(school: Organisation) -> OnboardingSettings:
    """The school's saved settings with who changed them last, or the defaults (unsaved)."""
    found = OnboardingSettings.objects.select_related("updated_by").filter(school=school).first()
    return found or OnboardingSettings(school=school)


@dataclass(frozen=True)
class SchoolSettingsRow:
    school: Organisation
    settings: OnboardingSettings

    @property
    def waiting_routes(self) -> list[LinkRoute]:
        return [route for route in LinkRoute if self.settings.needs_approval(route)]


def settings_of_administered_schools(user: AnyUser) -> list[SchoolSettingsRow]:
    """Every school ``user`` administers with its settings (defaults where none are saved)."""
    schools = (
        community_policies.administered_schools(user)
        .select_related("onboarding_settings")
        .order_by("name", "pk")
    )
    return [SchoolSettingsRow(school, _saved_or_default(school)) for school in schools]


def _saved_or_default(school: Organisation) -> OnboardingSettings:
    try:
        return school.onboarding_settings
    except OnboardingSettings.DoesNotExist:
        return OnboardingSettings(school=school)
