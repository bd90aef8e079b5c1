"""The demo school's term of classwork: the persona stories, and a believable class for everyone.

The demo is built once for the module (it takes a couple of seconds); each test runs in a
transaction on top of it and rolls back what it changes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from village.accounts.models import User
from village.classwork.grades import course_grade
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    RubricScore,
    Submission,
    Topic,
)
from village.classwork.policies import visible_assignments
from village.classwork.richtext import sanitise
from village.classwork.selectors.work import WorkItem, current_classes, work_items
from village.classwork.status import WorkStatus
from village.community.models import SchoolClass
from village.demo.classwork.stories import (
    ADA_MISSING,
    ADA_NEW_FEEDBACK,
    LEO_LATE_LAB,
    LEO_MISSING,
)
from village.demo.classwork.term import demo_classwork_build, demo_classwork_delete
from village.demo.community.school import DEMO_SEED, demo_school_delete

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_school(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        call_command("demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        demo_school_delete()


def person(username: str) -> User:
    return User.objects.get(username=username)


def items_for(student: str, viewer: str | None = None, **options: object) -> list[WorkItem]:
    child = person(student)
    viewer_id = person(viewer).pk if viewer else child.pk
    return work_items(current_classes([child.pk]), viewer_id=viewer_id, **options)  # type: ignore[arg-type]


def grade_in(class_code: str, items: list[WorkItem]):
    school_class = SchoolClass.objects.get(sourced_id=f"demo-class-{class_code}")
    weights = dict(
        GradingCategory.objects.filter(school_class=school_class).values_list("pk", "weight")
    )
    scored = [item.scored() for item in items if item.class_id == school_class.pk]
    return course_grade([work for work in scored if work is not None], weights)


def assert_persona_stories(now: dt.datetime) -> None:
    """The stories of PRODUCT.md, as the work-items selector shows them at ``now``."""
    ada = items_for("ada", now=now)
    assert [i.title for i in ada if i.status == WorkStatus.MISSING] == [ADA_MISSING]
    unseen = [i for i in ada if i.has_feedback and not i.seen]
    assert [i.title for i in unseen] == [ADA_NEW_FEEDBACK]
    sam_sees = items_for("ada", "sam", families_only=True, now=now)
    assert [i.title for i in sam_sees if i.has_feedback and not i.seen] == [ADA_NEW_FEEDBACK]
    assert unseen[0].feedback_id is not None
    letter = Feedback.objects.select_related("graded_by").get(pk=unseen[0].feedback_id)
    assert letter.graded_by == person("rivera")
    assert "Next step" in letter.comment

    leo = items_for("leo", now=now)
    lab = next(i for i in leo if i.title == LEO_LATE_LAB)
    assert lab.submitted_at
    assert lab.due_at
    assert lab.submitted_at > lab.due_at
    assert lab.status == WorkStatus.GRADED
    assert lab.has_feedback
    assert "late" in lab.comment
    assert [i.title for i in leo if i.status == WorkStatus.MISSING] == [LEO_MISSING]
    math = grade_in("G8-MATH", leo)
    assert math.percent is not None
    assert math.percent < 70
    assert math.trend == "down"
    assert math.is_low

    maya = items_for("maya", now=now)
    assert not [i for i in maya if i.status in {WorkStatus.MISSING, WorkStatus.LATE}]
    homeroom = grade_in("G5-HR", maya)
    assert homeroom.percent is not None
    assert homeroom.percent >= 90

    jordan = Counter(i.status for i in items_for("leo", "jordan", families_only=True, now=now))
    assert jordan[WorkStatus.MISSING] == 1
    assert jordan[WorkStatus.NOT_YET_DUE] >= 2


def test_the_persona_stories_hold_in_the_demo():
    assert_persona_stories(timezone.now())


def test_the_persona_stories_hold_whatever_the_day_the_demo_is_built():
    monday = dt.date(2027, 3, 1)
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        demo_classwork_delete()
        demo_classwork_build(today=day, seed=DEMO_SEED)
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        assert_persona_stories(noon)
        assert_persona_stories(noon + dt.timedelta(hours=11))


def test_jordan_sees_only_leos_classes():
    jordan_sees = set(visible_assignments(person("jordan")).values_list("school_class", flat=True))
    leos_classes = {
        class_id for class_id, _title in current_classes([person("leo").pk])[person("leo").pk]
    }
    assert jordan_sees == leos_classes
    ada_class = SchoolClass.objects.get(sourced_id="demo-class-G5-HR")
    assert ada_class.pk not in jordan_sees


def test_every_demo_class_has_a_term_of_topics_and_work_around_today():
    now, today = timezone.now(), timezone.localdate()
    classes = SchoolClass.objects.filter(sourced_id__startswith="demo-class-")
    assert classes.count() >= 30
    for school_class in classes:
        topics = Topic.objects.filter(school_class=school_class)
        assert topics.filter(ends_on__lt=today).count() >= 2
        assert topics.filter(starts_on__lte=today, ends_on__gte=today - dt.timedelta(days=2))
        assert topics.filter(starts_on__gt=today).exists()
        assert all(topic.summary.endswith(".") for topic in topics)
        work = Assignment.objects.filter(school_class=school_class)
        assert 10 <= work.filter(due_at__lt=now).count() <= 15, school_class
        assert 2 <= work.filter(due_at__gt=now).count() <= 8, school_class
        assert not work.filter(assign_at__gt=now).exists()
        weights = GradingCategory.objects.filter(school_class=school_class).aggregate(Sum("weight"))
        assert weights["weight__sum"] == Decimal(100)


def test_work_is_scored_in_points_or_on_a_rubric_and_comes_with_sanitised_instructions():
    work = Assignment.objects.filter(school_class__sourced_id__startswith="demo-class-")
    with_rubric = work.filter(rubric__isnull=False).annotate(criteria=Count("rubric__criteria"))
    assert with_rubric.count() >= work.count() // 4
    for points, criteria in with_rubric.values_list("points", "criteria"):
        assert points == 4 * criteria  # four levels worth 1 to 4 points
    assert work.filter(rubric__isnull=True, points__gt=0).count() >= work.count() // 3
    for assignment in work[:50]:
        assert assignment.instructions.startswith("<p>")
        assert sanitise(assignment.instructions) == assignment.instructions
    materials = AssignmentMaterial.objects.filter(assignment__in=work)
    assert materials.count() >= work.count() // 4
    assert all(url.startswith("https://") for url in materials.values_list("url", flat=True))
    events = ClassEvent.objects.filter(school_class__sourced_id__startswith="demo-class-")
    assert events.filter(starts_at__gt=timezone.now()).count() >= 5
    assert events.filter(title__icontains="field trip").exists()
    assert events.filter(title__icontains="science fair").exists()


def test_students_work_has_the_mix_of_a_real_class():
    students = SchoolClass.objects.filter(sourced_id__startswith="demo-class-").values(
        "enrollments__user_id"
    )
    ids = list(User.objects.filter(pk__in=students, grade__gt="").values_list("pk", flat=True))
    items = work_items(current_classes(ids), viewer_id=person("rivera").pk)
    statuses = Counter(item.status for item in items)
    past = sum(statuses.values()) - statuses[WorkStatus.NOT_YET_DUE]
    assert statuses[WorkStatus.GRADED] / past > 0.75
    assert 0.02 <= statuses[WorkStatus.MISSING] / past <= 0.08
    assert statuses[WorkStatus.SUBMITTED] > 0
    assert statuses[WorkStatus.EXCUSED] == 2
    late = [i for i in items if i.submitted_at and i.due_at and i.submitted_at > i.due_at]
    assert 0.02 <= len(late) / past <= 0.1
    assert Submission.objects.filter(attempt=2).exists()  # a few resubmitted
    drafts = Feedback.objects.filter(returned_at__isnull=True, excused=False)
    assert drafts.exists()
    assert Feedback.objects.filter(returned_at__isnull=False).count() > 10 * drafts.count()


def test_feedback_reads_like_a_teacher_wrote_it():
    returned = Feedback.objects.filter(returned_at__isnull=False, excused=False).exclude(comment="")
    assert returned.count() > 3000
    for feedback in returned.select_related("student")[:400]:
        assert feedback.student.first_name in feedback.comment
        assert "Next step" in feedback.comment
    assert len(set(returned.values_list("comment", flat=True))) > 300
    rubric_feedback = returned.filter(assignment__rubric__isnull=False)[:100]
    for feedback in rubric_feedback:
        total = RubricScore.objects.filter(assessment__feedback=feedback).aggregate(Sum("points"))
        assert total["points__sum"] == feedback.score
    assert FeedbackSeen.objects.filter(user__username="sam").exists()


def test_a_second_run_adds_no_classwork_and_reset_rebuilds_the_same_term():
    def dump() -> list[tuple[object, ...]]:
        return sorted(
            Feedback.objects.values_list(
                "assignment__school_class__sourced_id",
                "assignment__title",
                "assignment__due_at",
                "student__username",
                "score",
                "comment",
                "excused",
                "returned_at",
            )
        )

    counts = {
        model: model.objects.count()
        for model in (Topic, Assignment, Submission, Feedback, RubricScore, FeedbackSeen)
    }
    before = dump()
    output = StringIO()
    call_command("demo", stdout=output)
    assert "nothing was changed" in output.getvalue()
    assert {model: model.objects.count() for model in counts} == counts
    call_command("demo", "--reset", stdout=StringIO())
    assert {model: model.objects.count() for model in counts} == counts
    assert dump() == before
