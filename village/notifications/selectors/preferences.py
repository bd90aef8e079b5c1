"""Reads for the notification centre, the settings pages and the API, each in a fixed number of
queries however many notifications, kinds or children there are."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from village.accounts.models import User
from village.community import policies as community
from village.community.models import Organisation, Scope
from village.notifications import policies, registry
from village.notifications.models import (
    EmailMode,
    KindSetting,
    Notification,
    SchoolAlertDefault,
    SchoolNotificationSettings,
    UserSettings,
)
from village.notifications.policies import AlertChild
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import settings_of
from village.notifications.services.preferences import may_text, sms_available
from village.notifications.services.rules import Rule, effective_rules
from village.notifications.services.school import school_settings_of

#: Notifications per page of the centre.
PAGE_SIZE = 20


# --- the centre ------------------------------------------------------------------------------


def notifications_for_list(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with the child each is about (one query)."""
    found = policies.visible_notifications(user).select_related("child")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found


def centre_page(user: User, number: str | int | None) -> Page[Notification]:
    """One page of the centre (two queries: the count and the page)."""
    paginator = Paginator(notifications_for_list(user), PAGE_SIZE)
    return paginator.get_page(number)


# --- notification settings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindRow:
    """One kind on a user's settings, with how it reaches them now."""

    kind: AlertKind
    email: EmailMode
    sms: bool
    #: May it be texted (the kind allows it and a gateway is set up)?
    textable: bool

    @property
    def name(self) -> str:
        return self.kind.name


@dataclass(frozen=True, slots=True)
class SettingsGroup:
    audience: Audience
    rows: list[KindRow]


@dataclass(frozen=True, slots=True)
class SettingsView:
    groups: list[SettingsGroup]
    settings: UserSettings
    #: Is there a switch for a student's reminders, a teacher's daily summary?
    student: bool
    teacher: bool
    #: Does anything on the page go out by text message?
    texts: bool
    children: list[AlertChild]

    @property
    def rows(self) -> list[KindRow]:
        return [row for group in self.groups for row in group.rows]


def settable_kinds(user: User) -> list[AlertKind]:
    """The kinds on ``user``'s settings, by audience (per-child alerts are set per child)."""
    return [
        kind
        for audience in policies.audiences_of(user)
        for kind in registry.kinds(audience)
        if not kind.per_child
    ]


def _row(kind: AlertKind, setting: KindSetting | None) -> KindRow:
    email = EmailMode(setting.email) if setting is not None else kind.default_email
    if kind.urgent:
        email = EmailMode.IMMEDIATE
    return KindRow(
        kind=kind,
        email=email,
        # An urgent kind is texted whenever there is a number.
        sms=may_text(kind) and (kind.urgent or bool(setting and setting.sms)),
        textable=may_text(kind),
    )


def settings_view(user: User) -> SettingsView:
    """Everything on ``user``'s settings page (three queries: the kinds' settings, the user's
    settings, a guardian's children)."""
    audiences = policies.audiences_of(user)
    kinds = settable_kinds(user)
    chosen = {
        row.kind: row
        for row in KindSetting.objects.filter(user=user, kind__in=[k.name for k in kinds])
    }
    groups = [
        SettingsGroup(
            audience,
            [_row(kind, chosen.get(kind.name)) for kind in kinds if kind.audience == audience],
        )
        for audience in audiences
    ]
    groups = [group for group in groups if group.rows]
    rows = [row for group in groups for row in group.rows]
    return SettingsView(
        groups=groups,
        settings=settings_of(user),
        student=Audience.STUDENT in audiences,
        teacher=Audience.TEACHER in audiences,
        texts=sms_available() and any(row.textable for row in rows),
        children=policies.alert_children(user),
    )


# --- a guardian's alerts about one child ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertRow:
    kind: AlertKind
    rule: Rule

    @property
    def name(self) -> str:
        return self.kind.name


@dataclass(frozen=True, slots=True)
class ChildAlerts:
    child: AlertChild
    #: The alerts the guardian may set about the child.
    offered: list[AlertRow]
    #: Alerts the link does not allow, by the area the school does not share.
    withheld: dict[Scope, list[AlertKind]]


def per_child_kinds() -> list[AlertKind]:
    return [kind for kind in registry.kinds(Audience.GUARDIAN) if kind.per_child]


def child_alerts(user: User, child: AlertChild) -> ChildAlerts:
    """``user``'s alerts about ``child``: their own, or the school's default, or the kind's
    (three queries)."""
    school = community.student_schools([child.child.id]).get(child.child.id)
    rules = effective_rules(
        [(user.pk, child.child.id)], {child.child.id: school.pk if school else None}
    ).get((user.pk, child.child.id), {})
    offered: list[AlertRow] = []
    withheld: dict[Scope, list[AlertKind]] = {}
    for kind in per_child_kinds():
        if child.allows(kind):
            offered.append(AlertRow(kind, rules[kind.name]))
        else:
            withheld.setdefault(Scope(kind.scope), []).append(kind)
    return ChildAlerts(child=child, offered=offered, withheld=withheld)


# --- a school's defaults ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolDefaultRow:
    kind: AlertKind
    enabled: bool
    threshold: Decimal | None
    weeks: int | None
    #: Has the school set it (else it is Village's default)?
    set_by_school: bool

    @property
    def name(self) -> str:
        return self.kind.name


@dataclass(frozen=True, slots=True)
class SchoolNotifications:
    defaults: list[SchoolDefaultRow]
    settings: SchoolNotificationSettings


def school_notifications(school: Organisation) -> SchoolNotifications:
    """A school's alert defaults and digest settings (two queries)."""
    rows = {row.kind: row for row in SchoolAlertDefault.objects.filter(school=school)}
    defaults = []
    for kind in per_child_kinds():
        row = rows.get(kind.name)
        defaults.append(
            SchoolDefaultRow(
                kind=kind,
                enabled=row.enabled if row else kind.default_on,
                threshold=row.threshold if row else kind.default_threshold,
                weeks=row.weeks if row else kind.default_weeks,
                set_by_school=row is not None,
            )
        )
    return SchoolNotifications(defaults=defaults, settings=school_settings_of(school))
