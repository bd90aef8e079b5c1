"""The demo's student profiles, written through the support services as people would:

- Ada's *about me* in her own words, and her mother Sam's *from home* in Spanish;
- Ms. Rivera's school note on Ada, for the staff;
- an accommodation for Leo in Ms. Rivera's science class (extended time), set by Ms. Nguyen;
- Ms. Nguyen on the school's support team as its counsellor, with one note on Leo only she reads;
- Leo's support plan for math, written by Ms. Rivera with Sam (in Spanish: she proposed the
  practice at home) and Leo (his view, in his own words), agreed by the three of them five weeks
  ago: two goals (one names his science goal on speed), school and home actions, his extended
  time, two progress checks (the next one due in nine days), and evenings of practice Sam and
  Leo marked done. Jordan's link has no support-plan area: he sees none of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from village.accounts.models import User
from village.community.models import OrgRole, Role
from village.goals.models import Goal
from village.notifications.models import Delivery, DeliveryState
from village.support import plan_notices, reminders
from village.support.models import (
    Accommodation,
    ActionSide,
    Agreement,
    Category,
    CommentKind,
    PlanComment,
    PlanVersion,
    ProgressStatus,
    SupportAction,
    SupportPlan,
    Topic,
    Visibility,
)
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.services.plan_voice import plan_student_view
from village.support.services.plans import (
    ActionFields,
    GoalFields,
    PlanFields,
    comment_add,
    plan_change,
    plan_confirm,
    plan_create,
    plan_propose,
)
from village.support.services.progress import GoalProgress, home_action_done, progress_check_record
from village.support.services.team import team_member_add

_ADA = {
    Topic.INTERESTS: "Drawing clouds, and keeping my weather diary every morning.",
    Topic.HELPS_ME_LEARN: "Pictures and trying things with my hands before I write about them.",
    Topic.FOR_MY_TEACHERS: "I get nervous when I read aloud, but I like answering questions.",
}
_SAM_ON_ADA = {
    Topic.HOME_INTERESTS: (
        "A Ada le encanta dibujar y ayudar a su abuela en la huerta los fines de semana."
    ),
    Topic.HOME_LANGUAGES: "En casa hablamos español e inglés; Ada lee en los dos idiomas.",
}


def demo_support_build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build the demo's profiles; the counts of what was written."""
    day = today or timezone.localdate()
    people = User.objects.in_bulk(
        ["ada", "leo", "sam", "rivera", "nguyen", "priya"], field_name="username"
    )
    ada, leo, sam = people["ada"], people["leo"], people["sam"]
    rivera, nguyen, priya = people["rivera"], people["nguyen"], people["priya"]
    school = OrgRole.objects.get(user=nguyen, role=Role.SCHOOL_ADMIN).organisation
    entries = 0
    for topic, text in _ADA.items():
        entry_save(author=ada, student=ada, topic=topic, text=text, language="en")
        entries += 1
    for topic, text in _SAM_ON_ADA.items():
        entry_save(author=sam, student=ada, topic=topic, text=text, language="es")
        entries += 1
    entry_save(
        author=rivera,
        student=ada,
        topic=Topic.OBSERVED_STRENGTHS,
        text="Ada asks sharp questions about the weather data; invite her to share them.",
        language="en",
        visibility=Visibility.STAFF,
    )
    team_member_add(actor=priya, school=school, user=nguyen, kind="counsellor")
    entry_save(
        author=nguyen,
        student=leo,
        topic=Topic.NEEDS,
        text="Leo worries about timed math tests since he moved schools; we meet on Tuesdays.",
        language="en",
        visibility=Visibility.RESTRICTED,
        readers=[nguyen],
    )
    extended = accommodation_add(
        author=nguyen,
        student=leo,
        fields=AccommodationFields(
            category=Category.TIMING,
            title="Extended time (time and a half) on tests and timed work",
            starts_on=day - dt.timedelta(days=30),
            ends_on=day + dt.timedelta(days=90),
            details="Agreed with Leo and his family; Ms. Rivera gives it in science.",
            visibility=Visibility.FAMILY,
        ),
    )
    _leos_plan(people, extended, day)
    return {"profile entries": entries + 2, "accommodations": 1, "support plans": 1}


# --- Leo's support plan ---------------------------------------------------------------------------

_QUIZZES = GoalFields(
    text="Finish each math quiz using his extended time, leaving no question blank",
    baseline="Left 4 of 12 questions blank on each of his last two quizzes",
    target="At most one blank question on each quiz by the review",
    measure="Mr. Chen's quiz records, looked at every two weeks",
)
_STEPS = GoalFields(
    text="Explain the steps of a two-step problem aloud, in a small group",
    baseline="Gives answers without the steps; says he 'just knows'",
    target="Explains both steps on three problems in a row",
    measure="Mr. Chen's notes during small-group work; speed problems in science",
)
_SCHOOL = [
    ActionFields(
        side=ActionSide.SCHOOL,
        who="Mr. Chen",
        what="Gives the extended time and a quiet desk, and checks in with Leo before each quiz",
        how_often="Before each quiz",
        goal=1,
    ),
    ActionFields(
        side=ActionSide.SCHOOL,
        who="Ms. Rivera",
        what="Asks Leo to explain one step of his speed calculations to his lab group",
        how_often="Once a week in science",
        goal=2,
    ),
]
_CALM = ActionFields(
    side=ActionSide.HOME,
    who="Leo",
    what="Packs his calculator and the card with his calm-down steps the night before a quiz",
    how_often="Before each quiz",
    goal=1,
)
#: Sam's idea, proposed in Spanish and written into the second version.
_PRACTICE = ActionFields(
    side=ActionSide.HOME,
    who="Sam and Leo",
    what=(
        "Ten minutes of mixed practice from the class review sheet, Leo explaining each step aloud"
    ),
    how_often="Monday to Thursday, after dinner",
    goal=2,
)


def _plan_fields(day: dt.date, extended: Accommodation, home: list[ActionFields]) -> PlanFields:
    speed = Goal.objects.filter(
        goal_set__title="Forces and motion", title="Calculate speed from distance and time"
    ).first()
    steps = GoalFields(**{**_STEPS.__dict__, "learning_goal_id": speed.pk if speed else None})
    return PlanFields(
        title="Math with confidence",
        concern=(
            "Leo knows more math than his quizzes show: he freezes on timed quizzes and leaves "
            "questions blank, and he keeps his thinking to himself."
        ),
        present_level=(
            "Solves one-step problems reliably; on two-step problems he often gets the answer "
            "but cannot say how. Quiz scores around 60%; homework around 85%."
        ),
        review_on=day + dt.timedelta(days=60),
        check_every_days=14,
        goals=[_QUIZZES, steps],
        actions=[*_SCHOOL, *home],
        accommodation_ids=[extended.pk],
    )


def _with_ids(plan: SupportPlan, fields: PlanFields) -> PlanFields:
    """``fields`` naming the plan's goals and actions saved already (kept, not replaced)."""
    goals = list(plan.goals.order_by("position"))
    actions = {(a.side, a.what): a.pk for a in SupportAction.objects.filter(plan=plan)}
    return PlanFields(
        **{
            **fields.__dict__,
            "goals": [
                GoalFields(**{**given.__dict__, "id": goal.pk})
                for given, goal in zip(fields.goals, goals, strict=True)
            ],
            "actions": [
                ActionFields(**{**given.__dict__, "id": actions.get((given.side, given.what))})
                for given in fields.actions
            ],
        }
    )


def _backdate(rows: QuerySet[Any], field: str, moment: dt.datetime | dt.date) -> None:
    rows.update(**{field: moment})


def _leos_plan(people: dict[str, User], extended: Accommodation, day: dt.date) -> None:
    leo, sam, rivera = people["leo"], people["sam"], people["rivera"]
    now = timezone.now()
    plan = plan_create(
        author=rivera, student=leo, fields=_plan_fields(day, extended, [_CALM]),
        note="First draft after our meeting with Sam and Leo",
    )  # fmt: skip
    plan_propose(actor=rivera, plan=plan)
    comment_add(
        author=sam,
        plan=plan,
        kind=CommentKind.CHANGE,
        text=(
            "¿Podemos añadir práctica en casa? Diez minutos después de cenar, de lunes a "
            "jueves; Leo me explica cada paso en voz alta."
        ),
    )
    plan_change(
        editor=rivera,
        plan=plan,
        fields=_with_ids(plan, _plan_fields(day, extended, [_CALM, _PRACTICE])),
        note="Sam's idea: practice at home after dinner",
    )
    plan_student_view(
        student=leo,
        plan=plan,
        text=(
            "I know the steps when nobody is timing me. I want to try explaining my steps, but "
            "in my group, not in front of everyone."
        ),
    )
    plan.refresh_from_db()
    plan_confirm(party=rivera, plan=plan, version=plan.version)
    plan_confirm(
        party=sam, plan=plan, version=plan.version,
        note="De acuerdo. Gracias por incluir la práctica en casa.",
    )  # fmt: skip
    plan_confirm(party=leo, plan=plan, version=plan.version)
    _as_five_weeks_ago(plan, now, day)
    _carried_out(plan, people, day)
    kinds = [*plan_notices.kind_names(), *reminders.kind_names()]
    Delivery.objects.filter(kind__in=kinds).update(
        state=DeliveryState.SENT, sent_at=now, attempts=1
    )


def _as_five_weeks_ago(plan: SupportPlan, now: dt.datetime, day: dt.date) -> None:
    """The plan as written six weeks ago and agreed five weeks ago."""
    written = now - dt.timedelta(days=42)
    _backdate(SupportPlan.objects.filter(pk=plan.pk), "created_at", written)
    _backdate(SupportPlan.objects.filter(pk=plan.pk), "shared_at", written + dt.timedelta(days=1))
    _backdate(SupportPlan.objects.filter(pk=plan.pk), "agreed_on", day - dt.timedelta(days=35))
    for number, days in ((1, 42), (2, 37), (3, 36)):
        moment = now - dt.timedelta(days=days)
        _backdate(PlanVersion.objects.filter(plan=plan, number=number), "created_at", moment)
    _backdate(Agreement.objects.filter(plan=plan), "at", now - dt.timedelta(days=35))
    comments = PlanComment.objects.filter(plan=plan).order_by("pk")
    for comment, days in zip(comments, (39,), strict=True):
        _backdate(
            PlanComment.objects.filter(pk=comment.pk), "created_at", now - dt.timedelta(days=days)
        )
    plan.refresh_from_db()


def _carried_out(plan: SupportPlan, people: dict[str, User], day: dt.date) -> None:
    """Two progress checks (three and one weeks ago) and evenings of practice done."""
    quizzes, steps = plan.goals.order_by("position")
    checks = [
        (21, [(quizzes, ProgressStatus.SOME_PROGRESS, "2 blank of 12", ""),
              (steps, ProgressStatus.NO_PROGRESS, "", "Not yet: prefers to write the steps.")]),
        (7, [(quizzes, ProgressStatus.ON_TRACK, "1 blank of 12", "Used all his extra time."),
             (steps, ProgressStatus.SOME_PROGRESS, "2 of 3 problems",
              "Explained his speed calculation to his lab group.")]),
    ]  # fmt: skip
    for days, notes in checks:
        progress_check_record(
            author=people["rivera"],
            plan=plan,
            noted_on=day - dt.timedelta(days=days),
            notes=[
                GoalProgress(goal_id=goal.pk, status=status, measured=measured, note=note)
                for goal, status, measured, note in notes
            ],
        )
    practice = plan.actions.get(side=ActionSide.HOME, who="Sam and Leo")
    for days, by, note in (
        (8, "sam", "Leo explicó los dos pasos sin ayuda."),
        (6, "sam", ""),
        (3, "leo", "Did the speed ones."),
        (1, "sam", "Un poco cansado, pero lo hicimos."),
    ):
        home_action_done(
            by=people[by], action=practice, done_on=day - dt.timedelta(days=days), note=note
        )
