"""What goals tell people: the student of the teacher's answers, their plan's approval and
their family's encouragement; the family (links allowing goals only) of requests for help and
goals met; the class's teachers of requests for feedback and plans to approve. Each once, in the
recipient's language; and the weekly digest's goals section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.community.models import Scope
from village.community.services import guardian_link_set_access
from village.goals import notices
from village.goals.digest import _read
from village.goals.models import Plan
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal, weather_set
from village.notifications import digest
from village.notifications.models import EmailMode, Notification
from village.notifications.registry import DigestBatch

pytestmark = pytest.mark.django_db


def _told(username: str, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient__username=username, kind=kind))


def test_the_teacher_is_told_of_a_plan_to_approve_and_the_student_of_the_answer(
    goals: Goals, ada: Plan
) -> None:
    (sent,) = _told("rivera", notices.PLAN_SENT)
    assert "Ada" in sent.title
    assert sent.title.endswith("“Weather and the water cycle”")
    plans.plan_decide(
        plan=ada, teacher=goals.people.rivera, approve=False, note="Add the wind vane"
    )
    (decided,) = _told("ada", notices.PLAN_DECIDED)
    assert "asks for a change" in decided.title
    assert decided.body == "Add the wind vane"
    assert decided.link.endswith(f"/goals/sets/{ada.goal_set_id}/")


def test_a_request_for_feedback_reaches_the_class_teachers_once(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", ask_feedback=True
    )
    (asked,) = _told("rivera", notices.FEEDBACK_ASKED)
    assert asked.title == "Ada Okoye asks for feedback on “Explain the water cycle”"
    assert not _told("chen", notices.FEEDBACK_ASKED)
    notices.feedback_asked(effort)  # told again (a retry): nothing new
    assert len(_told("rivera", notices.FEEDBACK_ASKED)) == 1
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Nearly!", confirms_met=False
    )
    (answer,) = _told("ada", notices.FEEDBACK)
    assert answer.body == "Nearly!"
    assert answer.link.endswith(f"/goals/mine/goals/{cycle.pk}/")


def test_a_goal_met_reaches_the_family_in_the_weekly_digest_by_default(
    goals: Goals, ada: Plan
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    efforts.goal_confirm_met(plan_goal=cycle, teacher=goals.people.rivera, met=True)
    (met,) = _told("sam", notices.MET)
    assert met.child_id == goals.people.ada.pk
    assert met.language == "es"
    assert "Ada" in met.title
    kind = notices.registry.kind(notices.MET)
    assert kind is not None
    assert kind.default_email == EmailMode.WEEKLY
    assert not _told("jordan", notices.MET)  # Jordan is not Ada's guardian


def test_help_at_home_reaches_only_guardians_whose_link_allows_goals(goals: Goals) -> None:
    people = goals.people
    science = weather_set(people.science8, people.rivera)
    plan = plans.plan_start(goal_set=science.goal_set, student=people.leo)
    plans.plan_choose(
        plan=plan,
        order=science.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plans.plan_submit(plan=plan)
    wind = plan_goal(plan, science.goals["wind"])
    family.help_ask(plan_goal=wind, text="I need a straw and card")
    assert {n.recipient.username for n in Notification.objects.filter(kind=notices.HELP_ASKED)} == {
        "sam",
        "jordan",
    }
    jordan = people.jordan.children_links.get(student=people.leo)
    guardian_link_set_access(link=jordan, scopes=[Scope.CLASSWORK], no_access=False)
    family.help_ask(plan_goal=wind, text="And some tape")
    assert len(_told("jordan", notices.HELP_ASKED)) == 1
    assert len(_told("sam", notices.HELP_ASKED)) == 2


def test_encouragement_reaches_the_student(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Tú puedes!", language="es"
    )
    (note,) = _told("ada", notices.ENCOURAGED)
    assert note.body == "¡Tú puedes!"
    assert "Sam" in note.title


# --- the weekly digest ------------------------------------------------------------------------


def test_the_digest_tells_sam_of_adas_goals_in_spanish(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", ask_feedback=True
    )
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Yes!", confirms_met=True
    )
    family.help_ask(
        plan_goal=plan_goal(ada, goals.weather.goals["model"]), text="Necesito un frasco"
    )
    composed = digest.preview(goals.people.sam)
    assert composed is not None
    assert "Explain the water cycle" in composed.text
    assert "Necesito un frasco" in composed.text
    assert f"/goals/family/{goals.people.ada.pk}/" in composed.text
    assert "metas" in composed.text.lower()


def test_the_digest_leaves_out_a_child_without_news_and_a_link_without_goals(
    goals: Goals, ada: Plan
) -> None:
    composed = digest.preview(goals.people.sam)
    assert composed is None or "Explain the water cycle" not in composed.text
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    efforts.effort_record(plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it")
    link = goals.people.sam.children_links.get(student=goals.people.ada)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    composed = digest.preview(goals.people.sam)
    assert composed is None or "/goals/family/" not in composed.text


def test_the_digest_section_reads_a_batch_in_the_same_queries_whatever_its_size(
    goals: Goals, ada: Plan
) -> None:
    now = timezone.now()
    everyone = frozenset(str(scope) for scope in Scope)

    def queries(children: list[int]) -> int:
        batch = DigestBatch(
            now=now,
            scopes=dict.fromkeys(children, everyone),
            since=now - dt.timedelta(days=7),
        )
        with CaptureQueriesContext(connection) as captured:
            _read(batch)
        return len(captured)

    one = queries([goals.people.ada.pk])
    efforts.effort_record(
        plan_goal=plan_goal(ada, goals.weather.goals["cycle"]),
        levels=levels(ada.goal_set),
        done="Drew it",
    )
    assert queries([goals.people.ada.pk, goals.people.maya.pk, goals.people.leo.pk]) == one
