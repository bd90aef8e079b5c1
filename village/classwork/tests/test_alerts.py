"""Classwork's alerts: crossings of guardians' thresholds, after the hold, within each link's
scope; missing work found by the sweep; students' own reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.classwork import alerts as classwork_alerts
from village.classwork.services.feedback import feedback_save
from village.classwork.tests.factories import assignment
from village.community.models import GuardianLink
from village.notifications import delivery
from village.notifications.models import AlertCheck, Notification, UserSettings
from village.notifications.services.alerts import crossings, run_checks
from village.notifications.services.rules import RuleInput, save_rules
from village.notifications.services.sweeps import run_due

LATER = dt.timedelta(minutes=30)


def _return(p, work, student, score):
    return feedback_save(
        assignment=work,
        student=student,
        graded_by=p.rivera,
        score=Decimal(score),
        comment="Check the units in part 2.",
        return_to_student=True,
    )


def _kinds(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    if kind:
        found = found.filter(kind=kind)
    return list(found.values_list("kind", flat=True))


@pytest.fixture
def awake(personas):
    """Sam and Jordan without quiet hours, so email is due at once whatever the hour."""
    for user in (personas.sam, personas.jordan, personas.leo):
        UserSettings.objects.create(user=user, quiet_hours=False)
    return personas


@pytest.mark.django_db
def test_a_low_grade_crossing_70_alerts_sam_after_the_hold_and_not_jordan_or_eve(awake):
    p = awake
    good = assignment(p.science8, "Lab 1", due_in_days=-2)
    _return(p, good, p.leo, 9)
    run_checks(now=timezone.now() + LATER)
    assert _kinds(p.sam, classwork_alerts.COURSE_BELOW) == []

    low = assignment(p.science8, "Lab 2", due_in_days=-1, points=40)
    _return(p, low, p.leo, 10)  # (9 + 10) / 50 = 38 %
    assert run_checks(now=timezone.now()) == 0  # still in the hold
    assert AlertCheck.objects.filter(student=p.leo).exists()
    run_checks(now=timezone.now() + LATER)

    note = Notification.objects.get(recipient=p.sam, kind=classwork_alerts.COURSE_BELOW)
    assert note.child_id == p.leo.pk
    assert note.language == "es"
    assert "70" in note.title
    assert _kinds(p.jordan, classwork_alerts.COURSE_BELOW) == []
    assert _kinds(p.jordan, classwork_alerts.ASSIGNMENT_BELOW) == []
    assert not Notification.objects.filter(recipient=p.eve).exists()
    # Jordan hears of the feedback itself (classwork scope), without the grade.
    jordan_feedback = Notification.objects.filter(
        recipient=p.jordan, kind=classwork_alerts.FEEDBACK
    )
    assert jordan_feedback.exists()
    assert all("%" not in note.body for note in jordan_feedback)

    delivery.deliver_due(now=timezone.now() + LATER)
    to_sam = [m for m in mail.outbox if m.to == [p.sam.email]]
    assert any("70" in m.subject for m in to_sam)
    assert all(m.extra_headers["Content-Language"] == "es" for m in to_sam)
    # Nothing more when nothing is new.
    run_checks(now=timezone.now() + 2 * LATER)
    assert (
        Notification.objects.filter(recipient=p.sam, kind=classwork_alerts.COURSE_BELOW).count()
        == 1
    )


@pytest.mark.django_db
def test_a_slip_corrected_within_the_hold_sends_nothing(awake):
    p = awake
    work = assignment(p.science8, "Quiz", due_in_days=-1)
    _return(p, work, p.leo, 1)  # a slip: meant 10
    _return(p, work, p.leo, 10)
    run_checks(now=timezone.now() + LATER)
    assert _kinds(p.sam, classwork_alerts.COURSE_BELOW) == []
    assert _kinds(p.sam, classwork_alerts.ASSIGNMENT_BELOW) == []


@pytest.mark.django_db
def test_no_access_and_inactive_links_hear_nothing_and_no_communications_means_no_email(awake):
    p = awake
    GuardianLink.objects.filter(guardian=p.jordan, student=p.leo).update(no_access=True)
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(receives_communications=False)
    work = assignment(p.science8, "Lab", due_in_days=-1)
    _return(p, work, p.leo, 2)
    run_checks(now=timezone.now() + LATER)
    assert _kinds(p.jordan) == []
    note = Notification.objects.get(recipient=p.sam, kind=classwork_alerts.COURSE_BELOW)
    assert note.email_mode == "off"
    assert not note.deliveries.exists()


@pytest.mark.django_db
def test_each_guardian_has_their_own_rules(awake):
    p = awake
    save_rules(p.sam, p.leo, [RuleInput(classwork_alerts.COURSE_BELOW, True, Decimal(50))])
    work = assignment(p.science8, "Lab", due_in_days=-1)
    _return(p, work, p.leo, 6)  # 60 %: below 70, not below 50
    run_checks(now=timezone.now() + LATER)
    assert _kinds(p.sam, classwork_alerts.COURSE_BELOW) == []


@pytest.mark.django_db
def test_the_missing_sweep_finds_work_that_fell_due_and_alerts_once(awake):
    p = awake
    run_due(timezone.now(), force=True)  # the sweep's mark starts here
    work = assignment(p.science8, "Essay", due_in_days=-0.003, visible_to_families=True)
    later = timezone.now() + LATER
    run_due(later, force=True)
    run_checks(now=later)
    assert _kinds(p.sam, classwork_alerts.MISSING) == [classwork_alerts.MISSING]
    assert _kinds(p.jordan, classwork_alerts.MISSING) == [classwork_alerts.MISSING]
    assert _kinds(p.leo, classwork_alerts.STUDENT_MISSING) == [classwork_alerts.STUDENT_MISSING]
    assert not Notification.objects.filter(recipient=p.eve).exists()
    # Running the sweep and the checks again writes nothing new.
    run_due(later + LATER, force=True)
    run_checks(now=later + LATER)
    assert Notification.objects.filter(kind=classwork_alerts.MISSING).count() == 2
    assert work.pk


@pytest.mark.django_db
def test_two_missing_in_one_class_is_worth_a_conversation_naming_the_teacher(awake):
    p = awake
    run_due(timezone.now(), force=True)
    assignment(p.science8, "Essay", due_in_days=-0.003)
    assignment(p.science8, "Lab sheet", due_in_days=-0.004)
    later = timezone.now() + LATER
    run_due(later, force=True)
    run_checks(now=later)
    note = Notification.objects.get(recipient=p.sam, kind=classwork_alerts.CONVERSATION)
    assert p.rivera.email in note.body
    lines = note.body.splitlines()
    assert "Essay" in note.body
    assert "Lab sheet" in note.body
    assert len(lines) == 4
    assert "Leo" in lines[-1]


@pytest.mark.django_db
def test_students_turn_their_reminders_off(awake):
    p = awake
    UserSettings.objects.filter(user=p.leo).update(student_reminders=False)
    run_due(timezone.now(), force=True)
    assignment(p.science8, "Essay", due_in_days=-0.003)
    later = timezone.now() + LATER
    run_due(later, force=True)
    run_checks(now=later)
    assert _kinds(p.leo) == []


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scores=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=6))
def test_course_grade_alerts_fire_exactly_on_crossings(personas, scores):
    """Over any sequence of returned grades, "course grade below 70 %" fires exactly when the
    course grade passes below 70 %, never again until it has come back."""
    p = personas
    with transaction.atomic():
        now = timezone.now()
        grades_below = []
        earned = 0
        for index, score in enumerate(scores):
            work = assignment(p.science8, f"Quiz {index}", due_in_days=-1)
            feedback_save(
                assignment=work,
                student=p.leo,
                graded_by=p.rivera,
                score=Decimal(score),
                return_to_student=True,
                now=now,
            )
            earned += score
            grades_below.append(Decimal(earned) / Decimal(10 * (index + 1)) * 100 < 70)
            run_checks(now=timezone.now() + LATER * (index + 1))
        fired = Notification.objects.filter(
            recipient=p.sam, kind=classwork_alerts.COURSE_BELOW
        ).count()
        assert fired == len(crossings(grades_below))
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_grade_falling_over_three_weeks_alerts_once(awake):
    p = awake
    now = timezone.now()
    # Three weeks ago all was well; this week two poor results pull the grade down.
    for weeks_ago, score in ((4, 10), (3, 10), (0, 3), (0, 2)):
        work = assignment(
            p.science8,
            f"Quiz {weeks_ago}-{score}",
            due_in_days=-7 * weeks_ago - 1,
            assigned_days_ago=7 * weeks_ago + 3,
        )
        feedback_save(
            assignment=work,
            student=p.leo,
            graded_by=p.rivera,
            score=Decimal(score),
            return_to_student=True,
            now=now - dt.timedelta(weeks=weeks_ago),
        )
    run_checks(now=now + LATER)
    falling = Notification.objects.filter(recipient=p.sam, kind=classwork_alerts.TREND)
    assert falling.count() == 1
    assert "Grade 8 Science" in falling.get().title
    assert not Notification.objects.filter(recipient=p.jordan, kind=classwork_alerts.TREND)


@pytest.mark.django_db
def test_students_are_reminded_of_work_due_tomorrow_once(awake):
    p = awake
    run_due(timezone.now(), force=True)
    work = assignment(p.science8, "Poster", due_in_days=0.9)
    done = assignment(p.science8, "Quiz", due_in_days=0.8)
    from village.classwork.tests.factories import hand_in

    hand_in(done, p.leo)
    later = timezone.now() + LATER
    run_due(later, force=True)
    run_due(later + LATER, force=True)
    reminders = Notification.objects.filter(recipient=p.leo, kind=classwork_alerts.STUDENT_DUE)
    assert list(reminders.values_list("subject", flat=True)) == [""]
    assert reminders.get().link.endswith(f"/{work.pk}/")


@pytest.mark.django_db
def test_a_teacher_who_asked_gets_one_daily_summary_of_work_to_grade(awake):
    p = awake
    UserSettings.objects.create(user=p.rivera, teacher_daily=True)
    from village.classwork.tests.factories import hand_in

    hand_in(assignment(p.science8, "Poster", due_in_days=1), p.leo)
    afternoon = timezone.now().replace(hour=23)
    run_due(afternoon, force=True)
    run_due(afternoon + dt.timedelta(minutes=5), force=True)
    summary = Notification.objects.filter(recipient=p.rivera, kind=classwork_alerts.TEACHER_DAILY)
    assert summary.count() == 1
    assert "1" in summary.get().title
    assert not Notification.objects.filter(recipient=p.chen, kind=classwork_alerts.TEACHER_DAILY)


@pytest.mark.django_db
def test_teacher_written_words_carry_their_language_in_spanish_pages_and_no_marks_in_email(awake):
    from django.test import Client

    p = awake
    work = assignment(p.science8, "Density lab", due_in_days=-1)
    _return(p, work, p.leo, 2)
    run_checks(now=timezone.now() + LATER)
    delivery.deliver_due(now=timezone.now() + LATER)
    client = Client()
    client.force_login(p.sam)
    html = client.get("/notifications/").content.decode()
    assert '<span lang="en">Density lab</span>' in html
    assert '<span lang="en">Grade 8 Science</span>' in html
    sent = [m for m in mail.outbox if m.to == [p.sam.email]]
    assert sent
    html_parts = [str(m.alternatives[0][0]) for m in sent]  # type: ignore[attr-defined]
    for message, html_part in zip(sent, html_parts, strict=True):
        assert "\u2068" not in f"{message.subject}{message.body}{html_part}"
    assert any('<span lang="en">' in part for part in html_parts)
