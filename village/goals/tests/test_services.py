"""The goals services: building a set, a student's plan, efforts, feedback and the family's
part, each through the service, with bad input refused and nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ModuleData, each_test
from village.classwork.models import AssessmentKind
from village.classwork.tests.test_student_support import PDF, media_root, stored_files, upload
from village.demo.personas import Personas
from village.goals import notices
from village.goals.models import (
    Effort,
    GoalKind,
    Plan,
    PlanGoal,
    PlanState,
    Prerequisite,
)
from village.goals.services import efforts, family, plans, sets
from village.goals.services.sets import GoalFields, SetFields
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


def _build(personas: Personas) -> Goals:
    return Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))


@pytest.fixture(scope="module")
def _goals(module_data: ModuleData | None) -> Goals | None:
    """Ms. Rivera's set, built once for the module (Ada's plan, ``ada``, is each test's own)."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def goals(personas: Personas, _goals: Goals | None) -> Goals:
    """The goals tests' set (``village.goals.tests.conftest``), shared by the module's tests."""
    return each_test(_goals, personas, _build)


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(m for ms in error.value.message_dict.values() for m in ms)


# --- building a set ---------------------------------------------------------------------------


def test_a_new_set_gets_a_four_level_progress_rubric_of_the_class(goals: Goals) -> None:
    rubric = goals.weather.goal_set.rubric
    assert rubric.school_class_id == goals.people.homeroom5.pk
    titles = [level.title for level in rubric.criteria.get().levels.order_by("points")]
    assert titles == ["Beginning", "Developing", "Secure", "Extending"]


def test_a_set_ending_before_it_opens_is_refused_naming_the_field(goals: Goals) -> None:
    with pytest.raises(ValidationError) as error:
        sets.goal_set_create(
            school_class=goals.people.homeroom5,
            author=goals.people.rivera,
            fields=SetFields(
                title="Backwards", opens_on=dt.date(2026, 5, 1), closes_on=dt.date(2026, 4, 1)
            ),
        )
    assert "closes_on" in error.value.message_dict


def test_another_schools_rubric_is_refused(goals: Goals) -> None:
    other = weather_set(goals.people.other_class, goals.people.stone, published=False)
    with pytest.raises(ValidationError) as error:
        sets.goal_set_update(
            goal_set=goals.weather.goal_set,
            fields=SetFields(
                title="Weather",
                opens_on=goals.weather.goal_set.opens_on,
                closes_on=goals.weather.goal_set.closes_on,
                rubric=other.goal_set.rubric,
            ),
        )
    assert "rubric" in error.value.message_dict


def test_a_prerequisite_closing_a_circle_is_refused_and_named(goals: Goals) -> None:
    g = goals.weather.goals
    sets.prerequisite_add(goal=g["cycle"], needs=g["rain"])
    with pytest.raises(ValidationError) as error:
        sets.prerequisite_add(goal=g["rain"], needs=g["model"])
    message = _messages(error)
    assert "circle" in message
    assert "Explain the water cycle" in message
    assert not Prerequisite.objects.filter(goal=g["rain"]).exists()


def test_a_sub_goal_cannot_hold_its_own_parent(goals: Goals) -> None:
    g = goals.weather.goals
    with pytest.raises(ValidationError) as error:
        sets.goal_update(
            goal=g["measure"],
            fields=GoalFields(title="Measure", kind=GoalKind.CORE, parent=g["thermometer"]),
        )
    assert "parent" in error.value.message_dict


def test_a_group_asking_for_more_optional_goals_than_it_has_is_not_published(
    goals: Goals,
) -> None:
    goal_set = goals.weather.goal_set
    sets.goal_set_publish(goal_set=goal_set, published=False)
    group = goals.weather.groups["sharing"]
    sets.group_update(group=group, title=group.title, min_optional=2)
    with pytest.raises(ValidationError) as error:
        sets.goal_set_publish(goal_set=goal_set, published=True)
    assert "Sharing what we learn" in _messages(error)
    goal_set.refresh_from_db()
    assert not goal_set.published


def test_a_core_goal_added_later_joins_every_plan(goals: Goals, ada: Plan) -> None:
    goal = sets.goal_add(
        group=goals.weather.groups["sharing"], fields=GoalFields(title="Write a poem")
    )
    assert PlanGoal.objects.filter(plan=ada, goal=goal).exists()


# --- the plan ---------------------------------------------------------------------------------


def test_a_new_plan_holds_every_core_goal_in_the_teachers_order(goals: Goals) -> None:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.maya)
    g = goals.weather.goals
    order = plans.plan_order(plan)
    assert order[goals.weather.groups["observing"].pk] == [
        g["measure"].pk,
        g["thermometer"].pk,
        g["record"].pk,
    ]
    assert plan.state == PlanState.DRAFT


def test_a_plan_without_a_core_goal_is_refused_and_nothing_changes(goals: Goals) -> None:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.ada)
    before = plans.plan_order(plan)
    with pytest.raises(ValidationError) as error:
        plans.plan_choose(
            plan=plan,
            order=goals.weather.order(
                "measure", "thermometer", "clouds", "cycle", "rain", "present"
            ),
        )
    assert "“Keep a weather log for two weeks” is a core goal" in _messages(error)
    assert plans.plan_order(plan) == before


def test_a_goal_before_its_prerequisite_is_refused(goals: Goals) -> None:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.ada)
    with pytest.raises(ValidationError) as error:
        plans.plan_choose(
            plan=plan,
            order=goals.weather.order(
                "measure", "thermometer", "record", "clouds", "model", "cycle", "present"
            ),
        )
    assert "needs “Explain the water cycle” first" in _messages(error)


def test_moving_a_goal_above_what_it_needs_is_refused(goals: Goals, ada: Plan) -> None:
    model = plan_goal(ada, goals.weather.goals["model"])
    with pytest.raises(ValidationError):
        plans.plan_move(plan_goal=model, step=-1)
    clouds = plan_goal(ada, goals.weather.goals["clouds"])
    plans.plan_move(plan_goal=clouds, step=-3)
    observing = goals.weather.groups["observing"].pk
    assert plans.plan_order(ada)[observing][0] == goals.weather.goals["clouds"].pk


def test_changing_goals_of_an_approved_plan_sends_it_back(goals: Goals, ada: Plan) -> None:
    plans.plan_decide(plan=ada, teacher=goals.people.rivera, approve=True)
    plans.plan_choose(
        plan=ada,
        order=goals.weather.order(
            "measure", "thermometer", "record", "wind", "cycle", "model", "present"
        ),
    )
    ada.refresh_from_db()
    assert ada.state == PlanState.SUBMITTED


def test_a_set_that_approves_by_itself_approves_a_sent_plan(goals: Goals) -> None:
    auto = weather_set(goals.people.science8, goals.people.rivera, auto_approve=True)
    plan = plans.plan_start(goal_set=auto.goal_set, student=goals.people.leo)
    plans.plan_choose(
        plan=plan,
        order=auto.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plans.plan_submit(plan=plan)
    assert plan.state == PlanState.APPROVED


def test_asking_for_a_change_needs_a_note(goals: Goals, ada: Plan) -> None:
    with pytest.raises(ValidationError) as error:
        plans.plan_decide(plan=ada, teacher=goals.people.rivera, approve=False, note=" ")
    assert "note" in error.value.message_dict


def test_choosing_after_the_set_closed_is_refused(goals: Goals) -> None:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.ada)
    late = goals.weather.goal_set.closes_on + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        plans.plan_submit(plan=plan, on=late)


# --- efforts and feedback ---------------------------------------------------------------------


def test_an_effort_keeps_the_students_level_as_a_self_assessment(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle,
        levels=levels(ada.goal_set),
        done="Drew the water cycle",
        went_well="The arrows",
        ask_feedback=True,
    )
    assessment = effort.self_assessment
    assert assessment.kind == AssessmentKind.SELF
    assert assessment.student_id == goals.people.ada.pk
    assert effort.is_waiting


def test_an_effort_without_a_level_or_with_a_bad_file_writes_nothing(
    goals: Goals, ada: Plan
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    with pytest.raises(ValidationError):
        efforts.effort_record(plan_goal=cycle, levels={}, done="Drew it")
    fake = SimpleUploadedFile("drawing.png", b"not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        efforts.effort_record(
            plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", file=fake
        )
    assert "file" in error.value.message_dict
    assert not Effort.objects.exists()


def test_an_effort_that_fails_after_its_file_is_stored_leaves_no_file(
    goals: Goals, ada: Plan, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database rolls the effort back; the file stored with it goes too."""

    def broken(effort: Effort) -> None:
        raise RuntimeError("The notice could not be written.")

    monkeypatch.setattr(notices, "feedback_asked", broken)
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    with pytest.raises(RuntimeError):
        efforts.effort_record(
            plan_goal=cycle,
            levels=levels(ada.goal_set),
            done="Drew it",
            file=upload("drawing.pdf", PDF),
            ask_feedback=True,
        )
    assert not Effort.objects.exists()
    assert stored_files(media_root) == []


def test_a_draft_plan_takes_no_effort(goals: Goals) -> None:
    plan = ada_plan(goals.people, goals.weather, send=False)
    with pytest.raises(ValidationError):
        efforts.effort_record(
            plan_goal=plan_goal(plan, goals.weather.goals["cycle"]),
            levels=levels(plan.goal_set),
            done="Drew it",
        )


def test_only_the_teacher_marks_a_goal_met(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle, levels=levels(ada.goal_set, best=True), done="Taught it", think_met=True
    )
    cycle.refresh_from_db()
    assert cycle.met_asked_at is not None
    assert cycle.met_at is None
    feedback = efforts.feedback_give(
        effort=effort,
        teacher=goals.people.rivera,
        comment="Clear and complete.",
        levels=levels(ada.goal_set, best=True),
        confirms_met=True,
    )
    cycle.refresh_from_db()
    effort.refresh_from_db()
    assert cycle.met_at is not None
    assert cycle.met_by == goals.people.rivera
    assert effort.answered_at is not None
    assert feedback.assessment is not None
    assert feedback.assessment.kind == AssessmentKind.TEACHER
    assert feedback.assessment.pk != effort.self_assessment_id


# --- the family -------------------------------------------------------------------------------


def test_encouragement_is_kept_in_the_guardians_language(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    note = family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Muy bien, Ada!", language="es"
    )
    assert (note.language, note.text) == ("es", "¡Muy bien, Ada!")
    with pytest.raises(ValidationError):
        family.encouragement_add(
            plan_goal=cycle, guardian=goals.people.sam, text=" ", language="es"
        )


def test_help_requests_wait_for_an_answer(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    for number in range(family.MAX_OPEN_REQUESTS):
        request = family.help_ask(plan_goal=cycle, text=f"Help {number}")
    with pytest.raises(ValidationError):
        family.help_ask(plan_goal=cycle, text="One more")
    family.help_answer(request=request, guardian=goals.people.sam, answer="Sunday afternoon")
    family.help_ask(plan_goal=cycle, text="One more")
