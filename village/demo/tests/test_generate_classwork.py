"""``village generate`` adds a term of classwork to the generated district, set-based."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import (
    Assignment,
    ClassEvent,
    Feedback,
    FeedbackSeen,
    GradingCategory,
    Submission,
    Topic,
)
from village.classwork.selectors.work import current_classes, work_items
from village.classwork.status import WorkStatus
from village.community.models import Enrollment, GuardianLink, Organisation, SchoolClass
from village.demo.classwork.generated import families_for_benchmark

pytestmark = pytest.mark.django_db

GEN = {"sourced_id__startswith": "gen-"}
CLASSWORK = (Topic, GradingCategory, Assignment, ClassEvent, Submission, Feedback)


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", *args, stdout=out)
    return out.getvalue()


def generated_students() -> list[int]:
    return list(User.objects.filter(grade__gt="", **GEN).values_list("pk", flat=True))


def test_every_generated_class_gets_a_term_of_work_with_submissions_and_feedback():
    output = generate("--students", "120", "--seed", "3")
    now = timezone.now()
    classes = SchoolClass.objects.filter(**GEN).annotate(
        past=Count("assignments", filter=Q(assignments__due_at__lt=now), distinct=True),
        upcoming=Count("assignments", filter=Q(assignments__due_at__gte=now), distinct=True),
        topics_count=Count("topics", distinct=True),
    )
    assert classes.count() == 24
    for school_class in classes:
        assert 36 <= school_class.past + school_class.upcoming <= 44
        assert 3 <= school_class.upcoming <= 10
        assert school_class.topics_count == 9
    assert "Classwork:" in output
    assert re.search(rf"assignments +{Assignment.objects.count()}\n", output)

    items = work_items(current_classes(generated_students()), viewer_id=0)
    statuses = Counter(item.status for item in items)
    past = len(items) - statuses[WorkStatus.NOT_YET_DUE]
    assert statuses[WorkStatus.GRADED] / past > 0.8
    assert 0.02 <= statuses[WorkStatus.MISSING] / past <= 0.08
    assert statuses[WorkStatus.SUBMITTED] + statuses[WorkStatus.LATE] > 0  # not graded yet
    assert 0 < statuses[WorkStatus.EXCUSED] / past < 0.01
    late = [i for i in items if i.submitted_at and i.due_at and i.submitted_at > i.due_at]
    assert 0.03 <= len(late) / past <= 0.08
    returned = Feedback.objects.filter(returned_at__isnull=False, excused=False)
    assert returned.filter(score__isnull=False).count() == returned.count()
    commented = returned.exclude(comment="")
    assert 0.15 <= commented.count() / returned.count() <= 0.35
    assert all("Next step" in comment for comment in commented.values_list("comment", flat=True))
    assert not returned.filter(returned_at__gt=now).exists()
    assert not Submission.objects.filter(submitted_at__gt=now).exists()


def test_the_same_seed_gives_the_same_classwork():
    def dump() -> list[tuple[object, ...]]:
        return sorted(
            Feedback.objects.values_list(
                "assignment__school_class__sourced_id",
                "assignment__title",
                "assignment__due_at",
                "student__sourced_id",
                "score",
                "comment",
                "excused",
            )
        ) + sorted(
            Submission.objects.values_list(
                "assignment__school_class__sourced_id",
                "assignment__due_at",
                "student__sourced_id",
                "submitted_at",
            )
        )

    generate("--students", "60", "--seed", "5")
    first = dump()
    generate("--students", "60", "--seed", "5", "--reset")
    assert dump() == first
    assert len(first) > 1000


def test_no_classwork_generates_only_the_roster():
    output = generate("--students", "60", "--no-classwork")
    assert SchoolClass.objects.filter(**GEN).exists()
    assert not any(model.objects.exists() for model in CLASSWORK)
    assert "Classwork:" not in output


def test_classwork_classes_gives_the_first_families_their_whole_load():
    generate("--students", "300", "--seed", "2", "--classwork-classes", "10")
    with_work = set(
        Submission.objects.values_list("assignment__school_class_id", flat=True).distinct()
    )
    classes = SchoolClass.objects.filter(**GEN).count()
    assert 10 <= len(with_work) < classes
    assert Assignment.objects.values("school_class").distinct().count() == classes
    families = families_for_benchmark(1)
    children = GuardianLink.objects.filter(guardian_id__in=families).values("student_id")
    assert children.count() in {2, 3}
    their_classes = set(
        Enrollment.objects.filter(user_id__in=children).values_list("school_class_id", flat=True)
    )
    assert len(their_classes) >= 8
    assert their_classes <= with_work


def test_delete_removes_the_classwork_and_leaves_the_demo_alone(personas):
    homeroom = personas.homeroom5
    kept = Assignment.objects.create(
        school_class=homeroom, title="Our own work", assign_at=timezone.now()
    )
    generate("--students", "60", "--seed", "4")
    feedback = Feedback.objects.filter(assignment__school_class__sourced_id__startswith="gen-")
    FeedbackSeen.objects.create(feedback=feedback[0], user=personas.sam)
    assert Submission.objects.exists()

    output = generate("--delete")

    assert "Deleted the generated district" in output
    assert list(Assignment.objects.all()) == [kept]
    assert not any(
        model.objects.filter(school_class__sourced_id__startswith="gen-").exists()
        for model in (Topic, GradingCategory, ClassEvent)
    )
    assert not Submission.objects.exists()
    assert not Feedback.objects.exists()
    assert not FeedbackSeen.objects.exists()
    assert not Organisation.objects.filter(**GEN).exists()
    assert User.objects.filter(username="ada").exists()


def test_reset_replaces_the_classwork_too():
    generate("--students", "60", "--seed", "4")
    assignments = Assignment.objects.count()
    generate("--students", "60", "--seed", "4", "--reset")
    assert Assignment.objects.count() == assignments
    assert set(Assignment.objects.values_list("school_class__sourced_id", flat=True)) <= set(
        SchoolClass.objects.filter(**GEN).values_list("sourced_id", flat=True)
    )
