"""The family overview lists a few things per child and counts the rest, and its course grades,
summed in SQL, are the grades ``weighted_percent`` gives piece by piece."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User
from village.classwork import versions
from village.classwork.family import overview as overviews
from village.classwork.family import work
from village.classwork.family.overview import AttentionKind
from village.classwork.grades import ScoredWork, weighted_percent
from village.classwork.models import Feedback, FeedbackSeen, GradingCategory
from village.classwork.selectors.work import current_classes
from village.classwork.tests.factories import assignment, hand_in
from village.classwork.tests.family.test_family_selectors import returned
from village.community import policies
from village.demo.personas import Personas
from village.families import selectors as family
from village.families.selectors import ATTENTION_PER_CHILD

pytestmark = pytest.mark.django_db


def pile_up(p: Personas, *, missing: int, feedback: int) -> None:
    """Ada misses ``missing`` pieces of work and has ``feedback`` comments Sam has not read."""
    for index in range(missing):
        assignment(p.homeroom5, f"Missed {index:02}", due_in_days=-1 - index, assigned_days_ago=30)
    for index in range(feedback):
        work = assignment(p.homeroom5, f"Read {index:02}", due_in_days=-2, assigned_days_ago=9)
        hand_in(work, p.ada, days_ago=3)
        returned(work, p.ada, comment=f"Note {index}", days_ago=1 + index / 10)


def test_a_few_items_per_child_and_a_count_of_the_rest(personas):
    p = personas
    pile_up(p, missing=9, feedback=7)
    overview = overviews.family_overview(p.sam)
    ada = [item for item in overview.needs_attention if item.child.name == "Ada"]
    assert len(ada) == ATTENTION_PER_CHILD
    # every kind of trouble shows before more of one kind: the oldest missing work and the
    # newest feedback lead
    shown = [(item.kind, item.work.title if item.work else "") for item in ada]
    assert (AttentionKind.MISSING, "Missed 08") in shown
    assert (AttentionKind.NEW_FEEDBACK, "Read 00") in shown
    assert {kind for kind, _title in shown} == {AttentionKind.MISSING, AttentionKind.NEW_FEEDBACK}
    assert [(more.child.name, more.count) for more in overview.attention_more] == [
        ("Ada", 9 + 7 - ATTENTION_PER_CHILD)
    ]


def test_reading_feedback_lowers_the_count(personas):
    p = personas
    pile_up(p, missing=0, feedback=ATTENTION_PER_CHILD + 4)
    for feedback in Feedback.objects.filter(student=p.ada)[:3]:
        FeedbackSeen.objects.create(feedback=feedback, user=p.sam)
    overview = overviews.family_overview(p.sam)
    assert [(more.child.name, more.count) for more in overview.attention_more] == [("Ada", 1)]
    seen = set(FeedbackSeen.objects.values_list("feedback__assignment__title", flat=True))
    listed = {item.work.title for item in overview.needs_attention if item.work}
    assert len(listed) == ATTENTION_PER_CHILD
    assert not listed & seen
    # Jordan's links to Leo never see Ada's count
    assert overviews.family_overview(p.jordan).attention_more == []


def test_the_home_page_links_each_childs_count_to_their_page(personas):
    p = personas
    User.objects.filter(pk=p.sam.pk).update(preferred_language="en")
    pile_up(p, missing=8, feedback=0)
    client = Client()
    client.force_login(p.sam)
    html = client.get("/").content.decode()
    more = 8 - ATTENTION_PER_CHILD
    assert f"And {more} more for Ada" in html
    assert reverse("families:child", args=[p.ada.pk]) in html
    assert html.count("Missed 0") == ATTENTION_PER_CHILD


def test_the_overview_query_count_does_not_grow_with_the_pile(personas):
    p = personas
    pile_up(p, missing=2, feedback=2)
    policies.roles_of(p.sam)  # read once, then kept on the user
    with CaptureQueriesContext(connection) as few_rebuilt:  # builds the children's summaries
        overviews.family_overview(p.sam)
    with CaptureQueriesContext(connection) as few:
        overviews.family_overview(p.sam)
    pile_up(p, missing=12, feedback=12)
    with CaptureQueriesContext(connection) as many_rebuilt:
        overviews.family_overview(p.sam)
    with CaptureQueriesContext(connection) as many:
        overviews.family_overview(p.sam)
    assert len(many) == len(few) <= 5, [q["sql"][:80] for q in many.captured_queries]
    # links with versions, classes, summaries, five to rebuild them, the upsert, feedback opened,
    # the classes' events
    assert len(many_rebuilt) == len(few_rebuilt) <= 11


def test_grades_summed_in_sql_match_weighted_percent_piece_by_piece(personas):
    p = personas
    homework = GradingCategory.objects.create(school_class=p.homeroom5, name="Homework", weight=20)
    projects = GradingCategory.objects.create(school_class=p.homeroom5, name="Projects", weight=80)
    unweighted = GradingCategory.objects.create(school_class=p.math8, name="Warm-ups", weight=0)
    labs = GradingCategory.objects.create(school_class=p.science8, name="Labs", weight=35)
    GradingCategory.objects.create(school_class=p.science8, name="Tests", weight=65)  # no work

    def scored(school_class, title, score, *, points=10, category=None, **extra):
        work = assignment(school_class, title, due_in_days=-3, points=points, category=category)
        feedback = returned(work, extra.pop("student", p.ada), score=score, **extra)
        if extra.get("excused"):
            Feedback.objects.filter(pk=feedback.pk).update(excused=True)
        return feedback

    # weighted categories, fractional scores
    scored(p.homeroom5, "Sheet 1", 7, category=homework)
    Feedback.objects.filter(assignment__title="Sheet 1").update(score=Decimal("7.25"))
    scored(p.homeroom5, "Sheet 2", 3, points=4, category=homework)
    scored(p.homeroom5, "Poster", 11, points=20, category=projects)
    scored(p.homeroom5, "Draft", 2, category=projects)
    Feedback.objects.filter(assignment__title="Draft").update(returned_at=None)  # not returned
    scored(p.homeroom5, "Pass", None, category=projects)  # no score
    scored(p.homeroom5, "Excused", 0, category=projects)
    Feedback.objects.filter(assignment__title="Excused").update(excused=True)
    # a weight of zero and uncategorised work fall back to total points
    for student in (p.leo,):
        scored(p.math8, "Warm-up", 4, category=unweighted, student=student)
        scored(p.math8, "Quiz", 13, points=15, student=student)
        scored(p.science8, "Lab 1", 8, category=labs, student=student)
        scored(p.science8, "Lab 2", 5, points=7, category=labs, student=student)
        scored(p.science8, "Loose", 1, points=3, student=student)
    scored(p.science8, "Unpointed", 5, points=0, student=p.leo)

    (classwork_versions,) = [
        one for one in family.family_versions(p.sam) if one.area.name == versions.AREA
    ]
    children = [shown.child for shown in classwork_versions.children]
    classes = work.graded_classes(children, current_classes([child.id for child in children]))
    now = timezone.now()
    summed = work.grades_now(classes, now=now)
    piece_by_piece = work.course_grades(classes, now=now, history=False)
    assert summed == {key: grade.percent for key, grade in piece_by_piece.items()}
    assert summed[(p.ada.pk, p.homeroom5.pk)] is not None
    assert summed[(p.leo.pk, p.math8.pk)] is not None
    # and by hand: homework 10.25/14, projects 11/20, weighted 20:80
    expected = weighted_percent(
        [
            ScoredWork(homework.pk, Decimal("10.25"), Decimal(14), now),
            ScoredWork(projects.pk, Decimal(11), Decimal(20), now),
        ],
        {homework.pk: Decimal(20), projects.pk: Decimal(80)},
    )
    assert summed[(p.ada.pk, p.homeroom5.pk)] == expected
