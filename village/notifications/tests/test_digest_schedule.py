"""When the weekly family digest goes out (each school's day and hour, in each guardian's time
zone), the command and the worker's sweep that queue it, once per guardian and week, and the
signed "I've read this" link."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from village.accounts.models import User
from village.demo.personas import Personas
from village.notifications import daily, digest, digest_email, registry
from village.notifications.models import (
    Delivery,
    Digest,
    DigestPeriod,
    EmailMode,
    Notification,
    SchoolNotificationSettings,
)
from village.notifications.services import digests, sweeps

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
#: A Friday, and the Monday of its week.
FRIDAY = dt.date(2026, 12, 4)
MONDAY = dt.date(2026, 11, 30)
GUARDIANS = ("sam", "jordan", "olga", "eve")


def at(day: dt.date, hour: int, minute: int = 0, tz: dt.tzinfo = CHICAGO) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def ids(personas: Personas, *names: str) -> list[int]:
    return sorted(getattr(personas, name).pk for name in names)


def test_digests_are_due_from_friday_at_four_in_the_guardians_time_zone(personas):
    assert digests.due_guardians(at(FRIDAY, 15, 59)) == []
    assert digests.due_guardians(at(FRIDAY, 16, 0)) == ids(personas, *GUARDIANS)
    assert digests.due_guardians(at(FRIDAY + dt.timedelta(days=2), 23, 0)) == ids(
        personas, *GUARDIANS
    )
    # the next week starts on Monday: nothing is due until its Friday
    assert digests.due_guardians(at(FRIDAY + dt.timedelta(days=3), 9)) == []


def test_each_school_chooses_its_day_and_hour(personas):
    """Eve's school sends on Mondays at 8, and Eve reads her email in Madrid."""
    SchoolNotificationSettings.objects.create(
        school=personas.other_school, digest_weekday=0, digest_hour=8
    )
    User.objects.filter(pk=personas.eve.pk).update(timezone="Europe/Madrid")
    assert digests.due_guardians(at(MONDAY, 7, 59, MADRID)) == []
    assert digests.due_guardians(at(MONDAY, 8, 0, MADRID)) == ids(personas, "eve")
    # all week after that, while the others wait for Friday
    assert digests.due_guardians(at(FRIDAY, 15, 0)) == ids(personas, "eve")


def test_a_digest_written_this_week_is_not_due_again(personas):
    now = at(FRIDAY, 17)
    digest.compose(ids(personas, "sam"), now=now)
    assert digests.due_guardians(now) == ids(personas, "jordan", "olga", "eve")
    assert digests.due_guardians(now, everyone=True) == ids(personas, "jordan", "olga", "eve")


def run(*args: str) -> str:
    out = StringIO()
    call_command("digests", "send", *args, stdout=out)
    return out.getvalue()


def test_send_now_queues_every_digest_of_the_week_once(personas):
    first = run("--now")
    assert first.startswith("4 digest(s) composed")
    assert Digest.objects.filter(period=DigestPeriod.WEEKLY).count() == 4
    assert run("--now").startswith("0 digest(s) composed")
    assert Digest.objects.count() == 4


def test_send_for_one_school_reaches_only_its_families(personas):
    run("--now", "--school", str(personas.sister_school.pk))
    assert list(Digest.objects.values_list("recipient_id", flat=True)) == [personas.olga.pk]


def test_send_refuses_a_school_that_does_not_exist(personas):
    with pytest.raises(CommandError, match="No school has the id 999999"):
        run("--now", "--school", "999999")
    with pytest.raises(CommandError, match=f"No school has the id {personas.district.pk}"):
        run("--now", "--school", str(personas.district.pk))
    assert not Digest.objects.exists()


def test_the_worker_sweeps_due_digests_once(personas, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert "weekly_digest" in registry.sweeps()
    assert sweeps.run_due(at(FRIDAY, 15, 50), force=True) == 0
    # with nothing due, the sweep looks again at the next quarter hour
    SchoolNotificationSettings.objects.create(school=personas.school, digest_hour=15)
    assert digests.sweep(at(FRIDAY, 15, 55)) == 0
    assert digests.sweep(at(FRIDAY, 16, 0)) == 4
    assert digests.sweep(at(FRIDAY, 16, 1)) == 0
    assert digests.sweep(at(FRIDAY, 17, 0)) == 0
    assert Digest.objects.count() == 4


# --- "I've read this" ----------------------------------------------------------------------------


@pytest.fixture
def sams_digest(personas) -> Digest:
    return Digest.objects.create(
        recipient=personas.sam,
        period=DigestPeriod.WEEKLY,
        starts=MONDAY,
        created_at=at(FRIDAY, 16),
        children=[personas.ada.pk, personas.leo.pk],
    )


def test_the_read_link_records_one_confirmation(sams_digest):
    token = digest_email.confirm_token(sams_digest.recipient_id, MONDAY)
    page = Client().get(f"/notifications/digest/read/{token}/")
    assert page.status_code == 200
    assert b"data-auto-submit" in page.content  # one press, made by its script
    sams_digest.refresh_from_db()
    assert sams_digest.confirmed_at is None  # opening the link is not reading
    done = Client().post(f"/notifications/digest/read/{token}/")
    assert done.status_code == 200
    assert "Gracias" in done.content.decode() or "Thank you" in done.content.decode()
    sams_digest.refresh_from_db()
    first = sams_digest.confirmed_at
    assert first is not None
    Client().post(f"/notifications/digest/read/{token}/")
    sams_digest.refresh_from_db()
    assert sams_digest.confirmed_at == first


@pytest.mark.parametrize("change", ["tampered", "cut", "other week", "garbage"])
def test_a_changed_read_link_is_refused_and_records_nothing(sams_digest, change):
    token = digest_email.confirm_token(sams_digest.recipient_id, MONDAY)
    bad = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "cut": token[: len(token) // 2],
        "other week": digest_email.confirm_token(
            sams_digest.recipient_id, MONDAY - dt.timedelta(7)
        ),
        "garbage": "not-a-token",
    }[change]
    for method in ("get", "post"):
        answer = getattr(Client(), method)(f"/notifications/digest/read/{bad}/")
        assert answer.status_code == 400
        assert "This link does not work" in answer.content.decode()
    sams_digest.refresh_from_db()
    assert sams_digest.confirmed_at is None


# --- the daily digest ----------------------------------------------------------------------------


def waiting(user: User, title: str, created_at: dt.datetime) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind="test_daily",
        title=title,
        email_mode=EmailMode.DAILY,
        key=f"{user.pk}:test_daily:{title}",
        created_at=created_at,
    )


def test_the_daily_digest_carries_each_waiting_notification_once(personas):
    p = personas
    morning = at(FRIDAY, 9)
    waiting(p.sam, "Leo's lab is missing", morning)
    waiting(p.sam, "Ada's quiz is graded", morning)
    waiting(p.rivera, "Two pieces of work to grade", morning)
    Notification.objects.create(
        recipient=p.jordan,
        kind="test",
        title="Weekly",
        email_mode=EmailMode.WEEKLY,
        key="weekly",
        created_at=morning,
    )
    assert "daily_digest" in registry.sweeps()
    assert daily.due_daily(at(FRIDAY, 16, 59)) == []
    assert daily.due_daily(at(FRIDAY, 17)) == ids(p, "sam", "rivera")
    assert daily.sweep(at(FRIDAY, 17)) == 2
    assert daily.sweep(at(FRIDAY, 18)) == 0
    sams = Delivery.objects.get(recipient=p.sam, kind="daily")
    assert sams.subject == "Village: 2 notificaciones del 4 de diciembre"
    assert sams.headers["Content-Language"] == "es"
    assert "Leo's lab is missing" in sams.text
    assert "Ada&#x27;s quiz is graded" in sams.html or "Ada's quiz is graded" in sams.html
    assert not Notification.objects.filter(recipient=p.sam, digested_at__isnull=True).exists()
    assert Notification.objects.get(recipient=p.jordan).digested_at is None  # weekly's own
    # the next day's digest carries only what came after
    waiting(p.sam, "Leo's essay is returned", at(FRIDAY + dt.timedelta(days=1), 9))
    assert daily.sweep(at(FRIDAY + dt.timedelta(days=1), 17)) == 1
    latest = Delivery.objects.filter(recipient=p.sam, kind="daily").order_by("-id")[0]
    assert "Leo's essay is returned" in latest.text
    assert "Leo's lab is missing" not in latest.text


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_send_in_two_processes_queues_each_digest_once(monkeypatch):
    """Each process composes its own share: every guardian's digest once, none twice."""
    from village.demo.personas import build_personas

    build_personas()
    monkeypatch.setattr(digests, "PARALLEL_FROM", 0)

    out = run("--now", "--processes", "2")

    assert out.startswith("4 digest(s) composed")
    assert sorted(Digest.objects.values_list("recipient__username", flat=True)) == sorted(GUARDIANS)
    emailed = Delivery.objects.filter(kind="weekly_digest")
    assert emailed.count() == int(out.split(", ")[1].split()[0])
    assert len(set(emailed.values_list("recipient_id", flat=True))) == emailed.count()
    assert run("--now", "--processes", "2").startswith("0 digest(s) composed")


def test_send_refuses_fewer_than_one_process(personas):
    with pytest.raises(CommandError, match="--processes must be 1 or more"):
        run("--now", "--processes", "0")
    assert not Digest.objects.exists()
