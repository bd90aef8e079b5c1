"""The one rule for every new guardian link onboarding makes (a code the student, a teacher or an
admin made; an email invitation), telling the child's guardians and the school about it, the
school's decision on links that wait, and each school's settings for new links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community import policies as community_policies
from village.community import services as community_services
from village.community.models import (
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgRole,
    Relationship,
    Role,
    Scope,
)
from village.core.mail import send_email
from village.onboarding import policies, selectors
from village.onboarding.models import (
    LinkRoute,
    OnboardingSettings,
)


class NotEligibleError(Exception):
    """Student and staff accounts cannot become guardians through onboarding."""


class AlreadyLinkedError(Exception):
    def __init__(self, student: User) -> None:
        super().__init__(student.pk)
        self.student = student


class NoSchoolError(Exception):
    """The student has no current school (they left, or their role ended): no school can decide
    on a new link, so none is made."""


def student_school(student: User) -> Organisation | None:
    """The school the student attends today: their primary current student role wins, as on every
    page (``community.policies.student_schools``). A former school (a role made inactive or
    ended) never counts, so a transferred student's new links follow the new school."""
    role = (
        OrgRole.objects.current(community_policies.today())
        .filter(user=student, role=Role.STUDENT)
        .select_related("organisation")
        .order_by("-is_primary", "id")
        .first()
    )
    return role.organisation if role else None


def settings_for(school: Organisation | None) -> OnboardingSettings:
    """The school's settings, or Village's defaults (``OnboardingSettings``) without any."""
    return selectors.school_settings(school) if school else OnboardingSettings()


def school_default_scopes(school: Organisation) -> list[Scope]:
    """The areas a new guardian link at ``school`` may see, as its settings say: for links
    onboarding makes and for guardians a school admin adds (``community.link_defaults``)."""
    return settings_for(school).scopes


def _link(
    *,
    guardian: User,
    student: User,
    route: LinkRoute,
    relationship: Relationship = Relationship.GUARDIAN,
    tell: bool = True,
) -> GuardianLink:
    """Every new guardian link made by onboarding is made here, by one rule: the school of the
    student decides, per route, whether the link waits for a school admin, and what areas it
    may see. The child's guardians and the school's admins are told by email (unless not
    ``tell``: an account whose address is not confirmed yet; see ``tell_about_new_guardian``).

    Raises ``NoSchoolError`` when the student attends no school today, and
    ``AlreadyLinkedError``."""
    if GuardianLink.objects.filter(guardian=guardian, student=student).exists():
        raise AlreadyLinkedError(student)
    school = student_school(student)
    if school is None:
        raise NoSchoolError
    school_settings = settings_for(school)
    link = community_services.guardian_link(
        guardian=guardian,
        student=student,
        relationship=relationship,
        scopes=school_settings.scopes,
        status=LinkStatus.PENDING if school_settings.needs_approval(route) else LinkStatus.ACTIVE,
        source=LinkSource.INVITATION if route == LinkRoute.INVITATION else LinkSource.PAIRING,
    )
    if tell:
        tell_about_new_guardian(link=link, route=route, school=school)
    return link


#: The longest a new guardian's name is shown in the emails about them.
NAME_IN_EMAILS = 60


def tell_about_new_guardian(
    *, link: GuardianLink, route: LinkRoute, school: Organisation | None = None
) -> None:
    """After commit, queue one email to each guardian of the child who may hear from the school
    and to each admin of the student's school: who is this new guardian? If they do not know,
    they tell the school. The name is the person's own words: the emails show it quoted, as
    plain text, and cut to ``NAME_IN_EMAILS`` characters. ``school``: the student's school, when
    the caller has just looked it up."""
    school = school or student_school(link.student)
    guardians = list(selectors.guardians_to_tell(link))
    admins = list(selectors.school_admins(school)) if school else []
    context = {
        "link": link,
        "new_guardian": link.guardian,
        "guardian_name": _name_for_email(link.guardian.display_name),
        "student": link.student,
        "school": school,
        "route": route.label,
        "pending": link.status == LinkStatus.PENDING,
    }

    def send() -> None:
        for template, recipients in (
            ("onboarding/email/new_guardian", guardians),
            ("onboarding/email/new_guardian_school", admins),
        ):
            for recipient in recipients:
                send_email(
                    template=template,
                    context={"user": recipient, **context},
                    to=[recipient.email],
                    language=recipient.ui_language,
                    time_zone=recipient.timezone,
                )

    transaction.on_commit(send)


def _name_for_email(name: str) -> str:
    plain = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
    if len(plain) > NAME_IN_EMAILS:
        plain = plain[: NAME_IN_EMAILS - 1].rstrip() + "…"
    return f"“{plain}”"


# --- approval --------------------------------------------------------------------------------


def _decide(link: GuardianLink, status: LinkStatus) -> GuardianLink:
    if link.status != LinkStatus.PENDING:
        raise ValidationError({"status": _("This link is not waiting for approval.")})
    link.status = status
    link.save(update_fields=["status", "updated_at"])
    return link


@transaction.atomic
def guardian_link_approve(*, link: GuardianLink, approved_by: User) -> GuardianLink:
    if not policies.approvable_links(approved_by).filter(pk=link.pk).exists():
        raise PermissionDenied
    return _decide(link, LinkStatus.ACTIVE)


@transaction.atomic
def guardian_link_decline(*, link: GuardianLink, declined_by: User) -> GuardianLink:
    if not policies.approvable_links(declined_by).filter(pk=link.pk).exists():
        raise PermissionDenied
    return _decide(link, LinkStatus.ENDED)


@transaction.atomic
def onboarding_settings_update(
    *,
    school: Organisation,
    approvals: Mapping[LinkRoute, bool],
    default_scopes: Iterable[str],
    changed_by: User,
) -> OnboardingSettings:
    """Save how families link to ``school``'s students from now on; existing links keep theirs.

    ``approvals`` says, per route, whether a new link waits for a school admin; a route left
    out keeps its current answer (Village's default for a school without settings).

    Raises ``PermissionDenied`` unless ``changed_by`` administers the school (or its district),
    and ``ValidationError`` naming ``default_scopes`` for an unknown area or for none at all.
    """
    if not policies.may_change_school_settings(changed_by, school):
        raise PermissionDenied
    found, _created = OnboardingSettings.objects.update_or_create(
        school=school,
        defaults={
            **{OnboardingSettings.approval_field(route): bool(v) for route, v in approvals.items()},
            "default_scopes": _checked_scopes(default_scopes),
            "updated_by": changed_by,
        },
    )
    return found


def _checked_scopes(chosen: Iterable[str]) -> list[str]:
    """The chosen areas in the order Village lists them, each once."""
    values = {str(value) for value in chosen}
    unknown = sorted(values - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"default_scopes": _("Unknown areas: %(areas)s") % {"areas": ", ".join(unknown)}}
        )
    if not values:
        raise ValidationError(
            {"default_scopes": _("Choose at least one area a new family link may see.")}
        )
    return [scope.value for scope in Scope if scope.value in values]
