"""The roster pages in a real browser: a district admin uploads a roster on a phone, watches it
being checked, confirms it; every page passes an axe-core scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.pages import assert_accessible
from village.demo.personas import DEMO_PASSWORD, build_personas
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.uploads import SCHOOL, STAMP, bundle_bytes, delta_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("village.rostering.tests.upload_urls"),
]


@pytest.fixture
def phone(browser: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    yield context.new_page()
    context.close()


def test_district_admin_uploads_checks_and_confirms_a_roster(live_server, phone, tmp_path):
    build_personas()
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("priya")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/roster/upload/")
    assert_accessible(page)
    page.locator("input[type=submit], button[type=submit]").last.click()  # no file: an error
    page.wait_for_load_state("networkidle")
    assert "This field is required." in page.locator("main").inner_text()
    assert_accessible(page)

    rows = delta_rows()
    rows["enrollments"].append(f"bad,active,{STAMP},nowhere,{SCHOOL},new-student,student,,,")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bundle_bytes(rows))
    page.locator("input[type=file]").set_input_files(str(broken))
    page.locator("form.form-stack button[type=submit]").click()
    page.wait_for_selector("text=Rejected", timeout=15_000)
    assert "nowhere" in page.locator("main").inner_text()
    assert_accessible(page)

    good = tmp_path / "good.zip"
    good.write_bytes(bundle_bytes(delta_rows()))
    page.goto(f"{live_server.url}/roster/upload/")
    page.locator("input[type=file]").set_input_files(str(good))
    page.locator("form.form-stack button[type=submit]").click()
    page.wait_for_selector("text=Confirm and apply", timeout=15_000)
    assert_accessible(page)

    page.locator("text=Confirm and apply").click()
    page.wait_for_selector("text=This roster has been applied.", timeout=15_000)
    assert_accessible(page)
    assert RosterImport.objects.filter(status=ImportStatus.APPLIED).count() == 1

    page.goto(f"{live_server.url}/roster/")
    assert "good.zip" in page.locator("main").inner_text()
    assert_accessible(page)


def test_progress_page_passes_axe_while_working(live_server, phone, settings):
    personas = build_personas()
    from django.core.files.base import ContentFile

    roster_import = RosterImport(
        organisation=personas.district,
        uploaded_by=personas.priya,
        original_name="waiting.zip",
        size=3,
        status=ImportStatus.VALIDATING,
    )
    roster_import.file.save("x.zip", ContentFile(b"zip"), save=True)
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("priya")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/roster/imports/{roster_import.pk}/")
    assert page.locator("progress").count() == 1
    assert_accessible(page)
