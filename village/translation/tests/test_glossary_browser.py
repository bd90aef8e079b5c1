"""Principal Nguyen keeps Riverside's glossary in a phone's browser: the page, a refused term
and a saved one pass axe-core, and nothing scrolls sideways at 320 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.demo.personas import build_personas
from village.translation.models import GlossaryTerm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDEST = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def test_an_admin_adds_a_term_after_a_refusal(live_server, browser: Any):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    p = build_personas()
    sign_in(page, live_server, "nguyen")
    page.goto(f"{live_server.url}/translation/schools/{p.school.pk}/glossary/")
    assert page.evaluate(WIDEST) <= 320
    assert_accessible(page, "glossary")
    page.locator("#id_term").fill("Field trip")
    page.locator("#id_rule_1").check()
    page.locator("form.form-stack button[type=submit]").click()
    assert "Write how the term is always translated." in page.locator(".error-summary").inner_text()
    assert_accessible(page, "glossary-refused")
    shoot(page, "glossary-refused")
    page.locator("#id_target_language").select_option("es")
    page.locator("#id_replacement").fill("excursión")
    page.locator("form.form-stack button[type=submit]").click()
    assert "excursión" in page.locator("table").inner_text()
    assert page.evaluate(WIDEST) <= 320
    assert_accessible(page, "glossary-saved")
    shoot(page, "glossary-saved")
    assert GlossaryTerm.objects.get().replacement == "excursión"
    context.close()
