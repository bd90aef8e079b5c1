"""What the "Delivery problems" page reads: the failed deliveries of the people an admin may
see, and the families Village cannot reach (no email address, the last email failed, or email
turned off for every kind, and no working text messages either). Each in a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import GuardianLink, OrgRole, Role
from village.community.policies import administered_schools, today
from village.notifications import registry
from village.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    EmailMode,
    KindSetting,
    UserSettings,
)
from village.notifications.policies import (
    visible_delivery_recipients,
    visible_failed_deliveries,
    visible_family_links,
)

PAGE_SIZE = 25


def _student_school(user: User, student: str) -> Subquery:
    """The school, of those ``user`` administers, where the student in ``student`` is one."""
    roles = OrgRole.objects.current(today()).filter(
        user_id=OuterRef(student),
        role=Role.STUDENT,
        organisation_id__in=administered_schools(user).values("pk"),
    )
    return Subquery(roles.order_by("-is_primary", "id").values("organisation_id")[:1])


def failed_deliveries(user: User) -> QuerySet[Delivery]:
    """Failed deliveries of the people ``user`` may see, the latest tried first, each with its
    recipient and, for a student, their school (``student_school``)."""
    return (
        visible_failed_deliveries(user)
        .select_related("recipient")
        .annotate(student_school=_student_school(user, "recipient_id"))
        .order_by(F("tried_at").desc(nulls_last=True), "-id")
    )


def kind_label(name: str) -> str | Promise:
    found = registry.kind(name)
    return found.label if found is not None else name


@dataclass(frozen=True)
class FailedRow:
    delivery: Delivery
    kind: str | Promise
    #: The school of a student recipient (for the audit log), else ``None``.
    student_school: int | None


def failed_rows(deliveries: list[Delivery]) -> list[FailedRow]:
    return [
        FailedRow(delivery, kind_label(delivery.kind), getattr(delivery, "student_school", None))
        for delivery in deliveries
    ]


def _last(channel: Channel, field: str) -> Coalesce:
    """The ``field`` of the person's latest sent or failed delivery on ``channel`` (or "")."""
    latest = Delivery.objects.filter(
        recipient_id=OuterRef("pk"),
        channel=channel,
        state__in=[DeliveryState.SENT, DeliveryState.FAILED],
    ).order_by(F("tried_at").desc(nulls_last=True), "-id")
    return Coalesce(Subquery(latest.values(field)[:1]), Value(""), output_field=TextField())


def _email_all_off() -> Case | Value:
    """Whether a person turned email off for every kind guardians receive. Urgent kinds are
    emailed whatever the settings, so they do not count: such a family hears of a closure, and
    of nothing else."""
    kinds = [
        kind
        for kind in registry.kinds(registry.Audience.GUARDIAN)
        + registry.kinds(registry.Audience.ANYONE)
        if not kind.urgent
    ]
    if not kinds:
        return Value(False)
    emailed = [kind.name for kind in kinds if kind.default_email != EmailMode.OFF]
    mine = KindSetting.objects.filter(user_id=OuterRef("pk"))
    turned_on = mine.filter(kind__in=[kind.name for kind in kinds]).exclude(email=EmailMode.OFF)
    turned_off = (
        mine.filter(kind__in=emailed, email=EmailMode.OFF)
        .values("user_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    off_count = Coalesce(Subquery(turned_off, output_field=IntegerField()), Value(0))
    every_one_off = ~Exists(turned_on) & Exact(off_count, Value(len(emailed)))
    return Case(When(every_one_off, then=Value(True)), default=Value(False))


def unreachable_families(user: User) -> QuerySet[User]:
    """Guardians of the students of ``user``'s schools (on links that receive communications)
    who have no working email and no working text messages, by name, each with the children
    ``user`` sees them linked to (``school_links``, with each child's school)."""
    links = visible_family_links(user).filter(no_access=False, receives_communications=True)
    phone = UserSettings.objects.filter(user_id=OuterRef("pk")).values("phone")[:1]
    guardians = (
        User.objects.filter(pk__in=links.values("guardian_id"), is_active=True)
        .filter(pk__in=visible_delivery_recipients(user).values("pk"))
        .annotate(
            last_email_state=_last(Channel.EMAIL, "state"),
            last_email_error=_last(Channel.EMAIL, "last_error"),
            last_sms_state=_last(Channel.SMS, "state"),
            sms_phone=Coalesce(Subquery(phone), Value("")),
            email_all_off=_email_all_off(),
        )
        .filter(Q(email="") | Q(last_email_state=DeliveryState.FAILED) | Q(email_all_off=True))
    )
    if settings.VILLAGE_SMS_URL:
        guardians = guardians.exclude(~Q(sms_phone="") & ~Q(last_sms_state=DeliveryState.FAILED))
    children = links.select_related("student").annotate(
        student_school=_student_school(user, "student_id")
    )
    return guardians.prefetch_related(
        Prefetch(
            "children_links",
            queryset=children.order_by("student__last_name", "student__first_name", "id"),
            to_attr="school_links",
        )
    ).order_by("last_name", "first_name", "id")


@dataclass(frozen=True)
class FamilyRow:
    guardian: User
    reasons: list[str]
    #: The guardian's links to the students on the page, each with ``student_school``.
    links: list[GuardianLink]


def family_rows(guardians: list[User]) -> list[FamilyRow]:
    """Why each guardian cannot be reached, in words for staff."""
    rows = []
    for guardian in guardians:
        reasons: list[str] = []
        if not guardian.email:
            reasons.append(str(_("No email address")))
        elif getattr(guardian, "last_email_state", "") == DeliveryState.FAILED:
            reasons.append(
                str(_("The last email failed: %(reason)s"))
                % {"reason": getattr(guardian, "last_email_error", "")}
            )
        if guardian.email and getattr(guardian, "email_all_off", False):
            reasons.append(str(_("Email turned off for every kind of message")))
        rows.append(FamilyRow(guardian, reasons, list(getattr(guardian, "school_links", []))))
    return rows
