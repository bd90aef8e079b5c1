"""Sam follows Ada's learning goals on her phone (375 px), in Spanish: Ada's page shows her
goals at a glance, the plan shows what Ada did and what Ms. Rivera said, and Sam sends a few
words of encouragement. Every page passes axe-core; screenshots are kept with
``VILLAGE_SCREENSHOTS``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.goals.models import Encouragement, Plan
from village.goals.tests.conftest import Goals
from village.goals.tests.test_family_pages import build_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone_375(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_sam_encourages_ada_from_her_phone(
    phone_375: Any, live_server: Any, goals: Goals, ada: Plan
) -> None:
    fam = build_family(goals, ada)
    page = phone_375
    sign_in(page, live_server, "sam")

    page.goto(f"{live_server.url}{reverse('families:child', args=[fam.people.ada.pk])}")
    section = page.locator("section.gf-family")
    expect(section.get_by_role("heading", name="Metas de aprendizaje")).to_be_visible()
    expect(section.get_by_role("img")).to_have_attribute(
        "aria-label", "0 de 7 metas cumplidas; En curso: 1; Elegida: 6"
    )
    assert_accessible(page, "Ada's page")
    shoot(page, "goals-family-child-page-es")

    section.get_by_role("link", name="Weather and the water cycle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plan de Ada")
    assert "I drew the water cycle." in main_text(page)
    assert "A clear drawing, Ada." in main_text(page)
    assert_accessible(page, "Ada's plan")
    shoot(page, "goals-family-plan-es")

    card = page.locator(f"#goal-{fam.cycle.pk}")
    card.get_by_text("Animar a Ada").click()
    card.get_by_label("Sus palabras de ánimo").fill("¡Qué bonito dibujo, Ada!")
    assert_accessible(page, "the encouragement form")
    card.get_by_role("button", name="Enviar las palabras de ánimo").click()
    expect(page.get_by_role("status")).to_contain_text("Enviado")
    expect(page.locator(f"#goal-{fam.cycle.pk}")).to_contain_text("¡Qué bonito dibujo, Ada!")
    assert_accessible(page, "after encouraging")
    shoot(page, "goals-family-encouraged-es")
    assert Encouragement.objects.filter(language="es", author=fam.people.sam).count() == 2
