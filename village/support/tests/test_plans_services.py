"""Writing support plans: the states (draft → proposed → agreed → in review → closed), a new
version with what changed on every change, each party's answer and when the plan is agreed,
disagreement with a note, comments in the writer's language, what the family and the staff are
told, and field-named errors that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from village.accounts.models import User
from village.community.policies import today
from village.families.models import StudentVersion
from village.notifications.models import Notification
from village.support import plan_notices, versions
from village.support.models import (
    ActionSide,
    Agreement,
    CommentKind,
    Decision,
    PlanState,
    PlanVersion,
    ProgressStatus,
    SupportGoal,
    SupportPlan,
)
from village.support.selectors.plan_content import changes_in_words
from village.support.selectors.plans import parties
from village.support.services.plans import (
    ActionFields,
    GoalFields,
    comment_add,
    plan_change,
    plan_close,
    plan_confirm,
    plan_create,
    plan_disagree,
    plan_propose,
    plan_review_start,
)
from village.support.services.progress import progress_note_add
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import (
    HOME_READING,
    READING,
    SCHOOL_READING,
    agreed,
    draft,
    person,
    plan_fields,
    proposed,
)
from village.translation.models import Translation

pytestmark = pytest.mark.django_db


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


def _token(student_id: int) -> int | None:
    row = StudentVersion.objects.filter(student_id=student_id, area=versions.AREA).first()
    return row.token if row else None


def _state(plan: SupportPlan) -> str:
    plan.refresh_from_db()
    return plan.state


# --- writing and versions ----------------------------------------------------------------------


def test_a_new_plan_is_a_draft_whose_first_version_keeps_its_content(support: Support) -> None:
    before = _token(support.people.ada.pk)
    plan = draft(support)
    assert (plan.state, plan.version, plan.shared_at) == (PlanState.DRAFT, 1, None)
    assert plan.school == support.people.school
    (version,) = PlanVersion.objects.filter(plan=plan)
    assert version.changes == ["created"]
    assert version.changed_by == support.people.rivera
    content = version.content
    assert content["title"] == "Reading with confidence"
    assert [goal["text"] for goal in content["goals"]] == [READING.text]
    assert [(row["side"], row["goal"]) for row in content["actions"]] == [
        ("school", 1),
        ("home", 1),
    ]
    assert _token(support.people.ada.pk) == before  # a draft is the staff's alone


def test_each_field_in_error_is_named_and_nothing_is_written(support: Support) -> None:
    people = support.people
    bad = plan_fields(
        title="  ",
        concern="",
        review_on=today(),
        check_every_days=0,
        goals=[GoalFields(text=""), GoalFields(text="Read more", learning_goal_id=999_999)],
        actions=[
            ActionFields(side="garden", who="", what="Read"),
            ActionFields(side=ActionSide.HOME, who="Sam\tand Ada", what="Read", goal=3),
        ],
        accommodation_ids=[999_999],
    )
    with pytest.raises(ValidationError) as error:
        plan_create(author=people.rivera, student=people.ada, fields=bad)
    assert _errors(error) == {
        "title",
        "concern",
        "review_on",
        "check_every_days",
        "goals.0.text",
        "goals.1.learning_goal_id",
        "actions.0.side",
        "actions.0.who",
        "actions.1.who",
        "actions.1.goal",
        "accommodation_ids",
    }
    assert not SupportPlan.objects.exists()
    plan = draft(support)
    with pytest.raises(ValidationError) as error:
        plan_change(editor=people.rivera, plan=plan, fields=plan_fields(concern="x" * 2001))
    assert _errors(error) == {"concern"}
    plan.refresh_from_db()
    assert plan.version == 1
    assert plan.concern.startswith("Ada reads slowly")


def test_every_change_is_a_new_version_saying_what_changed(support: Support) -> None:
    plan = draft(support)
    goal_id = plan.goals.get().pk
    home_id = plan.actions.get(side=ActionSide.HOME).pk
    school_id = plan.actions.get(side=ActionSide.SCHOOL).pk
    writing = GoalFields(text="Write five sentences about a book", target="Five sentences")
    changed = plan_fields(
        concern="Ada avoids reading aloud and writing about what she read.",
        goals=[
            GoalFields(**{**READING.__dict__, "id": goal_id, "target": "95 words a minute"}),
            writing,
        ],
        actions=[ActionFields(**{**SCHOOL_READING.__dict__, "id": school_id})],
    )
    version = plan_change(editor=support.people.rivera, plan=plan, fields=changed, note="Writing")
    assert version is not None
    assert version.number == 2
    assert version.note == "Writing"
    assert sorted(version.changes) == [
        "concern",
        "goal_added",
        "goal_changed",
        "home_action_removed",
    ]
    assert changes_in_words(version.changes) == [
        "Changed: the concern.",
        "1 goal added",
        "1 goal changed",
        "1 home action removed",
    ]
    assert SupportGoal.objects.get(pk=goal_id).target == "95 words a minute"  # kept, not new
    assert not plan.actions.filter(pk=home_id).exists()  # nothing on record: gone
    # the same content again is no change, and no version
    again = plan_fields(
        concern=changed.concern,
        goals=[
            GoalFields(**{**READING.__dict__, "id": goal_id, "target": "95 words a minute"}),
            GoalFields(**{**writing.__dict__, "id": plan.goals.get(position=1).pk}),
        ],
        actions=[ActionFields(**{**SCHOOL_READING.__dict__, "id": plan.actions.get().pk})],
    )
    assert plan_change(editor=support.people.rivera, plan=plan, fields=again) is None
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_a_goal_with_progress_notes_stays_on_record_out_of_the_plan(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    goal = plan.goals.get()
    note = progress_note_add(author=people.rivera, goal=goal, status=ProgressStatus.ON_TRACK)
    plan_review_start(actor=people.rivera, plan=plan)
    other = GoalFields(text="Read aloud to the class once a week")
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields(goals=[other], actions=[]))
    goal.refresh_from_db()
    assert not goal.in_plan
    assert note.goal == goal
    assert [g.text for g in plan.goals.filter(in_plan=True)] == [other.text]


# --- the agreement -----------------------------------------------------------------------------


def test_the_plan_is_agreed_once_staff_sam_and_ada_have_confirmed(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    assert plan.shared_at is not None
    # Ada's other guardians (no support-plan area, link ended, no access) are not asked
    assert {p.username for p in parties(plan).waiting} == {"sam", "ada"}
    plan_confirm(party=people.sam, plan=plan, version=1)
    plan_confirm(party=people.ada, plan=plan, version=1)
    assert _state(plan) == PlanState.PROPOSED  # no member of staff has signed
    plan_confirm(party=people.rivera, plan=plan, version=1)
    assert _state(plan) == PlanState.AGREED
    assert plan.agreed_on == today()
    roles = dict(Agreement.objects.filter(plan=plan).values_list("party__username", "role"))
    assert roles == {"sam": "guardian", "ada": "student", "rivera": "staff"}
    assert Notification.objects.filter(
        kind=plan_notices.FAMILY_ANSWERED, recipient=people.rivera
    ).exists()


def test_a_changed_proposal_is_answered_again_on_its_new_version(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    plan_confirm(party=people.rivera, plan=plan, version=1)
    plan_confirm(party=people.sam, plan=plan, version=1)
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=28))
    with pytest.raises(ValidationError) as error:
        plan_confirm(party=people.ada, plan=plan, version=1)  # the page she read is old
    assert _errors(error) == {"version"}
    plan_confirm(party=people.ada, plan=plan, version=2)
    assert _state(plan) == PlanState.PROPOSED
    assert {p.username for p in parties(plan).waiting} == {"sam"}
    plan_confirm(party=people.rivera, plan=plan, version=2)
    plan_confirm(party=people.sam, plan=plan, version=2)
    assert _state(plan) == PlanState.AGREED


def test_a_disagreement_says_why_and_holds_the_plan_until_answered(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    with pytest.raises(ValidationError) as error:
        plan_disagree(party=people.sam, plan=plan, version=1, note=" ")
    assert _errors(error) == {"note"}
    assert not Agreement.objects.exists()
    plan_disagree(party=people.sam, plan=plan, version=1, note="Por la noche Ada está cansada.")
    told = Notification.objects.get(kind=plan_notices.FAMILY_ANSWERED, recipient=people.rivera)
    assert told.title == "Sam Okoye disagrees with Ada Okoye's support plan"
    assert told.body == "Por la noche Ada está cansada."
    plan_confirm(party=people.rivera, plan=plan, version=1)
    plan_confirm(party=people.ada, plan=plan, version=1)
    assert _state(plan) == PlanState.PROPOSED
    answer = plan_confirm(party=people.sam, plan=plan, version=1)  # she changes her mind
    assert answer.decision == Decision.AGREE
    assert _state(plan) == PlanState.AGREED
    assert Agreement.objects.filter(party=people.sam).count() == 1


def test_a_staff_disagreement_is_noted_beside_anothers_signature(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    plan_disagree(party=support.bakr, plan=plan, version=1, note="Too many goals at once.")
    for party in (people.rivera, people.sam, people.ada):
        plan_confirm(party=party, plan=plan, version=1)
    assert _state(plan) == PlanState.AGREED
    found = dict(Agreement.objects.values_list("party__username", "decision"))
    assert found["bakr"] == Decision.DISAGREE


@pytest.mark.parametrize(
    "name", ["kim", "lou", "rex", "vance", "chen", "jordan", "park", "eve", "library", "maya"]
)
def test_only_the_plans_parties_answer_it(support: Support, name: str) -> None:
    plan = proposed(support)
    with pytest.raises(PermissionDenied):
        plan_confirm(party=person(support, name), plan=plan, version=1)
    with pytest.raises(PermissionDenied):
        comment_add(author=person(support, name), plan=plan, text="Hello")
    assert not Agreement.objects.exists()


def test_a_student_answers_only_their_own_plan(support: Support) -> None:
    people = support.people
    leos = plan_create(author=people.rivera, student=people.leo, fields=plan_fields())
    plan_propose(actor=people.rivera, plan=leos)
    with pytest.raises(PermissionDenied):
        plan_confirm(party=people.ada, plan=leos, version=1)
    assert not Agreement.objects.filter(plan=leos).exists()


def test_the_states_go_one_way(support: Support) -> None:
    people = support.people
    plan = draft(support, goals=[], actions=[])
    with pytest.raises(PermissionDenied):
        plan_review_start(actor=people.rivera, plan=plan)
    with pytest.raises(PermissionDenied):
        plan_confirm(party=people.rivera, plan=plan, version=1)
    with pytest.raises(ValidationError) as error:
        plan_propose(actor=people.rivera, plan=plan)
    assert _errors(error) == {"goals"}
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields())
    plan = agreed(support)
    with pytest.raises(PermissionDenied):
        plan_propose(actor=people.rivera, plan=plan)
    with pytest.raises(PermissionDenied):  # agreed: reviewed first
        plan_change(editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=7))
    with pytest.raises(PermissionDenied):  # only staff
        plan_review_start(actor=people.sam, plan=plan)


def test_a_review_ends_with_everyone_answering_again(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    plan_review_start(actor=people.rivera, plan=plan)
    assert _state(plan) == PlanState.IN_REVIEW
    plan_propose(actor=people.rivera, plan=plan)
    plan.refresh_from_db()
    assert (plan.state, plan.version) == (PlanState.PROPOSED, 2)
    assert PlanVersion.objects.get(plan=plan, number=2).changes == ["renewed"]
    assert {p.username for p in parties(plan).waiting} == {"sam", "ada"}


def test_a_closed_plan_is_read_only(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    plan_close(actor=people.rivera, plan=plan)
    assert _state(plan) == PlanState.CLOSED
    assert plan.closed_at is not None
    with pytest.raises(PermissionDenied):
        plan_change(editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=7))
    with pytest.raises(PermissionDenied):
        comment_add(author=people.sam, plan=plan, text="Gracias")
    with pytest.raises(PermissionDenied):
        plan_close(actor=people.rivera, plan=plan)


# --- comments and what people are told -------------------------------------------------------


def test_sam_proposes_a_change_in_spanish_and_the_staff_hear_of_it(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    with pytest.raises(ValidationError) as error:
        comment_add(author=people.sam, plan=plan, text="", kind="rant")
    assert _errors(error) == {"text", "kind"}
    comment = comment_add(
        author=people.sam,
        plan=plan,
        text="Podemos leer por la mañana antes de la escuela.",
        kind=CommentKind.CHANGE,
    )
    assert (comment.language, comment.on_version) == ("es", 1)
    asked = Translation.objects.filter(source="Podemos leer por la mañana antes de la escuela.")
    assert set(asked.values_list("target_language", flat=True)) == {"en"}
    told = Notification.objects.get(kind=plan_notices.FAMILY_ANSWERED, recipient=people.rivera)
    assert told.title == "Sam Okoye proposes a change to Ada Okoye's support plan"
    staff_comment = comment_add(author=people.rivera, plan=plan, text="Good idea.")
    assert staff_comment.language == "en"
    assert Notification.objects.filter(kind=plan_notices.FAMILY_ANSWERED).count() == 1


def test_a_proposal_tells_the_family_and_the_student_and_changes_their_pages(
    support: Support,
) -> None:
    people = support.people
    plan = draft(support)
    with pytest.raises(PermissionDenied):
        comment_add(author=people.sam, plan=plan, text="Hola")  # a draft is the staff's
    before = _token(people.ada.pk)
    User.objects.filter(pk=people.ada.pk).update(preferred_language="es")  # tú, as a student
    plan_propose(actor=people.rivera, plan=plan)
    assert _token(people.ada.pk) != before
    told = Notification.objects.filter(kind__startswith="support_plan_proposed")
    assert set(told.values_list("recipient__username", flat=True)) == {"sam", "ada"}
    assert told.get(recipient=people.sam).title == "El plan de apoyo de Ada espera su respuesta"
    assert told.get(recipient=people.ada).title == "Tu plan de apoyo espera tu respuesta"
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=21))
    assert told.filter(recipient=people.sam).count() == 2  # once per version


def test_the_review_date_may_stay_once_past_but_a_new_one_is_ahead(support: Support) -> None:
    people = support.people
    plan = draft(support)
    SupportPlan.objects.filter(pk=plan.pk).update(review_on=today() - dt.timedelta(days=1))
    plan.refresh_from_db()
    kept = plan_fields(review_on=plan.review_on, check_every_days=28)
    assert plan_change(editor=people.rivera, plan=plan, fields=kept) is not None
    moved = plan_fields(review_on=today() - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        plan_change(editor=people.rivera, plan=plan, fields=moved)
    assert _errors(error) == {"review_on"}


def test_only_the_students_staff_write_a_plan_for_them(support: Support) -> None:
    people = support.people
    for name in ("vance", "chen", "park", "sam", "ada"):
        with pytest.raises(PermissionDenied):
            plan_create(author=person(support, name), student=people.ada, fields=plan_fields())
    plan = plan_create(author=support.ortiz, student=people.ada, fields=plan_fields())
    assert plan.created_by == support.ortiz
    assert HOME_READING.side == ActionSide.HOME
