"""A child's page keeps its sections between requests: the next request runs fewer queries and
shows the same; every change a family must see (a grade returned, a request for help) shows on
the next request, the clock still turns work due into missing work, a viewer's kept sections are
theirs alone, and the access check and the audit entry happen on every request.

The areas' data is the demo term of the persona district (``village.demo``), and what changes it
goes through the areas' own pages, as the teacher or the student would: this app never imports
the apps that add sections to the page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from village.accounts.models import User
from village.community.models import GuardianLink, LinkStatus, Scope
from village.community.services import guardian_link_set_access
from village.core.models import AuditAction, AuditEvent
from village.demo.classwork.term import demo_classwork_build
from village.demo.goals import demo_goals_build
from village.demo.personas import Personas
from village.families import surface
from village.families.surface import ChildRequest, Section

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
WORK_LINK = re.compile(r'<a href="/work/assignments/(\d+)/">([^<]+)</a>')


@pytest.fixture
def demo(personas: Personas) -> Personas:
    """The demo term of classwork in the personas' classes; Sam reads English here (he reads
    Spanish in the demo; most of these tests read labels)."""
    demo_classwork_build()
    User.objects.filter(pk=personas.sam.pk).update(preferred_language="en")
    personas.sam.preferred_language = "en"
    return personas


@pytest.fixture
def demo_goals(demo: Personas) -> Personas:
    """The demo's goal sets too: Ada's weather plan in her homeroom, Leo's in science."""
    demo_goals_build()
    return demo


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def child_url(student: User, *, printing: bool = False) -> str:
    return reverse("families:child_print" if printing else "families:child", args=[student.pk])


def page(client: Client, student: User, *, printing: bool = False) -> str:
    response = client.get(child_url(student, printing=printing))
    assert response.status_code == 200
    return response.content.decode()


def counted(client: Client, student: User) -> tuple[str, int]:
    """The page's HTML (without the request's own CSRF token) and its number of queries."""
    with CaptureQueriesContext(connection) as queries:
        html = page(client, student)
    return CSRF_VALUE.sub("", html), len(queries)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def works(html: str, heading_id: str) -> list[tuple[int, str]]:
    """The (assignment id, title) of each piece of work listed in a section."""
    return [(int(pk), title) for pk, title in WORK_LINK.findall(section(html, heading_id))]


# --- kept between requests -----------------------------------------------------------------------


def test_the_next_request_runs_fewer_queries_and_shows_the_same(demo_goals: Personas):
    p = demo_goals
    sam = signed_in(p.sam)
    first, built = counted(sam, p.leo)
    second, kept = counted(sam, p.leo)
    assert second == first
    assert works(second, "missing-heading")
    assert f'aria-labelledby="goals-{p.leo.pk}"' in second
    assert kept < built - 5


def test_every_request_is_checked_and_audited_kept_or_not(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    before = AuditEvent.objects.count()
    page(sam, p.leo)
    page(sam, p.leo)
    events = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.actor_id, e.student_id, e.action) for e in events] == [
        (p.sam.pk, p.leo.pk, AuditAction.VIEW_STUDENT)
    ] * 2


def test_the_printed_summary_is_kept_apart_from_the_page(demo: Personas):
    sam = signed_in(demo.sam)
    for _twice in range(2):
        assert 'aria-labelledby="classes-heading"' in page(sam, demo.leo)
        assert 'aria-labelledby="classes-heading"' not in page(sam, demo.leo, printing=True)


# --- changes show on the next request -------------------------------------------------------------


def test_a_grade_returned_shows_on_the_next_request(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    html = page(sam, p.leo)
    assert "Neat handwriting, Leo." not in html
    assignment_id, _title = works(html, "missing-heading")[0]
    returned = [
        teacher.post(
            reverse("classwork:grade", args=[assignment_id, p.leo.pk]),
            {"comment": "Neat handwriting, Leo.", "action": "return"},
        ).status_code
        for teacher in (signed_in(p.rivera), signed_in(p.chen))
    ]
    assert 302 in returned  # the class's teacher returned it (the other may not)
    assert "Neat handwriting, Leo." in section(page(sam, p.leo), "feedback-heading")


def test_a_request_for_help_shows_on_the_next_request(demo_goals: Personas):
    p = demo_goals
    sam = signed_in(p.sam)
    before = section(page(sam, p.ada), f"goals-{p.ada.pk}")
    assert "Weather and the water cycle" in before
    ada = signed_in(p.ada)
    sets = ada.get(reverse("goals:index")).content.decode()
    plan = re.findall(r'href="(/goals/sets/\d+/)"', sets)[0]
    goal = re.findall(r'href="/goals/mine/goals/(\d+)/"', ada.get(plan).content.decode())
    asked = ada.post(
        reverse("goals:help_ask", args=[goal[0]]), {"help-text": "A jar and some ice, please."}
    )
    assert asked.status_code == 302
    after = section(page(sam, p.ada), f"goals-{p.ada.pk}")
    assert after != before
    assert "A jar and some ice, please." in after


# --- whose kept sections --------------------------------------------------------------------------


def test_another_guardian_never_gets_sams_kept_sections(demo: Personas):
    p = demo
    assert "fam-sparkline" in page(signed_in(p.sam), p.leo)
    jordans = page(signed_in(p.jordan), p.leo)
    assert works(jordans, "missing-heading")
    assert "fam-sparkline" not in jordans
    assert "out of" not in jordans


def test_another_language_is_another_kept_page(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    assert "Missing work" in page(sam, p.leo)
    User.objects.filter(pk=p.sam.pk).update(preferred_language="es")
    spanish = page(sam, p.leo)
    assert "Missing work" not in spanish
    assert "Tareas sin entregar" in spanish


def test_a_link_losing_grades_hides_them_even_with_a_kept_copy(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    assert "fam-sparkline" in page(sam, p.leo)
    # a bulk change that gives no version: the key holds the link's scopes
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(scope_grades=False)
    html = page(sam, p.leo)
    assert "fam-sparkline" not in html
    assert "out of" not in html
    assert works(html, "missing-heading")


def test_a_link_losing_classwork_drops_the_section_even_with_a_kept_copy(demo_goals: Personas):
    p = demo_goals
    sam = signed_in(p.sam)
    assert "missing-heading" in page(sam, p.leo)
    link = GuardianLink.objects.get(guardian=p.sam, student=p.leo)
    guardian_link_set_access(link=link, scopes=[Scope.GOALS], no_access=False)
    html = page(sam, p.leo)
    assert "missing-heading" not in html
    assert "/work/assignments/" not in html
    assert f'aria-labelledby="goals-{p.leo.pk}"' in html


def test_an_ended_link_is_a_404_even_with_a_kept_copy(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    page(sam, p.leo)
    page(sam, p.leo, printing=True)
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(status=LinkStatus.ENDED)
    before = AuditEvent.objects.count()
    assert sam.get(child_url(p.leo)).status_code == 404
    assert sam.get(child_url(p.leo, printing=True)).status_code == 404
    assert AuditEvent.objects.count() == before


# --- the clock ------------------------------------------------------------------------------------


def test_work_falling_due_turns_missing_without_a_write(demo: Personas):
    p = demo
    sam = signed_in(p.sam)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        first = works(page(sam, p.leo), "upcoming-heading")[0]  # the first to fall due
        assert first not in works(page(sam, p.leo), "missing-heading")
    with time_machine.travel(now + dt.timedelta(days=14), tick=False):
        html = page(signed_in(p.sam), p.leo)  # a session of that day
    assert first in works(html, "missing-heading")
    assert first not in works(html, "upcoming-heading")


# --- query counts ---------------------------------------------------------------------------------


def test_query_counts_stay_the_same_for_a_child_with_more_classes_and_work(
    demo_goals: Personas,
):
    p = demo_goals
    sam = signed_in(p.sam)
    counts = {}
    for child in (p.ada, p.leo):  # one class; several, with more work
        _html, built = counted(sam, child)
        _html, kept = counted(sam, child)
        counts[child.username] = (built, kept)
    assert counts["ada"] == counts["leo"]
    assert counts["leo"][1] < counts["leo"][0]


# --- what may be kept -----------------------------------------------------------------------------


class Counting:
    """A section of the goals area that counts how often it is built."""

    def __init__(self, *, csrf: bool = False) -> None:
        self.calls = 0
        self.csrf = csrf

    def __call__(self, asked: ChildRequest) -> Section:
        self.calls += 1
        token = get_token(asked.request) if self.csrf else ""
        return Section(
            html=format_html('<section id="counted">Built {} {}</section>', self.calls, token)
        )


@pytest.fixture
def registered() -> Iterator[dict[str, Counting]]:
    sections = {"kept": Counting(), "not-kept": Counting(), "form": Counting(csrf=True)}
    surface.register_child_section("classwork", "test.kept", sections["kept"], keep=True)
    surface.register_child_section("classwork", "test.not-kept", sections["not-kept"])
    surface.register_child_section("classwork", "test.form", sections["form"], keep=True)
    yield sections
    for name in ("test.kept", "test.not-kept", "test.form"):
        surface.unregister(name)


def test_only_sections_registered_to_be_kept_are_kept(
    personas: Personas, registered: dict[str, Counting]
):
    sam = signed_in(personas.sam)
    page(sam, personas.ada)
    page(sam, personas.ada)
    assert registered["kept"].calls == 1
    assert registered["not-kept"].calls == 2


def test_a_section_that_reads_the_csrf_token_is_never_kept(
    personas: Personas, registered: dict[str, Counting]
):
    sam = signed_in(personas.sam)
    page(sam, personas.ada)
    page(sam, personas.ada)
    assert registered["form"].calls == 2


def test_a_section_with_nothing_to_show_is_kept_as_nothing(personas: Personas):
    calls: list[int] = []

    def nothing(asked: ChildRequest) -> Section | None:
        calls.append(1)
        return None

    surface.register_child_section("classwork", "test.nothing", nothing, keep=True)
    try:
        sam = signed_in(personas.sam)
        page(sam, personas.ada)
        page(sam, personas.ada)
    finally:
        surface.unregister("test.nothing")
    assert calls == [1]


def test_a_section_is_kept_no_longer_than_its_valid_until(personas: Personas):
    calls: list[int] = []

    def briefly(asked: ChildRequest) -> Section:
        calls.append(1)
        until = asked.now + dt.timedelta(minutes=1)
        return Section(html=mark_safe("<section>Brief</section>"), valid_until=until)

    surface.register_child_section("classwork", "test.brief", briefly, keep=True)
    sam = signed_in(personas.sam)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    try:
        for minutes in (0, 0.5, 2):
            with time_machine.travel(noon + dt.timedelta(minutes=minutes), tick=False):
                page(sam, personas.ada)
    finally:
        surface.unregister("test.brief")
    assert len(calls) == 2
