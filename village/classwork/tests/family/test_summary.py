"""Each child's work summary behind the family overview: kept between page loads, rebuilt after
every kind of change to the child's classwork, and never a reason to show something stale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.classwork.family import child as child_pages
from village.classwork.family import overview as overviews
from village.classwork.family import summary
from village.classwork.family.overview import AttentionKind
from village.classwork.family.work import FamilyWork
from village.classwork.models import ChildWorkSummary, Feedback
from village.classwork.services.assignments import assignment_create, assignment_update
from village.classwork.services.categories import CategoryChange, categories_save, category_create
from village.classwork.services.feedback import feedback_mark_seen, feedback_save, work_excuse
from village.classwork.services.submissions import submission_hand_in
from village.classwork.status import WorkStatus
from village.classwork.tests.factories import assignment
from village.classwork.tests.family.test_family_selectors import build_term, kinds
from village.community.models import Enrollment, EnrollmentRole
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def built_at(student_id: int) -> dt.datetime:
    return ChildWorkSummary.objects.get(student_id=student_id).built_at


def titles(works: list[FamilyWork]) -> set[str]:
    return {w.title for w in works}


def test_a_second_load_reads_the_summaries_and_rebuilds_nothing(personas: Personas):
    p = personas
    build_term(p)
    first = overviews.family_overview(p.sam)
    assert ChildWorkSummary.objects.filter(student__in=[p.ada, p.leo]).count() == 2
    with CaptureQueriesContext(connection) as captured:
        second = overviews.family_overview(p.sam)
    assert second == first
    writes = [q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"].upper()]
    assert writes == []
    # links with their versions, classes, summaries, which feedback Sam has opened, and events
    assert len(captured) == 5


def test_statuses_follow_the_clock_without_a_rebuild(personas: Personas):
    p = personas
    now = timezone.now()
    work = assignment(p.homeroom5, "Due this afternoon", due_in_days=2 / 24)
    before = overviews.family_overview(p.sam, now=now)
    assert "Due this afternoon" in titles(before.this_week)
    built = built_at(p.ada.pk)
    later = overviews.family_overview(p.sam, now=now + dt.timedelta(hours=3))
    assert built_at(p.ada.pk) == built  # the same summary
    assert "Due this afternoon" not in titles(later.this_week)
    missing = [i for i in later.needs_attention if i.kind == AttentionKind.MISSING]
    assert [(i.child.name, i.work.assignment_id) for i in missing if i.work] == [("Ada", work.pk)]


def test_a_day_old_summary_is_rebuilt(personas: Personas):
    p = personas
    build_term(p)
    now = timezone.now()
    overviews.family_overview(p.sam, now=now)
    overviews.family_overview(p.sam, now=now + dt.timedelta(hours=23))
    assert built_at(p.ada.pk) == now
    overviews.family_overview(p.sam, now=now + dt.timedelta(hours=25))
    assert built_at(p.ada.pk) == now + dt.timedelta(hours=25)


def test_work_posted_changed_or_hidden_shows_at_once(personas: Personas):
    p = personas
    build_term(p)
    overviews.family_overview(p.sam)
    posted = assignment_create(
        school_class=p.homeroom5,
        title="Museum visit reflection",
        created_by=p.rivera,
        due_at=timezone.now() + dt.timedelta(days=2),
        points=Decimal(10),
    )
    assert "Museum visit reflection" in titles(overviews.family_overview(p.sam).this_week)
    assignment_update(assignment=posted, title="Museum reflection")
    assert "Museum reflection" in titles(overviews.family_overview(p.sam).this_week)
    assignment_update(assignment=posted, visible_to_families=False)
    assert "Museum reflection" not in titles(overviews.family_overview(p.sam).this_week)


def test_a_hand_in_a_return_and_an_excuse_show_at_once(personas: Personas):
    p = personas
    term = build_term(p)
    assert (AttentionKind.MISSING, "Ada", "Spelling list 12") in kinds(
        overviews.family_overview(p.sam)
    )
    submission_hand_in(student=p.ada, assignment=term.spelling, text="My list")
    overview = overviews.family_overview(p.sam)
    assert (AttentionKind.LATE, "Ada", "Spelling list 12") in kinds(overview)
    feedback_save(
        assignment=term.spelling,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(9),
        comment="Neat handwriting.",
        return_to_student=True,
    )
    overview = overviews.family_overview(p.sam)
    assert (AttentionKind.NEW_FEEDBACK, "Ada", "Spelling list 12") in kinds(overview)
    assert (AttentionKind.LATE, "Ada", "Spelling list 12") not in kinds(overview)
    assert overview.recent_feedback[0].comment == "Neat handwriting."
    assert overview.recent_feedback[0].score == Decimal(9)
    assert (AttentionKind.MISSING, "Leo", "Reading quiz") in kinds(overview)
    work_excuse(assignment=term.reading_quiz, student=p.leo, graded_by=p.rivera)
    assert (AttentionKind.MISSING, "Leo", "Reading quiz") not in kinds(
        overviews.family_overview(p.sam)
    )


def test_new_weights_change_the_grade_at_once(personas: Personas):
    p = personas
    term = build_term(p)
    quizzes = category_create(school_class=p.math8, name="Quizzes", weight=Decimal(50))
    assignment_update(assignment=term.equations, category=quizzes)

    def math_grade() -> Decimal | None:
        overview = overviews.family_overview(p.sam)
        grades = [
            item.grade
            for item in overview.needs_attention
            if item.kind == AttentionKind.LOW_GRADE and item.class_title == "Grade 8 Math"
        ]
        return grades[0] if grades else None

    assert math_grade() == Decimal("55.0")
    # a second category for the slope practice, weighted far above the quiz
    practice = category_create(school_class=p.math8, name="Practice", weight=Decimal(50))
    assignment_update(assignment=term.slope, category=practice)
    categories_save(
        school_class=p.math8,
        changes=[
            CategoryChange(quizzes.pk, "Quizzes", Decimal(10)),
            CategoryChange(practice.pk, "Practice", Decimal(90)),
        ],
    )
    assert math_grade() == Decimal("59.0")  # 5/10 at 10% and 6/10 at 90%


def test_seeing_feedback_needs_no_rebuild(personas: Personas):
    p = personas
    term = build_term(p)
    overviews.family_overview(p.sam)
    built = built_at(p.leo.pk)
    lab = Feedback.objects.get(assignment=term.lab_report, student=p.leo)
    feedback_mark_seen(user_id=p.sam.pk, feedback_ids=[lab.pk])
    overview = overviews.family_overview(p.sam)
    assert (AttentionKind.NEW_FEEDBACK, "Leo", "Lab report: density") not in kinds(overview)
    assert (AttentionKind.NEW_FEEDBACK, "Leo", "Lab report: density") in kinds(
        overviews.family_overview(p.jordan)
    )
    assert built_at(p.leo.pk) == built


def test_a_child_leaving_a_class_drops_its_work_at_once(personas: Personas):
    p = personas
    build_term(p)
    assert (AttentionKind.LOW_GRADE, "Leo", "Grade 8 Math") in kinds(
        overviews.family_overview(p.sam)
    )
    # the roster ends Leo's place in math: no version changes, but his classes do
    Enrollment.objects.filter(user=p.leo, school_class=p.math8, role=EnrollmentRole.STUDENT).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    overview = overviews.family_overview(p.sam)
    assert not [item for item in overview.needs_attention if item.class_id == p.math8.pk]


def test_one_guardian_without_grades_never_reads_the_scores_in_the_shared_summary(
    personas: Personas,
):
    p = personas
    build_term(p)
    overviews.family_overview(p.sam)  # Sam may see grades: the summary holds scores
    row = ChildWorkSummary.objects.get(student=p.leo)
    stored = summary.Summary.from_data(p.leo.pk, row.built_at, row.data)
    assert any(row.score is not None for row in stored.feedback)
    overview = overviews.family_overview(p.jordan)
    every = overview.this_week + overview.recent_feedback
    every += [item.work for item in overview.needs_attention if item.work]
    assert every
    assert all(w.score is None for w in every)
    assert not [i for i in overview.needs_attention if i.kind == AttentionKind.LOW_GRADE]


def test_the_overview_agrees_with_the_child_page_computed_from_the_tables(personas: Personas):
    """The child page reads the classwork tables directly; the overview reads summaries."""
    p = personas
    build_term(p)
    now = timezone.now()
    overview = overviews.family_overview(p.sam, now=now)
    for child in overview.children:
        page = child_pages.child_page(p.sam, child, now=now)
        window = now - overviews.ATTENTION_WINDOW
        missing = {
            w.assignment_id for w in page.missing if w.due_at is not None and w.due_at >= window
        }
        shown = {
            i.work.assignment_id
            for i in overview.needs_attention
            if i.child.id == child.id and i.kind == AttentionKind.MISSING and i.work
        }
        hidden = sum(m.count for m in overview.attention_more if m.child.id == child.id)
        assert shown <= missing
        assert len(missing) - len(shown) <= hidden
        soon = {
            w.assignment_id
            for w in page.upcoming
            if w.due_at is not None and w.due_at < now + overviews.THIS_WEEK
        }
        assert soon == {w.assignment_id for w in overview.this_week if w.child.id == child.id}
        statuses = {w.assignment_id: w.status for w in page.upcoming}
        for w in overview.this_week:
            if w.child.id == child.id:
                assert w.status == statuses[w.assignment_id]
                assert w.status != WorkStatus.MISSING
