"""Carrying a support plan out: the progress-check schedule and when a check is late, staff's
progress notes, home actions marked done by the family and the student, and the reminders sweep
(before a review, when a check is due) telling the plan's staff and family once per date, in a
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from village.community.policies import today
from village.notifications import registry
from village.notifications.models import Notification
from village.support import reminders
from village.support.models import (
    ActionSide,
    HomeActionLog,
    PlanState,
    ProgressNote,
    ProgressStatus,
    SupportPlan,
    TeamMember,
)
from village.support.schedule import next_check, review_near
from village.support.services.plans import (
    plan_close,
    plan_confirm,
    plan_create,
    plan_disagree,
)
from village.support.services.progress import (
    GoalProgress,
    home_action_done,
    progress_check_record,
    progress_note_add,
)
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import agreed, person, plan_fields, proposed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def test_the_next_check_counts_from_the_agreement_then_the_last_note() -> None:
    def check(**given: object) -> object:
        values: dict[str, object] = {
            "state": PlanState.AGREED,
            "agreed_on": DAY,
            "last_noted_on": None,
            "check_every_days": 14,
            "today": DAY,
        }
        return next_check(**{**values, **given})  # type: ignore[arg-type]

    found = check()
    assert (found.due_on, found.late) == (DAY + dt.timedelta(days=14), False)  # type: ignore[attr-defined]
    late = check(today=DAY + dt.timedelta(days=17))
    assert (late.late, late.days_late) == (True, 3)  # type: ignore[attr-defined]
    noted = check(last_noted_on=DAY + dt.timedelta(days=10), today=DAY + dt.timedelta(days=17))
    assert (noted.due_on, noted.late) == (DAY + dt.timedelta(days=24), False)  # type: ignore[attr-defined]
    assert check(last_noted_on=DAY - dt.timedelta(days=30)).due_on == DAY + dt.timedelta(days=14)  # type: ignore[attr-defined]
    for state in (PlanState.DRAFT, PlanState.PROPOSED, PlanState.CLOSED):
        assert check(state=state) is None
    assert check(state=PlanState.IN_REVIEW) is not None
    assert review_near(state=PlanState.AGREED, review_on=DAY + dt.timedelta(days=7), today=DAY)
    assert not review_near(state=PlanState.AGREED, review_on=DAY + dt.timedelta(days=8), today=DAY)
    assert not review_near(state=PlanState.PROPOSED, review_on=DAY, today=DAY)


# --- progress notes ---------------------------------------------------------------------------


def test_a_progress_check_names_each_field_in_error_and_writes_nothing(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    other = plan_create(author=people.rivera, student=people.ada, fields=plan_fields())
    notes = [
        GoalProgress(goal_id=plan.goals.get().pk, status="great", measured="a\tb"),
        GoalProgress(goal_id=other.goals.get().pk, status=ProgressStatus.MET),
    ]
    with pytest.raises(ValidationError) as error:
        progress_check_record(
            author=people.rivera, plan=plan, notes=notes, noted_on=today() + dt.timedelta(days=1)
        )
    assert set(error.value.message_dict) == {
        "noted_on",
        "notes.0.status",
        "notes.0.measured",
        "notes.1.goal_id",
    }
    with pytest.raises(ValidationError) as error:
        progress_check_record(author=people.rivera, plan=plan, notes=[])
    assert set(error.value.message_dict) == {"notes"}
    with pytest.raises(ValidationError) as error:
        progress_note_add(author=people.rivera, goal=plan.goals.get(), status="")
    assert set(error.value.message_dict) == {"status"}
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize("name", ["sam", "ada", "vance", "chen", "kim"])
def test_only_the_students_staff_note_progress(support: Support, name: str) -> None:
    plan = agreed(support)
    with pytest.raises(PermissionDenied):
        progress_note_add(author=person(support, name), goal=plan.goals.get(), status="met")
    assert not ProgressNote.objects.exists()


def test_progress_is_noted_only_on_a_plan_in_force(support: Support) -> None:
    plan = proposed(support)
    with pytest.raises(PermissionDenied):
        progress_note_add(author=support.people.rivera, goal=plan.goals.get(), status="met")
    plan = agreed(support)
    note = progress_note_add(
        author=support.ortiz, goal=plan.goals.get(), status=ProgressStatus.MET, measured="92 wpm"
    )
    assert (note.plan, note.noted_on, note.language) == (plan, today(), "en")


# --- home actions -----------------------------------------------------------------------------


def test_sam_and_ada_mark_home_actions_done_once_a_day(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    home = plan.actions.get(side=ActionSide.HOME)
    log = home_action_done(by=people.sam, action=home, note="Leímos dos capítulos")
    assert (log.language, log.done_on) == ("es", today())
    home_action_done(by=people.ada, action=home)
    with pytest.raises(ValidationError) as error:
        home_action_done(by=people.sam, action=home)
    assert set(error.value.message_dict) == {"done_on"}
    with pytest.raises(ValidationError) as error:
        home_action_done(by=people.ada, action=home, done_on=today() + dt.timedelta(days=1))
    assert set(error.value.message_dict) == {"done_on"}
    assert HomeActionLog.objects.count() == 2


@pytest.mark.parametrize("name", ["rivera", "kim", "rex", "lou", "jordan"])
def test_only_the_family_marks_home_actions(support: Support, name: str) -> None:
    plan = agreed(support)
    with pytest.raises(PermissionDenied):
        home_action_done(by=person(support, name), action=plan.actions.get(side=ActionSide.HOME))
    with pytest.raises(PermissionDenied):  # a school action is the school's
        home_action_done(by=support.people.sam, action=plan.actions.get(side=ActionSide.SCHOOL))
    assert not HomeActionLog.objects.exists()


# --- reminders --------------------------------------------------------------------------------


def _told(kind: str) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("recipient__username")
        .values_list("recipient__username", "title")
    )


def _at(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_staff_and_family_hear_of_a_review_a_week_ahead_once(support: Support) -> None:
    people = support.people
    plan = proposed(support, review_on=today() + dt.timedelta(days=10))
    plan_disagree(party=support.bakr, plan=plan, version=1, note="Two goals would be better.")
    for party in (people.rivera, people.sam, people.ada):
        plan_confirm(party=party, plan=plan, version=1)
    TeamMember.objects.filter(user=support.bakr).delete()  # no longer on the support team
    assert reminders.tell(_at(2)) == 0
    assert reminders.tell(_at(3)) == 2
    review = formats.date_format(plan.review_on, "DATE_FORMAT")
    assert _told(reminders.REVIEW_STAFF) == [
        ("rivera", f"Ada Okoye's support plan is reviewed on {review}")
    ]
    ((who, title),) = _told(reminders.REVIEW_FAMILY)
    assert who == "sam"
    assert title.startswith("El plan de apoyo de Ada se revisa el")
    assert reminders.tell(_at(4)) == 0  # the same review date
    SupportPlan.objects.filter(pk=plan.pk).update(review_on=today() + dt.timedelta(days=12))
    assert reminders.tell(_at(6)) == 2  # a new date is told again


def test_a_progress_check_due_is_told_once_per_due_date(support: Support) -> None:
    plan = agreed(support)
    assert reminders.tell(_at(13)) == 0
    assert reminders.tell(_at(14)) == 2
    assert [who for who, _t in _told(reminders.CHECK_STAFF)] == ["rivera"]
    assert [who for who, _t in _told(reminders.CHECK_FAMILY)] == ["sam"]
    assert reminders.tell(_at(16)) == 0  # late, but told once
    with time_machine.travel(_at(16)):
        progress_note_add(author=support.people.rivera, goal=plan.goals.get(), status="on_track")
    assert reminders.tell(_at(29)) == 0
    assert reminders.tell(_at(30)) == 2  # due 14 days after the note


def test_plans_not_in_force_remind_nobody(support: Support) -> None:
    proposed(support, review_on=today() + dt.timedelta(days=3))
    plan = agreed(support, review_on=today() + dt.timedelta(days=3))
    plan_close(actor=support.people.rivera, plan=plan)
    assert reminders.tell(_at(20)) == 0
    kinds = [reminders.REVIEW_STAFF, reminders.REVIEW_FAMILY, reminders.CHECK_STAFF]
    assert not Notification.objects.filter(kind__in=[*kinds, reminders.CHECK_FAMILY]).exists()


def test_the_sweep_looks_once_an_hour(support: Support) -> None:
    cache.delete(reminders.NEXT_LOOK)  # the cache outlives a test
    agreed(support)
    now = _at(14)
    assert reminders.sweep(now) == 2
    assert reminders.sweep(now + dt.timedelta(days=1, minutes=-30)) == 0
    assert reminders.SWEEP in registry.sweeps()
    cache.delete(reminders.NEXT_LOOK)


def _queries(now: dt.datetime) -> tuple[int, int]:
    """The queries of one pass and how many it told (from a clean slate)."""
    Notification.objects.filter(kind__in=[reminders.CHECK_STAFF, reminders.CHECK_FAMILY]).delete()
    with CaptureQueriesContext(connection) as queries:
        told = reminders.tell(now)
    return len(queries), told


def test_a_pass_takes_the_same_queries_for_one_plan_or_two(support: Support) -> None:
    people = support.people
    agreed(support)
    alone, told_alone = _queries(_at(14))
    leos = plan_create(author=people.rivera, student=people.leo, fields=plan_fields())
    SupportPlan.objects.filter(pk=leos.pk).update(
        state=PlanState.AGREED, agreed_on=today(), shared_at=timezone.now()
    )
    both, told_both = _queries(_at(14))
    assert (told_alone, told_both) == (2, 4)  # Ms. Rivera and Sam, for Ada, then for Leo
    assert alone == both
