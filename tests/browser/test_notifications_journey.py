"""Notifications on a small phone (360 px): Sam opens her notifications from the bell, reads
them all and sets an alert about Leo with the keyboard, in Spanish; Jordan finds his in English,
without grade alerts about Leo. Every page passes axe-core with no violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.demo.personas import build_personas
from village.notifications.models import AlertRule
from village.notifications.tests import kinds as k
from village.notifications.tests.factories import notification
from village.notifications.tests.kinds import registered_kinds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 780}


@pytest.fixture
def small_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def kinds() -> Iterator[None]:
    with registered_kinds():
        yield


def test_sam_reads_her_notifications_from_the_bell_and_sets_an_alert_about_leo(
    live_server, small_phone, kinds
):
    people = build_personas()
    page = small_phone
    notification(people.sam, "El trabajo de ciencias de Leo falta", child=people.leo, link="/")
    notification(
        people.sam,
        "Nuevo comentario para Ada",
        child=people.ada,
        ago=dt.timedelta(hours=5),
        body="La Sra. Rivera devolvió «Ortografía».",
    )
    notification(people.sam, "La escuela cierra el viernes", ago=dt.timedelta(days=1))
    notification(people.sam, "Resumen semanal", ago=dt.timedelta(days=6), read=True)
    sign_in(page, live_server, "sam")

    bell = page.get_by_role("link", name="Notificaciones, 3 sin leer")
    expect(bell).to_be_visible()  # on a phone, outside the menu
    expect(page.locator(".main-nav")).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 80
    bell.click()
    page.wait_for_url("**/notifications/")
    expect(page.locator("h1")).to_have_text("Notificaciones")
    assert "Sobre Leo" in main_text(page)
    assert_accessible(page, "centre with unread")
    shoot(page, "notifications-centre-es")

    page.get_by_role("button", name="Marcar todo como leído").click()
    expect(page.get_by_role("link", name="Notificaciones, ninguna sin leer")).to_be_visible()
    assert "Todo leído" in main_text(page)
    assert page.locator("li.notification.is-unread").count() == 0
    assert_accessible(page, "centre, all read")
    shoot(page, "notifications-centre-read-es")

    page.get_by_role("link", name="Ajustes de notificaciones").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "settings")
    shoot(page, "notifications-settings-es")
    page.get_by_role("link", name="Alertas sobre Leo").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Alertas sobre Leo")
    assert_accessible(page, "alerts about Leo")
    shoot(page, "notifications-alerts-leo-es")

    # With the keyboard only: turn on "grade falling", 8 points over 2 weeks, and save.
    switch = page.locator(f"#id_{k.TREND}-enabled")
    expect(switch).not_to_be_checked()
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator(f"#id_{k.TREND}-threshold")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    expect(page.locator(f"#id_{k.TREND}-weeks")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Guardar las alertas")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Sus alertas sobre Leo están guardadas.")
    assert_accessible(page, "alerts saved")
    rule = AlertRule.objects.get(guardian=people.sam, child=people.leo, kind=k.TREND)
    assert (rule.enabled, rule.threshold, rule.weeks) == (True, Decimal(8), 2)
    shoot(page, "notifications-alerts-leo-saved-es")


def test_jordan_finds_his_notifications_and_alerts_in_english(live_server, small_phone, kinds):
    people = build_personas()
    page = small_phone
    sign_in(page, live_server, "jordan")
    page.get_by_role("link", name="Notifications, none unread").click()
    page.wait_for_load_state("networkidle")
    assert "Nothing yet." in main_text(page)
    assert_accessible(page, "empty centre")
    shoot(page, "notifications-centre-empty-en")

    notification(people.jordan, "Leo's science work is missing", child=people.leo, link="/")
    notification(
        people.jordan,
        "New feedback for Leo",
        child=people.leo,
        body="Ms. Rivera returned “Density lab”.",
        ago=dt.timedelta(hours=2),
        read=True,
    )
    page.reload()
    assert "About Leo" in main_text(page)
    assert_accessible(page, "centre")
    shoot(page, "notifications-centre-en")
    page.get_by_role("link", name="Notification settings").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "settings")
    shoot(page, "notifications-settings-en")
    page.get_by_role("link", name="Alerts about Leo").click()
    page.wait_for_load_state("networkidle")
    text = main_text(page)
    assert "Test: missing work" in text
    assert "The school does not share Leo’s “Grades” with you" in text  # noqa: RUF001
    assert page.locator(f"#id_{k.GRADE_BELOW}-threshold").count() == 0
    assert_accessible(page, "alerts about Leo")
    shoot(page, "notifications-alerts-leo-en")
    page.locator(f"#id_{k.MISSING}-enabled").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save the alerts")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your alerts about Leo are saved.")
    assert AlertRule.objects.get(guardian=people.jordan, kind=k.MISSING).enabled is False
