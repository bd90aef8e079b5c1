"""The family view's reads: which children, which work, and what of it each guardian may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from village.accounts.models import User
from village.classwork.family import child as child_pages
from village.classwork.family import overview as overviews
from village.classwork.family.overview import AttentionKind
from village.classwork.grades import Trend
from village.classwork.models import Assignment, Feedback, FeedbackSeen, GradingCategory, Topic
from village.classwork.status import WorkStatus
from village.classwork.tests.factories import assignment, hand_in
from village.community import policies, services
from village.community.models import GuardianLink, LinkStatus, Relationship, Role, Scope
from village.demo.personas import Personas
from village.families import policies as family_policies

pytestmark = pytest.mark.django_db


def returned(
    work: Assignment,
    student: User,
    *,
    score: int | None = 8,
    comment: str = "Good work.",
    days_ago: float = 1,
    graded_by: User | None = None,
) -> Feedback:
    """Feedback the teacher returned ``days_ago`` days ago."""
    return Feedback.objects.create(
        assignment=work,
        student=student,
        score=None if score is None else Decimal(score),
        comment=comment,
        returned_at=timezone.now() - dt.timedelta(days=days_ago),
        graded_by=graded_by,
    )


def topic(school_class, title: str, summary: str = "", *, days: int = 5) -> Topic:
    today = timezone.localdate()
    return Topic.objects.create(
        school_class=school_class,
        title=title,
        summary=summary,
        starts_on=today - dt.timedelta(days=days),
        ends_on=today + dt.timedelta(days=days),
    )


@dataclass
class Term:
    """A few weeks of work in the persona classes, relative to now."""

    book_report: Assignment
    spelling: Assignment
    fractions: Assignment
    hidden: Assignment
    lab_report: Assignment
    poster: Assignment
    reading_quiz: Assignment
    lab_safety: Assignment
    science_fair: Assignment
    equations: Assignment
    slope: Assignment


def build_term(p: Personas) -> Term:
    """Ada in Grade 5 Homeroom; Leo in Grade 8 Science (Ms. Rivera) and Grade 8 Math (Mr. Chen)."""
    topic(p.homeroom5, "Fractions on a number line", "Placing halves, thirds and quarters.")
    topic(p.science8, "The water cycle", "Evaporation, condensation and rain.")
    topic(p.math8, "Linear equations")
    Topic.objects.create(
        school_class=p.science8,
        title="Rocks and minerals",
        starts_on=timezone.localdate() - dt.timedelta(days=40),
        ends_on=timezone.localdate() - dt.timedelta(days=20),
    )
    term = Term(
        book_report=assignment(p.homeroom5, "Book report", due_in_days=3),
        spelling=assignment(p.homeroom5, "Spelling list 12", due_in_days=-2),
        fractions=assignment(p.homeroom5, "Fractions worksheet", due_in_days=-5),
        hidden=assignment(
            p.homeroom5, "Class only reflection", due_in_days=-1, visible_to_families=False
        ),
        lab_report=assignment(p.science8, "Lab report: density", due_in_days=-4),
        poster=assignment(p.science8, "Water cycle poster", due_in_days=5),
        reading_quiz=assignment(p.science8, "Reading quiz", due_in_days=-10, assigned_days_ago=14),
        lab_safety=assignment(p.science8, "Lab safety", due_in_days=-20, assigned_days_ago=25),
        science_fair=assignment(p.science8, "Science fair plan", due_in_days=10),
        equations=assignment(p.math8, "Equations quiz", due_in_days=-8, assigned_days_ago=12),
        slope=assignment(p.math8, "Slope practice", due_in_days=-6, assigned_days_ago=12),
    )
    hand_in(term.fractions, p.ada, days_ago=6)
    returned(
        term.fractions,
        p.ada,
        score=6,
        comment="Check how you split the line into equal parts.",
        graded_by=p.rivera,
    )
    hand_in(term.lab_report, p.leo, days_ago=5)
    returned(
        term.lab_report,
        p.leo,
        score=9,
        comment="Great use of units. Next, add a sentence on sources of error.",
        days_ago=2,
        graded_by=p.rivera,
    )
    hand_in(term.lab_safety, p.leo, days_ago=18)  # two days after the due time
    hand_in(term.equations, p.leo, days_ago=9)
    returned(term.equations, p.leo, score=5, comment="", days_ago=7, graded_by=p.chen)
    hand_in(term.slope, p.leo, days_ago=7)
    returned(term.slope, p.leo, score=6, comment="Show each step.", days_ago=5, graded_by=p.chen)
    return term


def kinds(overview: overviews.FamilyOverview) -> set[tuple[str, str, str]]:
    """(kind, child, title or class) for each item that needs attention."""
    return {
        (
            item.kind,
            item.child.name,
            item.work.title if item.work else item.class_title,
        )
        for item in overview.needs_attention
    }


def test_sam_sees_what_needs_attention_across_both_children_labelled_by_child(personas):
    p = personas
    build_term(p)
    overview = overviews.family_overview(p.sam)
    assert [child.name for child in overview.children] == ["Ada", "Leo"]
    assert kinds(overview) == {
        (AttentionKind.MISSING, "Ada", "Spelling list 12"),
        (AttentionKind.MISSING, "Leo", "Reading quiz"),
        (AttentionKind.LATE, "Leo", "Lab safety"),
        (AttentionKind.NEW_FEEDBACK, "Ada", "Fractions worksheet"),
        (AttentionKind.NEW_FEEDBACK, "Leo", "Lab report: density"),
        (AttentionKind.NEW_FEEDBACK, "Leo", "Slope practice"),
        (AttentionKind.LOW_GRADE, "Ada", "Grade 5 Homeroom"),
        (AttentionKind.LOW_GRADE, "Leo", "Grade 8 Math"),
    }
    # Leo has six things to look at; the home page lists five and counts the sixth, the
    # oldest unseen feedback (the Equations quiz: a new score is news to Sam)
    assert [(more.child.name, more.count) for more in overview.attention_more] == [("Leo", 1)]
    low = {
        item.child.name: item.grade
        for item in overview.needs_attention
        if item.kind == AttentionKind.LOW_GRADE
    }
    assert low == {"Ada": Decimal("60.0"), "Leo": Decimal("55.0")}
    # missing work first, then low grades, new feedback and late work
    assert [item.kind for item in overview.needs_attention][:2] == [AttentionKind.MISSING] * 2


def test_due_this_week_and_recent_feedback_span_children(personas):
    p = personas
    build_term(p)
    overview = overviews.family_overview(p.sam)
    assert [(w.child.name, w.title) for w in overview.this_week] == [
        ("Ada", "Book report"),
        ("Leo", "Water cycle poster"),
    ]
    assert [(w.child.name, w.title) for w in overview.recent_feedback] == [
        ("Ada", "Fractions worksheet"),
        ("Leo", "Lab report: density"),
        ("Leo", "Slope practice"),
        ("Leo", "Equations quiz"),
    ]
    fractions = overview.recent_feedback[0]
    assert fractions.teacher == "Elena Rivera"
    assert fractions.score == Decimal(6)
    assert fractions.percent == Decimal("60.0")
    assert fractions.is_low


def test_work_hidden_from_families_never_shows(personas):
    p = personas
    term = build_term(p)
    overview = overviews.family_overview(p.sam)
    shown = {w.assignment_id for w in overview.this_week + overview.recent_feedback}
    shown |= {item.work.assignment_id for item in overview.needs_attention if item.work}
    assert term.hidden.pk not in shown
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.ada.pk, Scope.CLASSWORK)
    )
    assert term.hidden.pk not in {w.assignment_id for w in page.missing + page.upcoming}


def test_jordan_sees_leos_work_without_scores_and_never_ada(personas):
    p = personas
    build_term(p)
    overview = overviews.family_overview(p.jordan)
    assert [(child.name, child.grades) for child in overview.children] == [("Leo", False)]
    assert {item.child.name for item in overview.needs_attention} == {"Leo"}
    assert AttentionKind.LOW_GRADE not in {item.kind for item in overview.needs_attention}
    every = overview.this_week + overview.recent_feedback
    every += [item.work for item in overview.needs_attention if item.work]
    assert every
    assert all(w.child.id == p.leo.pk for w in every)
    assert all(w.score is None and w.percent is None for w in every)
    # a score without a comment is nothing Jordan may read
    assert "Equations quiz" not in {w.title for w in overview.recent_feedback}
    with pytest.raises(Http404):
        family_policies.family_child_for_viewer(p.jordan, p.ada.pk, Scope.CLASSWORK)


def test_seen_feedback_is_per_guardian(personas):
    p = personas
    term = build_term(p)
    lab = Feedback.objects.get(assignment=term.lab_report, student=p.leo)
    FeedbackSeen.objects.create(feedback=lab, user=p.sam)
    sam = kinds(overviews.family_overview(p.sam))
    jordan = kinds(overviews.family_overview(p.jordan))
    assert (AttentionKind.NEW_FEEDBACK, "Leo", "Lab report: density") not in sam
    assert (AttentionKind.NEW_FEEDBACK, "Leo", "Lab report: density") in jordan


def test_old_feedback_leaves_and_old_missing_work_leaves_the_home_page(personas):
    p = personas
    old = assignment(p.homeroom5, "September essay", due_in_days=-60, assigned_days_ago=70)
    seen_old = assignment(p.homeroom5, "Old poem", due_in_days=-25, assigned_days_ago=30)
    hand_in(seen_old, p.ada, days_ago=26)
    feedback = returned(seen_old, p.ada, comment="Lovely rhythm.", days_ago=20)
    FeedbackSeen.objects.create(feedback=feedback, user=p.sam)
    overview = overviews.family_overview(p.sam)
    assert overview.needs_attention == []
    assert overview.recent_feedback == []
    # the child page still lists every missing piece of the term
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.ada.pk, Scope.CLASSWORK)
    )
    assert [w.assignment_id for w in page.missing] == [old.pk]


def test_unseen_feedback_stays_until_opened_within_four_weeks(personas):
    p = personas
    work = assignment(p.homeroom5, "Old poem", due_in_days=-25, assigned_days_ago=30)
    hand_in(work, p.ada, days_ago=26)
    returned(work, p.ada, comment="Lovely rhythm.", days_ago=20)
    overview = overviews.family_overview(p.sam)
    assert kinds(overview) == {(AttentionKind.NEW_FEEDBACK, "Ada", "Old poem")}
    assert overview.recent_feedback == []


def test_draft_feedback_and_excused_work_are_not_family_news(personas):
    p = personas
    draft = assignment(p.homeroom5, "Draft marked", due_in_days=-1)
    hand_in(draft, p.ada, days_ago=2)
    Feedback.objects.create(assignment=draft, student=p.ada, comment="Not yet", score=Decimal(1))
    excused = assignment(p.homeroom5, "Excused quiz", due_in_days=-3)
    Feedback.objects.create(
        assignment=excused, student=p.ada, excused=True, returned_at=timezone.now()
    )
    overview = overviews.family_overview(p.sam)
    assert overview.recent_feedback == []
    assert overview.needs_attention == []


@pytest.mark.parametrize(
    "change",
    [
        {"no_access": True},
        {"status": LinkStatus.PENDING},
        {"status": LinkStatus.ENDED},
        {"scope_classwork": False},
    ],
)
def test_unusable_or_classwork_less_links_show_nothing(personas, change):
    p = personas
    build_term(p)
    GuardianLink.objects.filter(guardian=p.jordan, student=p.leo).update(**change)
    overview = overviews.family_overview(p.jordan)
    assert overview == overviews.FamilyOverview([], [], [], [])
    with pytest.raises(Http404):
        family_policies.family_child_for_viewer(p.jordan, p.leo.pk, Scope.CLASSWORK)


def test_a_guardian_at_another_school_sees_only_their_own_child(personas):
    p = personas
    build_term(p)
    assignment(p.other_class, "Lakeside map", due_in_days=-1)
    overview = overviews.family_overview(p.eve)
    assert [child.name for child in overview.children] == ["Finn"]
    assert kinds(overview) == {(AttentionKind.MISSING, "Finn", "Lakeside map")}
    for student in (p.ada, p.leo, p.mina):
        with pytest.raises(Http404):
            family_policies.family_child_for_viewer(p.eve, student.pk, Scope.CLASSWORK)


def test_staff_and_students_are_not_families(personas):
    p = personas
    build_term(p)
    for user in (p.rivera, p.nguyen, p.priya, p.leo, p.library):
        assert overviews.family_overview(user).children == []
        with pytest.raises(Http404):
            family_policies.family_child_for_viewer(user, p.leo.pk, Scope.CLASSWORK)


def test_a_class_the_child_left_drops_out(personas):
    p = personas
    build_term(p)
    enrolment = p.leo.enrollments.get(school_class=p.math8)
    enrolment.end_date = timezone.localdate() - dt.timedelta(days=1)
    enrolment.save()
    overview = overviews.family_overview(p.sam)
    assert "Grade 8 Math" not in {item.class_title for item in overview.needs_attention}


def test_child_page_has_classes_teachers_grades_topics_and_work(personas):
    p = personas
    build_term(p)
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.leo.pk, Scope.CLASSWORK)
    )
    # the page's header (``families``) names the child's school
    assert policies.student_schools([p.leo.pk])[p.leo.pk] == p.school
    math, science = page.classes
    assert (science.title, science.teachers, science.location) == (
        "Grade 8 Science",
        ["Elena Rivera"],
        "Lab 2",
    )
    assert (math.title, math.teachers) == ("Grade 8 Math", ["David Chen"])
    assert math.grade is not None
    assert math.grade.percent == Decimal("55.0")
    assert math.grade.is_low
    assert science.grade is not None
    assert science.grade.percent == Decimal("90.0")
    assert [t.title for t in science.topics] == ["The water cycle"]
    assert science.topics[0].summary == "Evaporation, condensation and rain."
    assert [t.title for t in page.topics] == ["Linear equations", "The water cycle"]
    assert [w.title for w in page.missing] == ["Reading quiz"]
    assert [w.title for w in page.upcoming] == ["Water cycle poster", "Science fair plan"]
    assert (science.missing, science.upcoming) == (1, 2)
    assert [w.title for w in page.recent_feedback] == [
        "Lab report: density",
        "Slope practice",
        "Equations quiz",
    ]


def test_child_page_for_jordan_has_no_grades(personas):
    p = personas
    build_term(p)
    page = child_pages.child_page(
        p.jordan, family_policies.family_child_for_viewer(p.jordan, p.leo.pk, Scope.CLASSWORK)
    )
    assert [view.grade for view in page.classes] == [None, None]
    assert all(w.score is None for w in page.recent_feedback + page.missing + page.upcoming)
    assert [w.title for w in page.recent_feedback] == ["Lab report: density", "Slope practice"]


def test_course_grade_trend_follows_the_weeks(personas):
    p = personas
    for weeks_ago, score in ((5, 5), (4, 6), (3, 7), (2, 8), (1, 9)):
        work = assignment(
            p.homeroom5,
            f"Quiz {weeks_ago}",
            due_in_days=-7 * weeks_ago - 1,
            assigned_days_ago=7 * weeks_ago + 3,
        )
        returned(work, p.ada, score=score, days_ago=7 * weeks_ago)
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.ada.pk, Scope.CLASSWORK)
    )
    (homeroom,) = page.classes
    assert homeroom.grade is not None
    assert homeroom.grade.trend == Trend.UP
    assert len(homeroom.grade.history) >= 4


def test_a_new_guardian_link_with_classwork_only_shows_work_but_no_grades(personas):
    p = personas
    build_term(p)
    aunt = services.person_create(
        username="aunt",
        first_name="Ngozi",
        last_name="Okoye",
        role=Role.GUARDIAN,
        organisation=p.school,
    )
    services.guardian_link(
        guardian=aunt,
        student=p.ada,
        relationship=Relationship.RELATIVE,
        scopes=[Scope.CLASSWORK],
    )
    overview = overviews.family_overview(aunt)
    assert [(child.name, child.grades) for child in overview.children] == [("Ada", False)]
    assert {item.kind for item in overview.needs_attention} == {
        AttentionKind.MISSING,
        AttentionKind.NEW_FEEDBACK,
    }
    (fractions,) = overview.recent_feedback
    assert fractions.comment
    assert fractions.score is None
    assert not fractions.is_low
    assert fractions.status == WorkStatus.GRADED


def test_course_grades_weigh_categories_as_the_teacher_set_them(personas):
    p = personas
    homework = GradingCategory.objects.create(school_class=p.homeroom5, name="Homework", weight=20)
    projects = GradingCategory.objects.create(school_class=p.homeroom5, name="Projects", weight=80)
    GradingCategory.objects.create(school_class=p.homeroom5, name="Quizzes", weight=50)  # no work
    sheet = assignment(p.homeroom5, "Sheet", due_in_days=-3, category=homework)
    poster = assignment(p.homeroom5, "Poster", due_in_days=-2, category=projects)
    returned(sheet, p.ada, score=10)
    returned(poster, p.ada, score=5)
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.ada.pk, Scope.CLASSWORK)
    )
    (homeroom,) = page.classes
    assert homeroom.grade is not None
    assert homeroom.grade.percent == Decimal("60.0")  # 100% x 20 + 50% x 80; unweighted is 75%
