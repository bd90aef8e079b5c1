"""Announcements reach a class's or school's families and students once, within each link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from village.community.models import GuardianLink
from village.notifications.models import Delivery, EmailMode, KindSetting, Notification
from village.notifications.services.announce import (
    CLASS_ANNOUNCEMENT,
    URGENT_ANNOUNCEMENT,
    announce,
)

LATE = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)  # the middle of the night in America


def _trip():
    return ("Field trip on Friday", "Bring a packed lunch.")


def _recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_a_class_announcement_reaches_its_students_and_their_families_once(personas):
    p = personas
    announce(key="a1", school_id=p.school.pk, class_id=p.science8.pk, compose=_trip)
    announce(key="a1", school_id=p.school.pk, class_id=p.science8.pk, compose=_trip)
    reached = _recipients(CLASS_ANNOUNCEMENT)
    assert {"sam", "jordan", "leo"} <= reached
    assert not reached & {"eve", "olga", "ada", "finn", "mina"}
    assert Notification.objects.filter(recipient=p.sam, kind=CLASS_ANNOUNCEMENT).count() == 1


@pytest.mark.django_db
def test_no_access_hears_nothing_and_the_guardians_switch_is_respected(personas):
    p = personas
    GuardianLink.objects.filter(guardian=p.jordan, student=p.leo).update(no_access=True)
    from village.notifications.services.rules import RuleInput, save_rules

    save_rules(p.sam, p.leo, [RuleInput(CLASS_ANNOUNCEMENT, enabled=False)])
    announce(key="a2", school_id=p.school.pk, class_id=p.science8.pk, compose=_trip)
    assert not {"sam", "jordan"} & _recipients(CLASS_ANNOUNCEMENT)


@pytest.mark.django_db
def test_an_urgent_message_goes_at_once_at_any_hour_whatever_the_email_setting(personas):
    p = personas
    KindSetting.objects.create(user=p.sam, kind=URGENT_ANNOUNCEMENT, email=EmailMode.OFF)
    announce(
        key="closed",
        school_id=p.school.pk,
        compose=lambda: ("School closed today", "Snow."),
        urgent=True,
        now=LATE,
    )
    note = Notification.objects.filter(recipient=p.sam, kind=URGENT_ANNOUNCEMENT).first()
    assert note is not None
    assert note.urgent
    emails = Delivery.objects.filter(recipient=p.sam, kind=URGENT_ANNOUNCEMENT)
    assert emails.exists()
    assert all(email.due_at == LATE for email in emails)
    assert timezone.is_aware(LATE)


@pytest.mark.django_db
def test_a_school_announcement_comes_once_to_a_family_with_two_children_there(personas):
    p = personas
    announce(key="fair", school_id=p.school.pk, compose=lambda: ("Science fair", ""))
    assert Notification.objects.filter(recipient=p.sam).count() == 1
    assert {"sam", "jordan"} <= _recipients("school_announcement")
