"""Sam reads Leo's classwork machine-translated into Spanish on a small phone (320 px wide):
nothing to scroll sideways, no accessibility violation (axe-core), and the original one tap
(or one Enter) away, in its own language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.classwork.tests.family.test_family_translation import leos_week, spanish
from village.demo.personas import build_personas
from village.translation import worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDEST = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.fixture
def narrow_phone(browser: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_sam_opens_the_original_of_a_translated_comment_with_the_keyboard(
    live_server, narrow_phone, settings
):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    p = build_personas()
    work = leos_week(p)
    worker.run()
    page = narrow_phone
    sign_in(page, live_server, "sam")
    for name, path in (
        ("child", f"/family/children/{p.leo.pk}/"),
        ("work", f"/work/assignments/{work.pk}/"),
        ("home", "/"),
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, name
        assert page.evaluate(WIDEST) <= 320, name
        assert_accessible(page, f"translated-{name}")
        shoot(page, f"translated-{name}")
    page.goto(f"{live_server.url}/work/assignments/{work.pk}/")
    comment = spanish("Great work, Leo! Check the blorptastic label.")
    assert comment in page.locator("blockquote.feedback-comment").inner_text()
    note = page.locator(".feedback-comment + .mt-note")
    original = note.locator(".mt-original-text")
    assert not original.is_visible()
    summary = note.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert original.is_visible()
    assert original.get_attribute("lang") == "en"
    assert original.inner_text() == "Great work, Leo! Check the blorptastic label."
    assert page.evaluate(WIDEST) <= 320
    assert_accessible(page, "translated-work-original-open")
