"""Notifications in the JSON API, at ``/api/v1/notifications``: the caller's notifications
(mark one or all read), their notification settings, and a guardian's alerts about each child.

Every caller reaches only their own notifications and settings; a child whose alerts the caller
may not set (no usable guardian link) answers 404, exactly as if it did not exist. Bad input
answers 422 naming the field, and changes nothing.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.accounts.models import User, short_name
from village.core.api import LISTED, READ, SIGNED_IN, WRITE, ErrorOut, Id, InputSchema, Pages
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page
from village.notifications import digest, policies, selectors
from village.notifications.models import EmailMode, Notification
from village.notifications.registry import Audience, Threshold
from village.notifications.services import centre
from village.notifications.services.preferences import (
    KindChoice,
    SettingsInput,
    child_rules_update,
    settings_update,
)
from village.notifications.services.rules import RuleInput

router = Router(auth=api_auth, tags=["notifications"])

#: The most notifications one page may hold, whatever ``limit`` asks for.
MAX_PAGE_SIZE = 100


# --- shapes ----------------------------------------------------------------------------------


#: A time of day as the caller's clock shows it (their time zone is their profile's): HH:MM.
ClockTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="HH:MM, 24-hour, in the caller's time zone.",
        examples=["21:00"],
    ),
]


def _clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value is not None else None


class NotificationChildOut(Schema):
    id: int
    name: str = Field(description="The name the child goes by.")


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What kind of notification it is, e.g. an alert's name.")
    title: str = Field(description="In the language given in ``language``.")
    body: str
    language: str
    link: str = Field(description="The path in Village of what it is about; empty if none.")
    child: NotificationChildOut | None = Field(description="The child it is about, if any.")
    urgent: bool
    created_at: dt.datetime
    read_at: dt.datetime | None = Field(description="Null while unread.")

    @staticmethod
    def resolve_child(obj: Notification) -> NotificationChildOut | None:
        if obj.child is None:
            return None
        return NotificationChildOut(id=obj.child.pk, name=obj.child.short_name)


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many notifications were unread and are read now.")


#: The list's filter: only the notifications not read yet.
UnreadOnly = Annotated[bool, Query(description="Only the notifications not read yet.")]


class AlertRuleOut(Schema):
    kind: str
    label: str
    help: str
    threshold_kind: Threshold | None = Field(
        description=(
            "``below`` and ``above``: ``threshold`` is a percentage (0 to 100); ``drop``: "
            "``threshold`` is the points a grade falls by (1 to 100) over ``weeks`` (1 to 12); "
            "null: the alert has no threshold."
        )
    )
    enabled: bool
    threshold: Decimal | None
    weeks: int | None
    source: str = Field(
        description=(
            "Where the values come from: ``guardian`` (the caller's own), ``school`` (the "
            "school's default) or ``default`` (Village's)."
        )
    )


class WithheldAlertOut(Schema):
    kind: str
    label: str
    scope: str = Field(description="The area the caller's link does not allow, e.g. grades.")


class ChildAlertsOut(Schema):
    child: NotificationChildOut
    rules: list[AlertRuleOut] = Field(description="The alerts the caller may set about the child.")
    not_offered: list[WithheldAlertOut] = Field(
        description="Alerts not offered: the school does not share their area with the caller."
    )


class AlertRuleIn(Schema):
    kind: str = Field(max_length=64)
    enabled: bool
    threshold: Decimal | None = Field(
        None, ge=0, le=100, max_digits=4, decimal_places=1, description="See ``threshold_kind``."
    )
    weeks: int | None = Field(None, ge=1, le=12)


class ChildAlertsIn(InputSchema):
    rules: list[AlertRuleIn] = Field(
        max_length=50, description="The alerts to change; alerts left out stay as they are."
    )


class KindSettingOut(Schema):
    kind: str
    label: str
    help: str
    audience: Audience
    email: EmailMode = Field(description="Urgent notifications are always ``immediate``.")
    sms: bool
    sms_available: bool = Field(
        description="May it be texted (the kind allows it and texts are set up)?"
    )
    urgent: bool = Field(description="Sent at once whatever the hour and the week's budget.")


class NotificationSettingsOut(Schema):
    kinds: list[KindSettingOut]
    quiet_hours: bool
    quiet_start: ClockTime
    quiet_end: ClockTime
    phone: str = Field(description="The mobile number texts go to (E.164), or empty.")
    texts_available: bool = Field(description="Is a text-message gateway set up?")
    student_reminders: bool | None = Field(description="Null unless the caller is a student.")
    teacher_daily: bool | None = Field(description="Null unless the caller teaches.")
    children: list[NotificationChildOut] = Field(
        description="Children whose alerts the caller sets (``/children/{child_id}/alerts``)."
    )


class KindSettingIn(Schema):
    kind: str = Field(max_length=64)
    email: EmailMode
    sms: bool = False


class NotificationSettingsIn(InputSchema):
    kinds: list[KindSettingIn] = Field(
        default_factory=list,
        max_length=100,
        description="The kinds to change; kinds left out stay as they are.",
    )
    quiet_hours: bool | None = None
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None
    phone: str | None = Field(
        None, max_length=32, description="With its country code; empty removes it."
    )
    student_reminders: bool | None = Field(None, description="Students only.")
    teacher_daily: bool | None = Field(None, description="Teachers only.")


# --- errors ----------------------------------------------------------------------------------


def _invalid(error: ValidationError, listed: dict[str, tuple[str, int]]) -> Status[dict[str, Any]]:
    """A service's problems (``rules.<kind>.threshold``, ``phone``) as a 422 naming where the
    bad value is in the body (``["body", "payload", "rules", 0, "threshold"]``)."""
    detail = []
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        loc: list[str | int] = ["body", "payload", parts[0]]
        if len(parts) == 3:
            found = listed.get(f"{parts[0]}.{parts[1]}")
            loc += [found[1], parts[2]] if found else [parts[1], parts[2]]
        detail += [{"loc": loc, "msg": message, "type": "value_error"} for message in messages]
    return Status(422, {"detail": detail})


# --- notifications ---------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[NotificationOut], **LISTED},
    operation_id="notifications_list",
    summary="The caller's notifications",
    description=(
        "Newest first, without those the caller removed; with ``unread=true`` only those not "
        "read yet."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def notification_list(request: HttpRequest, unread: UnreadOnly = False) -> QuerySet[Notification]:
    return selectors.notifications_for_list(api_caller(request), unread_only=unread)


@router.post(
    "/read",
    response={200: NotificationsReadOut, **SIGNED_IN},
    operation_id="notifications_read_all",
    summary="Mark all notifications read",
    description="Marks every unread notification of the caller read.",
)
def notifications_read_all(request: HttpRequest) -> NotificationsReadOut:
    return NotificationsReadOut(marked=centre.mark_all_read(api_caller(request)))


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **READ},
    operation_id="notification_read",
    summary="Mark one notification read",
    description="404 for a notification that is not the caller's (or was removed).",
)
def notification_read(request: HttpRequest, notification_id: Id) -> Notification:
    note = policies.notification_for_recipient(api_caller(request), notification_id)
    centre.mark_read(note)
    return note


# --- the weekly digest -----------------------------------------------------------------------


class DigestPreviewOut(Schema):
    children: list[NotificationChildOut] = Field(
        description="The children the digest covers, each within what its link allows."
    )
    language: str = Field(description="The language the digest is written in.")
    subject: str = Field(description="Empty when the digest would cover no child.")
    text: str = Field(description="The plain-text part.")
    html: str = Field(description="The HTML body (without the document around it).")


@router.get(
    "/digest/preview",
    response={200: DigestPreviewOut, 401: ErrorOut, 404: ErrorOut},
    operation_id="notifications_digest_preview",
    summary="What the caller's next weekly digest will say",
    description=(
        "For a guardian: the weekly family digest as it would be sent now, covering each child "
        "within what its link allows. 404 for anyone who is not a guardian."
    ),
)
def digest_preview(request: HttpRequest) -> DigestPreviewOut:
    user = api_caller(request)
    require_page(policies.may_preview_own_digest(user))
    composed = digest.preview(user)
    covered = composed.children if composed else []
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=pk, organisation_id=None) for pk in covered],
        request=request,
    )
    names = {
        pk: short_name(username=username, first_name=first, preferred_name=preferred)
        for pk, username, first, preferred in User.objects.filter(pk__in=covered).values_list(
            "pk", "username", "first_name", "preferred_name"
        )
    }
    return DigestPreviewOut(
        children=[NotificationChildOut(id=pk, name=names.get(pk, "")) for pk in covered],
        language=user.ui_language,
        subject=composed.subject if composed else "",
        text=composed.text if composed else "",
        html=str(composed.body) if composed else "",
    )


# --- settings --------------------------------------------------------------------------------


def _settings_out(user: User) -> NotificationSettingsOut:
    view = selectors.settings_view(user)
    current = view.settings
    return NotificationSettingsOut(
        kinds=[
            KindSettingOut(
                kind=row.name,
                label=str(row.kind.label),
                help=str(row.kind.help),
                audience=row.kind.audience,
                email=row.email,
                sms=row.sms,
                sms_available=row.textable,
                urgent=row.kind.urgent,
            )
            for row in view.rows
        ],
        quiet_hours=current.quiet_hours,
        quiet_start=_clock(current.quiet_start),
        quiet_end=_clock(current.quiet_end),
        phone=current.phone,
        texts_available=view.texts,
        student_reminders=current.student_reminders if view.student else None,
        teacher_daily=current.teacher_daily if view.teacher else None,
        children=[
            NotificationChildOut(id=one.child.id, name=one.child.name) for one in view.children
        ],
    )


@router.get(
    "/settings",
    response={200: NotificationSettingsOut, **SIGNED_IN},
    operation_id="notification_settings_get",
    summary="The caller's notification settings",
    description=(
        "Per kind of notification the caller receives (by their roles): how its email goes and "
        "whether it is also texted; quiet hours; the mobile number; a student's reminders and a "
        "teacher's daily summary. Alerts about each child are set per child."
    ),
)
def notification_settings_get(request: HttpRequest) -> NotificationSettingsOut:
    return _settings_out(api_caller(request))


@router.put(
    "/settings",
    response={200: NotificationSettingsOut, **WRITE},
    operation_id="notification_settings_put",
    summary="Change the caller's notification settings",
    description=(
        "Fields left out (or null) stay as they are, and so do kinds left out of ``kinds``. A "
        "kind the caller does not receive, email other than ``immediate`` for an urgent kind, "
        "texts for a kind that cannot be texted or without a mobile number, a number without "
        "its country code, or quiet hours that start and end at the same time answer 422 "
        "naming the field, and nothing is changed."
    ),
)
def notification_settings_put(request: HttpRequest, payload: NotificationSettingsIn) -> Status[Any]:
    user = api_caller(request)
    allowed = [kind.name for kind in selectors.settable_kinds(user)]
    changes = SettingsInput(
        kinds=[KindChoice(kind=k.kind, email=k.email, sms=k.sms) for k in payload.kinds],
        quiet_hours=payload.quiet_hours,
        quiet_start=_time(payload.quiet_start),
        quiet_end=_time(payload.quiet_end),
        phone=payload.phone,
        student_reminders=payload.student_reminders,
        teacher_daily=payload.teacher_daily,
    )
    try:
        settings_update(user=user, allowed=allowed, changes=changes)
    except ValidationError as error:
        listed = {f"kinds.{k.kind}": ("kinds", i) for i, k in enumerate(payload.kinds)}
        return _invalid(error, listed)
    return Status(200, _settings_out(user))


# --- a guardian's alerts about one child -----------------------------------------------------


def _child_alerts_out(user: User, child: policies.AlertChild) -> ChildAlertsOut:
    alerts = selectors.child_alerts(user, child)
    return ChildAlertsOut(
        child=NotificationChildOut(id=child.child.id, name=child.child.name),
        rules=[
            AlertRuleOut(
                kind=row.name,
                label=str(row.kind.label),
                help=str(row.kind.help),
                threshold_kind=row.kind.threshold,
                enabled=row.rule.enabled,
                threshold=row.rule.threshold,
                weeks=row.rule.weeks,
                source=row.rule.source,
            )
            for row in alerts.offered
        ],
        not_offered=[
            WithheldAlertOut(kind=kind.name, label=str(kind.label), scope=str(scope))
            for scope, kinds in alerts.withheld.items()
            for kind in kinds
        ],
    )


@router.get(
    "/children/{child_id}/alerts",
    response={200: ChildAlertsOut, **READ},
    operation_id="notification_child_alerts_get",
    summary="The caller's alerts about one child",
    description=(
        "For a guardian: each alert they may set about the child, with its values and where "
        "they come from (their own, the school's default, or Village's). 404 for a child the "
        "caller is not a guardian of (or whose link gives no access)."
    ),
)
def child_alerts_get(request: HttpRequest, child_id: Id) -> ChildAlertsOut:
    user = api_caller(request)
    return _child_alerts_out(user, policies.alert_child_for_guardian(user, child_id))


@router.put(
    "/children/{child_id}/alerts",
    response={200: ChildAlertsOut, **WRITE},
    operation_id="notification_child_alerts_put",
    summary="Change the caller's alerts about one child",
    description=(
        "Sets the caller's own alerts about the child; alerts left out stay as they are. An "
        "unknown alert, one the school does not share the area of, or a threshold that does not "
        "fit the alert (a percentage from 0 to 100; a fall of 1 to 100 points over 1 to 12 "
        "weeks) answers 422 naming the field, and nothing is changed. 404 for a child the "
        "caller is not a guardian of."
    ),
)
def child_alerts_put(request: HttpRequest, child_id: Id, payload: ChildAlertsIn) -> Status[Any]:
    user = api_caller(request)
    child = policies.alert_child_for_guardian(user, child_id)
    rules = [
        RuleInput(kind=r.kind, enabled=r.enabled, threshold=r.threshold, weeks=r.weeks)
        for r in payload.rules
    ]
    try:
        child_rules_update(guardian=user, child=child, rules=rules)
    except ValidationError as error:
        listed = {f"rules.{r.kind}": ("rules", i) for i, r in enumerate(payload.rules)}
        return _invalid(error, listed)
    return Status(200, _child_alerts_out(user, child))
