"""A family the roster lacks joins Village with the pairing code their child brought home."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.test_journeys import assert_accessible, main_text, shoot, sign_in
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_prints_codes_and_a_new_family_signs_up_with_one(live_server, browser):
    people = build_personas()
    teacher = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = teacher.new_page()
    sign_in(page, live_server, "rivera")
    page.goto(f"{live_server.url}/classes/{people.homeroom5.pk}/")
    page.get_by_role("link", name="Pairing codes for families").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_role("button", name="Make the codes").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "code-sheet-as-rivera")
    cards = page.locator(".code-card")
    assert cards.count() == 1  # Maya is the only student without a guardian in Village
    assert "Maya Lopez" in cards.first.inner_text()
    code = cards.first.locator(".pairing-code").inner_text().strip()
    teacher.close()

    family = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = family.new_page()
    page.goto(f"{live_server.url}/families/signup/")
    assert_accessible(page)
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Email").fill("rosa.lopez@example.org")
    page.locator("input[name=password1]").fill("a-long-family-passphrase")
    page.locator("input[name=password2]").fill("a-long-family-passphrase")
    page.locator("input[name=code]").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state("networkidle")
    assert "Check your email" in main_text(page)
    assert_accessible(page)
    confirm = re.search(r"https?://\S+/families/signup/confirm/\S+/", str(mail.outbox[-1].body))
    assert confirm
    page.goto(confirm.group(0))
    assert_accessible(page)
    page.get_by_label("The password you chose when you signed up").fill("a-long-family-passphrase")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/")
    text = main_text(page)
    assert "Maya Lopez" in text
    assert "Ada" not in text
    assert_accessible(page)
    shoot(page, "home-new-family")
    family.close()
