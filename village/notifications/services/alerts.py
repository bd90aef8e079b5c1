"""The alert engine: crossings, once per item, after a hold.

A domain service that changes what alerts look at (a grade saved, feedback returned) calls
:func:`record_change` in its own transaction: an :class:`AlertCheck` row says "look at this
student again once the hold is over" (a later change moves the moment on, so a teacher who
corrects a slip within the hold causes no alert). ``village worker`` runs :func:`run_checks`:
each source's registered checker looks at the students whose checks are due and says, for every
alert it knows of, whether its condition holds now; :func:`apply` compares that with the state
kept from the last look and fires on a **crossing**: a condition that was false (or never looked
at) and is true now. It fires once, and again only after the condition has been false in
between. Each crossing's notification is keyed by its number, so looking twice at the same
crossing (a retried pass, two workers) writes one notification.

:func:`crossings` is the rule itself, on a plain sequence, for tests and documentation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from village.notifications import registry
from village.notifications.models import AlertCheck, AlertState, Notification
from village.notifications.services.notify import Pending, notify


def crossings(conditions: Iterable[bool], *, initially: bool = False) -> list[int]:
    """The indexes at which an alert over these successive looks at a condition fires."""
    fired = []
    previous = initially
    for index, active in enumerate(conditions):
        if active and not previous:
            fired.append(index)
        previous = active
    return fired


def hold() -> dt.timedelta:
    return dt.timedelta(minutes=settings.VILLAGE_ALERT_HOLD_MINUTES)


def record_change(
    student_ids: Iterable[int],
    source: str,
    subject: str,
    *,
    now: dt.datetime | None = None,
    wait: dt.timedelta | None = None,
) -> None:
    """Look at these students' ``source`` alerts once the hold is over (one upsert: a check
    already waiting for a student moves to the new time)."""
    due = (now or timezone.now()) + (hold() if wait is None else wait)
    ids = sorted(set(student_ids))
    if not ids:
        return
    if connection.vendor == "postgresql":
        # A sweep records tens of thousands at once: the ids go as one array, and no model
        # instance is built for each.
        _upsert_checks(ids, source, subject, due)
        return
    AlertCheck.objects.bulk_create(
        [
            AlertCheck(student_id=student_id, source=source, subject=subject, due_at=due)
            for student_id in ids
        ],
        update_conflicts=True,
        unique_fields=["student", "source", "subject"],
        update_fields=["due_at"],
    )


def _upsert_checks(ids: list[int], source: str, subject: str, due: dt.datetime) -> None:
    quote = connection.ops.quote_name
    meta = AlertCheck._meta
    columns = {field.name: quote(field.column) for field in meta.concrete_fields}
    student, source_column, subject_column, due_column = (
        columns[name] for name in ("student", "source", "subject", "due_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model
            f"({student}, {source_column}, {subject_column}, {due_column}) "
            "SELECT student, %s, %s, %s FROM unnest(%s::bigint[]) AS student "
            f"ON CONFLICT ({student}, {source_column}, {subject_column}) "
            f"DO UPDATE SET {due_column} = EXCLUDED.{due_column}",
            [source, subject, due, ids],
        )


def apply(alerts: Sequence[registry.Alert], *, now: dt.datetime) -> list[Notification]:
    """Fire the alerts whose condition crossed into true; keep every condition's state."""
    if not alerts:
        return []
    kinds = {alert.kind for alert in alerts}
    recipients = {alert.recipient.pk for alert in alerts}
    states = {
        (state.recipient_id, state.child_id, state.kind, state.subject): state
        for state in AlertState.objects.filter(recipient_id__in=recipients, kind__in=kinds)
    }
    pending: list[Pending] = []
    changed: list[AlertState] = []
    for alert in alerts:
        child_id = alert.child_id or alert.recipient.pk
        key = (alert.recipient.pk, child_id, alert.kind, alert.subject)
        state = states.get(key)
        if state is None:
            state = AlertState(
                recipient_id=alert.recipient.pk,
                child_id=child_id,
                kind=alert.kind,
                subject=alert.subject,
            )
            states[key] = state
        before = state.active if state.pk is not None else None
        if alert.active and not state.active:
            state.crossings += 1
            pending.append(
                Pending(
                    recipient=alert.recipient,
                    kind=alert.kind,
                    key=f"{alert.child_id or ''}:{alert.subject}:{state.crossings}",
                    compose=alert.compose,
                    link=alert.link,
                    child_id=alert.child_id,
                    school_id=alert.school_id,
                    subject=alert.subject,
                    email=alert.email,
                    context=alert.context,
                )
            )
        # No row means "not active": a condition that has never held needs no row (most
        # conditions, most of the time), so only a change from what the row says is written.
        if (before is None and alert.active) or (before is not None and before != alert.active):
            state.active = alert.active
            changed.append(state)
    with transaction.atomic():
        _save_states(changed)
        return notify(pending, now=now)


def _save_states(states: list[AlertState]) -> None:
    unique = {(s.recipient_id, s.child_id, s.kind, s.subject): s for s in states}
    if unique:
        AlertState.objects.bulk_create(
            list(unique.values()),
            update_conflicts=True,
            unique_fields=["recipient", "child", "kind", "subject"],
            update_fields=["active", "crossings", "updated_at"],
        )


def seed(alerts: Sequence[registry.Alert]) -> None:
    """Take these conditions as they are now without firing (a guardian who turns an alert on,
    or changes its threshold, is told of the next crossing, not of where things stand)."""
    states = [
        AlertState(
            recipient_id=alert.recipient.pk,
            child_id=alert.child_id or alert.recipient.pk,
            kind=alert.kind,
            subject=alert.subject,
            active=alert.active,
        )
        for alert in alerts
    ]
    if states:
        existing = {
            (s.recipient_id, s.child_id, s.kind, s.subject): s.crossings
            for s in AlertState.objects.filter(
                recipient_id__in={s.recipient_id for s in states},
                kind__in={s.kind for s in states},
            )
        }
        kept = []
        for state in states:
            key = (state.recipient_id, state.child_id, state.kind, state.subject)
            if key in existing or state.active:  # no row already means "not active"
                state.crossings = existing.get(key, 0)
                kept.append(state)
        _save_states(kept)


BATCH = 2000


def run_checks(*, now: dt.datetime | None = None) -> int:
    """Run the checkers for the students whose hold is over; the checks done are removed.
    Returns how many notifications were written."""
    now = now or timezone.now()
    checkers = registry.checkers()
    due = list(
        AlertCheck.objects.filter(due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", "source", "student_id")[:BATCH]
    )
    if not due:
        return 0
    students: dict[str, set[int]] = defaultdict(set)
    for _id, source, student_id in due:
        students[source].add(student_id)
    written = 0
    with transaction.atomic():
        for source, ids in students.items():
            checker = checkers.get(source)
            if checker is None:
                continue
            alerts = checker(registry.CheckRequest(student_ids=sorted(ids), now=now))
            written += len(apply(alerts, now=now))
        AlertCheck.objects.filter(id__in=[row[0] for row in due], due_at__lte=now).delete()
    return written
