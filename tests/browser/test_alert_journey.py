"""An alert end to end, as the people involved live it.

Sam (Spanish) asks to hear when Leo's course grade falls below 70 %; Ms. Rivera returns a low
grade that takes Leo's grade in Grade 8 Science across it; the worker runs; Sam finds the alert
in her notification centre and in her inbox, at a real SMTP server the test starts (aiosmtpd):
multipart, in Spanish, with one-click unsubscribe. Jordan, who may not see Leo's grades, hears
nothing about the grade; Eve hears nothing at all. Every page passes axe-core.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.classwork import alerts as classwork_alerts
from village.classwork.models import Assignment, Feedback
from village.core.tests.test_mail_smtp import Inbox, free_port
from village.demo.personas import build_personas
from village.notifications.models import AlertRule, Notification, UserSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # The hold that lets a teacher correct a slip is tested on its own; here the worker may
    # look at once.
    settings.VILLAGE_ALERT_HOLD_MINUTES = 0
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    yield received
    controller.stop()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_phone() -> Any:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def test_sam_hears_of_leos_grade_crossing_70_by_notification_and_email(
    live_server: Any, phone: Any, inbox: Inbox
) -> None:
    people = build_personas()
    # Sam reads email at any hour: no quiet hours, so the alert is due at once.
    UserSettings.objects.create(user=people.sam, quiet_hours=False)
    now = timezone.now()
    lab = Assignment.objects.create(
        school_class=people.science8,
        title="Density lab",
        assign_at=now - dt.timedelta(days=10),
        due_at=now - dt.timedelta(days=3),
        points=Decimal(10),
    )
    Feedback.objects.create(
        assignment=lab, student=people.leo, score=Decimal(9), returned_at=now - dt.timedelta(days=2)
    )
    quiz = Assignment.objects.create(
        school_class=people.science8,
        title="Buoyancy quiz",
        assign_at=now - dt.timedelta(days=5),
        due_at=now - dt.timedelta(days=1),
        points=Decimal(40),
    )

    # Sam asks for the alert about Leo, on her phone, in Spanish.
    sam = phone()
    sign_in(sam, live_server, "sam")
    sam.goto(f"{live_server.url}/family/children/{people.leo.pk}/")
    sam.get_by_role("link", name="Configurar las alertas sobre Leo").click()
    sam.wait_for_load_state("networkidle")
    switch = sam.locator(f"#id_{classwork_alerts.COURSE_BELOW}-enabled")
    switch.check()
    sam.locator(f"#id_{classwork_alerts.COURSE_BELOW}-threshold").fill("70")
    assert_accessible(sam, "alerts about Leo")
    sam.get_by_role("button", name="Guardar las alertas").click()
    expect(sam.locator(".messages")).to_contain_text("Sus alertas sobre Leo están guardadas.")
    rule = AlertRule.objects.get(
        guardian=people.sam, child=people.leo, kind=classwork_alerts.COURSE_BELOW
    )
    assert (rule.enabled, rule.threshold) == (True, Decimal(70))
    shoot(sam, "alert-journey-sam-rule")

    # Ms. Rivera returns a low grade: Leo's course grade goes from 90 % to 28 %.
    rivera = phone()
    sign_in(rivera, live_server, "rivera")
    rivera.goto(f"{live_server.url}/work/assignments/{quiz.pk}/grade/{people.leo.pk}/")
    rivera.locator("#id_score").fill("5")
    rivera.locator("#id_comment").fill("Leo, review how buoyancy depends on density.")
    assert_accessible(rivera, "grading Leo")
    rivera.get_by_role("button", name="Return to student").click()
    rivera.wait_for_load_state("networkidle")
    assert Feedback.objects.get(assignment=quiz, student=people.leo).returned_at is not None

    # The worker looks at Leo's alerts and sends what is due.
    call_command("worker", "--burst", "--purge-every", "0", stdout=StringIO())

    # Sam sees it from the bell.
    sam.goto(f"{live_server.url}/")
    sam.get_by_role("link", name="Notificaciones, 2 sin leer").click()
    sam.wait_for_url("**/notifications/")
    text = main_text(sam)
    assert "La nota de Leo en Grade 8 Science bajó del 70 %" in text
    assert_accessible(sam, "centre")
    shoot(sam, "alert-journey-sam-centre")

    # And in her inbox: one email about the grade, multipart, in Spanish, with unsubscribe.
    to_sam = [m for m in inbox.received if people.sam.email in m["To"]]
    grade_mail = [m for m in to_sam if "70" in m["Subject"]]
    assert len(grade_mail) == 1
    email = grade_mail[0]
    assert email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in email.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert email["Content-Language"] == "es"
    assert email["List-Unsubscribe"].strip().startswith("<https://")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = email.get_body(preferencelist=("plain",))
    assert plain is not None
    assert "28 %" in plain.get_content()
    assert people.rivera.email in plain.get_content()

    # Jordan may not see Leo's grades: nothing about the grade reaches him.
    jordan_kinds = set(
        Notification.objects.filter(recipient=people.jordan).values_list("kind", flat=True)
    )
    assert not {kind for kind in jordan_kinds if "grade" in kind}
    assert not [m for m in inbox.received if people.jordan.email in m["To"] and "%" in str(m)]
    jordan = phone()
    sign_in(jordan, live_server, "jordan")
    jordan.goto(f"{live_server.url}/notifications/")
    # Neither the threshold nor the grade (a time such as 10:28 may show; a percentage may not).
    centre = main_text(jordan)
    assert not re.search(r"\b(?:70|28)\s?%", centre), centre
    assert "below" not in centre
    assert_accessible(jordan, "jordan centre")
    # Eve, at another district, hears nothing.
    assert not Notification.objects.filter(recipient=people.eve).exists()
    assert not [m for m in inbox.received if people.eve.email in m["To"]]
