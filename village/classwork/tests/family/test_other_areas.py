"""A new area adds to the family surface without any change to ``families``, and a change in
that area rebuilds its part only: classwork's kept summaries and overview part stay as they are.

The area here (a portfolio of goals, registered by the test and removed after it) stands for
the domains to come; it keeps nothing of its own, so each build shows the version it was built from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from village.accounts.models import User
from village.classwork import versions as classwork_versions
from village.classwork.family import overview
from village.classwork.models import ChildWorkSummary
from village.classwork.tests.family.test_family_selectors import build_term
from village.community import policies
from village.community.models import GuardianLink, Scope
from village.demo.personas import Personas
from village.families import surface, versions
from village.families.models import StudentVersion
from village.families.selectors import ATTENTION_PER_CHILD, family_versions
from village.families.surface import (
    Area,
    AttentionItem,
    ChildRequest,
    OverviewPart,
    OverviewRequest,
    Section,
)

pytestmark = pytest.mark.django_db

AREA = "portfolio"
HOME = "/"


@dataclass
class Goals:
    """The test area's builders, counting their calls."""

    overview_calls: int = 0
    section_calls: int = 0
    seen_tokens: list[dict[int, int]] = field(default_factory=list)

    def overview(self, asked: OverviewRequest) -> OverviewPart:
        self.overview_calls += 1
        self.seen_tokens.append({one.child.id: one.token for one in asked.children})
        return OverviewPart(
            attention=[
                AttentionItem(
                    child=one.child,
                    kind="goal_review",
                    label="Goal to review",
                    urgency=-1,  # before missing work
                    when=0.0,
                    title="Read twenty books",
                    link=f"/goals/{one.child.id}/",
                    html=format_html(
                        '<li class="fam-item"><span class="fam-child">{}</span> Goal of {}: '
                        "read twenty books (version {})</li>",
                        one.child.name,
                        one.child.name,
                        one.token,
                    ),
                )
                for one in asked.children
            ],
            sections=[mark_safe('<section id="goals-card">Goals this term</section>\n')],
            valid_until=asked.now + dt.timedelta(hours=1),
        )

    def section(self, asked: ChildRequest) -> Section:
        self.section_calls += 1
        return Section(
            html=format_html(
                '<section id="goals-page">Goals of {}{}</section>',
                asked.child.name,
                " (printed)" if asked.printing else "",
            )
        )


@pytest.fixture
def goals() -> Iterator[Goals]:
    area = Goals()
    surface.register_area(Area(AREA, Scope.GOALS))
    surface.register_overview(AREA, area.overview)
    surface.register_child_section(AREA, "portfolio.page", area.section, order=5)
    yield area
    surface.unregister("portfolio.page")
    surface.unregister(AREA)


@pytest.fixture
def sam(personas: Personas) -> Client:
    User.objects.filter(pk=personas.sam.pk).update(preferred_language="en")
    client = Client()
    client.force_login(personas.sam)
    return client


def get(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def attention(html: str) -> str:
    start = html.index('id="attention-heading"')
    return html[start : html.index("</ul>", start)]


def test_an_area_adds_items_that_need_attention_and_sections(personas, sam, goals):
    p = personas
    build_term(p)
    html = get(sam, HOME)
    needs = attention(html)
    # the area's items come first (most urgent), and classwork's still follow
    assert needs.index("Goal of Ada: read twenty books") < needs.index("Lab report: density")
    assert "Goal of Leo: read twenty books" in needs
    assert html.index('id="goals-card"') > html.index('id="recent-feedback-heading"')
    page = get(sam, reverse("families:child", args=[p.leo.pk]))
    assert page.index('id="goals-page"') < page.index('id="missing-heading"')
    assert "Goals of Leo</section>" in page
    printed = get(sam, reverse("families:child_print", args=[p.leo.pk]))
    assert "Goals of Leo (printed)" in printed
    assert 'id="summary-classes"' in printed


def test_a_child_shows_only_in_areas_the_link_allows(personas, sam, goals):
    p = personas
    build_term(p)
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(scope_goals=False)
    html = get(sam, HOME)
    assert "Goal of Ada" in html
    assert "Goal of Leo" not in html
    assert "Lab report: density" in attention(html)  # Leo's classwork still shows
    page = get(sam, reverse("families:child", args=[p.leo.pk]))
    assert 'id="goals-page"' not in page
    assert 'id="missing-heading"' in page


def test_the_most_urgent_few_per_child_are_taken_across_areas(personas, sam, goals):
    p = personas
    build_term(p)
    alone = overview.family_overview(p.sam)  # classwork's items, without the area's
    html = get(sam, HOME)
    needs = attention(html)
    for child in alone.children:
        listed = sum(1 for item in alone.needs_attention if item.child.id == child.id)
        more = sum(m.count for m in alone.attention_more if m.child.id == child.id)
        total = listed + more + 1  # and the area's goal
        shown = min(total, ATTENTION_PER_CHILD)
        assert needs.count(f'fam-child">{child.name}<') == shown
        assert f"Goal of {child.name}" in needs  # the most urgent kind is never cut
        if total > shown:
            assert f"And {total - shown} more for {child.name}" in html


def test_a_change_in_the_area_leaves_what_classwork_kept(personas, sam, goals, monkeypatch):
    p = personas
    build_term(p)
    get(sam, HOME)  # builds and keeps both parts, and the children's work summaries
    summaries = set(ChildWorkSummary.objects.values_list("student_id", "key", "built_at"))
    assert len(summaries) == 2
    classwork_builds: list[int] = []
    real = overview.family_overview

    def counted(*args: Any, **kwargs: Any) -> overview.FamilyOverview:
        classwork_builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(overview, "family_overview", counted)
    assert goals.overview_calls == 1

    versions.students_changed(AREA, [p.ada.pk])
    html = get(sam, HOME)
    assert goals.overview_calls == 2  # the area's part is rebuilt ...
    token = StudentVersion.objects.get(student=p.ada, area=AREA).token
    assert f"Goal of Ada: read twenty books (version {token})" in html
    assert classwork_builds == []  # ... classwork's kept part is used as it is
    assert "Lab report: density" in attention(html)
    assert set(ChildWorkSummary.objects.values_list("student_id", "key", "built_at")) == summaries

    classwork_versions.students_changed([p.ada.pk])
    get(sam, HOME)
    assert classwork_builds == [1]  # a classwork change rebuilds classwork's part
    assert goals.overview_calls == 2  # and leaves the area's
    changed = set(ChildWorkSummary.objects.values_list("student_id", "key", "built_at"))
    assert {row[0] for row in changed - summaries} == {p.ada.pk}


def test_versions_of_all_areas_are_read_in_one_query(personas, goals, django_assert_num_queries):
    p = personas
    classwork_versions.students_changed([p.ada.pk, p.leo.pk])
    versions.students_changed(AREA, [p.leo.pk])
    policies.roles_of(p.sam)  # the home page has read the guardian's roles already
    with django_assert_num_queries(1):
        found = {one.area.name: one for one in family_versions(p.sam)}
    stored = {(row.area, row.student_id): row.token for row in StudentVersion.objects.all()}
    assert set(stored) == {
        (AREA, p.leo.pk),
        (classwork_versions.AREA, p.leo.pk),
        (classwork_versions.AREA, p.ada.pk),
    }
    read = {
        (area, shown.child.id): shown.token for area, one in found.items() for shown in one.children
    }
    assert read == {**dict.fromkeys(read, versions.UNCHANGED), **stored}
    assert read[(AREA, p.ada.pk)] == versions.UNCHANGED
