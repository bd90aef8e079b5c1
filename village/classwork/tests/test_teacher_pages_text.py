"""How the teacher's pages take and show text: instructions typed as plain text (kept as typed
for editing, shown as paragraphs), links in what students hand in, form errors summarised at the
top with the page title saying so, and the gradebook's count in a live region."""

from __future__ import annotations

import re

import pytest

from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import Assignment
from village.classwork.tests.factories import assignment, hand_in
from village.classwork.tests.test_teacher_views import login, post_data
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

TYPED = "Read **chapter 3**.\nTake notes.\n\n- measure\n- record\n\nhttps://example.org/guide"


def test_instructions_typed_as_text_keep_paragraphs_and_are_edited_as_typed(
    personas: Personas,
) -> None:
    p = personas
    client = login(p.rivera)
    response = client.post(
        f"/work/classes/{p.science8.pk}/assignments/new/", post_data(instructions=TYPED)
    )
    assert response.status_code == 302
    work = Assignment.objects.get()
    assert work.instructions.startswith(
        "<p>Read <strong>chapter 3</strong>.<br>Take notes.</p><ul><li>measure</li>"
    )
    assert 'href="https://example.org/guide"' in work.instructions
    page = client.get(f"/work/classes/{p.science8.pk}/assignments/{work.pk}/").content.decode()
    assert "<strong>chapter 3</strong>" in page
    form = client.get(f"/work/classes/{p.science8.pk}/assignments/{work.pk}/edit/")
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", form.content.decode(), re.S)
    assert box
    assert box.group(1).strip() == "Read **chapter 3**.\nTake notes.\n\n- measure\n- record\n\n" + (
        "https://example.org/guide"
    )
    assert "data-format-toolbar" in box.group(0)


def test_the_help_text_describes_the_formatting_and_no_tags(personas: Personas) -> None:
    html = (
        login(personas.rivera)
        .get(f"/work/classes/{personas.science8.pk}/assignments/new/")
        .content.decode()
    )
    help_text = html.split('id="id_instructions_helptext"', 1)[1].split("</div>", 1)[0]
    assert "**bold**" in help_text
    assert "&lt;p&gt;" not in help_text
    assert "format-toolbar.js" in html


def test_instructions_written_as_html_still_render_and_edit_as_html(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, "Lab", instructions="<p>Old <em>style</em>.</p>")
    client = login(p.rivera)
    page = client.get(f"/work/classes/{p.science8.pk}/assignments/{work.pk}/").content.decode()
    assert "<p>Old <em>style</em>.</p>" in page
    url = f"/work/classes/{p.science8.pk}/assignments/{work.pk}/edit/"
    form = client.get(url).content.decode()
    assert "&lt;p&gt;Old &lt;em&gt;style&lt;/em&gt;.&lt;/p&gt;" in form
    data = post_data(title="Lab", instructions="<p>Old <em>style</em>.</p>")
    client.post(url, data | {"assign_at": data["assign_at"]})
    work.refresh_from_db()
    assert work.instructions == "<p>Old <em>style</em>.</p>"


def test_instructions_over_the_limit_are_refused_on_the_form(personas: Personas) -> None:
    p = personas
    data = post_data(instructions="a" * (LONG_TEXT_MAX + 1))
    response = login(p.rivera).post(f"/work/classes/{p.science8.pk}/assignments/new/", data)
    assert response.status_code == 200
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_instructions"' in summary
    assert f"at most {LONG_TEXT_MAX:,} characters" in summary
    assert not Assignment.objects.exists()


def test_links_handed_in_are_links_for_people_and_wrap(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Sources", due_in_days=-1)
    hand_in(work, p.ada, text="See https://example.org/my-sources\nand my notes.")
    html = login(p.rivera).get(f"/work/assignments/{work.pk}/grade/{p.ada.pk}/").content.decode()
    assert (
        '<a href="https://example.org/my-sources" rel="noopener nofollow ugc">'
        "https://example.org/my-sources</a><br>and my notes."
    ) in html


def test_a_form_error_is_summarised_at_the_top_and_in_the_title(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    url = f"/work/assignments/{work.pk}/grade/{p.ada.pk}/"
    html = login(p.rivera).post(url, {"score": "12", "action": "return"}).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title
    assert title.group(1).strip().startswith("Error: Quiz")
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_score"' in summary
    assert "between 0 and 10" in summary
    assert re.search(r'id="error-summary"[^>]*tabindex="-1"[^>]*autofocus', html)


def test_without_errors_the_title_has_no_prefix(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Quiz", due_in_days=-1, points=10)
    html = login(p.rivera).get(f"/work/assignments/{work.pk}/grade/{p.ada.pk}/").content.decode()
    assert "Error:" not in html
    assert 'id="error-summary"' not in html


def test_the_gradebook_has_a_live_region_outside_the_results(personas: Personas) -> None:
    p = personas
    assignment(p.homeroom5, "Quiz", due_in_days=-1)
    html = login(p.rivera).get(f"/work/classes/{p.homeroom5.pk}/gradebook/").content.decode()
    status = html.index('id="gradebook-status"')
    assert 'aria-live="polite"' in html[status - 200 : status + 200]
    assert status < html.index('id="gradebook-results"')
    assert 'id="gradebook-count"' in html
