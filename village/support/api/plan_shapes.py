"""What the support-plan endpoints answer, and how a plan's page (``selectors.plans.PlanPage``)
becomes it: the content of a version read from its snapshot, the parties and their answers,
comments, progress notes and home actions done; every text as written with its translation into
the caller's language; every person named as the caller may read them (a guardian never reads
another guardian's name, nor their id: ``selectors.plans.Names``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema, Status
from pydantic import WithJsonSchema

from village.accounts.models import User
from village.support import schedule
from village.support.api.common import SupportPersonOut, person
from village.support.api.profiles import SupportTranslationOut
from village.support.models import (
    ActionSide,
    Agreement,
    Category,
    CommentKind,
    Decision,
    HomeActionLog,
    PartyRole,
    PlanComment,
    PlanState,
    PlanVersion,
    ProgressNote,
    ProgressStatus,
    SupportPlan,
)
from village.support.plan_policies import PlanAccess
from village.support.plan_translations import Wanted, staff_language
from village.support.selectors.plan_content import changes_in_words
from village.support.selectors.plans import Names, PlanPage, PlanRow
from village.support.services.plan_voice import OPEN_TO_THE_STUDENT
from village.translation.texts import Reason, Translations

#: A plan's state, inlined in the published schema: the goals' plans have a ``PlanState`` of
#: their own, and schema components are named by class.
SupportPlanState = Annotated[
    PlanState,
    WithJsonSchema({"type": "string", "enum": list(PlanState.values), "title": "SupportPlanState"}),
]

# --- the parts ----------------------------------------------------------------------------------


class SupportTextOut(Schema):
    text: str = Field(description="As its writer wrote it (empty when nothing was written).")
    language: str = Field(description="The language it was written in (an IETF tag).")
    translation: SupportTranslationOut | None = Field(
        description="In the caller's language, once the machine translation is ready; null "
        "when the caller reads the text's language, or while it is on its way."
    )
    translation_pending: bool = Field(
        description="A translation into the caller's language is on its way."
    )


class SupportPartyOut(Schema):
    id: int | None = Field(
        description="Null for another of the child's guardians: a guardian reads neither the "
        "name nor the id of another guardian."
    )
    name: str = Field(description='Or "Another of the child\'s guardians", for a guardian.')
    role: PartyRole = Field(description="As which party: staff, guardian or student.")


class SupportCheckOut(Schema):
    due_on: dt.date = Field(description="When the next progress check is due.")
    late: bool = Field(description="Its day has passed without a progress note.")
    days_late: int


class SupportPlanAccessOut(Schema):
    role: PartyRole | None = Field(description="As which party the caller takes part.")
    edit: bool = Field(description="May change the content (PUT).")
    propose: bool
    respond: bool = Field(description="May confirm or disagree with the current version.")
    start_review: bool
    close: bool
    comment: bool
    note_progress: bool = Field(description="May record a progress check.")
    log_home: bool = Field(description="May mark home actions done.")
    write_student_view: bool = Field(description="May write the student's view (the student).")


# --- content ------------------------------------------------------------------------------------


class SupportLearningGoalRefOut(Schema):
    id: int
    title: str


class SupportPlanGoalOut(Schema):
    id: int
    number: int = Field(description="Its place in the plan, from 1 (actions name it).")
    text: SupportTextOut
    baseline: SupportTextOut
    target: SupportTextOut
    measure: SupportTextOut = Field(description="How progress is measured.")
    learning_goal: SupportLearningGoalRefOut | None


class SupportPlanActionOut(Schema):
    id: int
    side: ActionSide = Field(description="school or home (of equal standing).")
    who: SupportTextOut
    what: SupportTextOut
    how_often: SupportTextOut
    goal: int | None = Field(description="The number of the goal it serves; null: the plan.")


class SupportPlanAccommodationOut(Schema):
    id: int
    title: str
    category: Category


class SupportPlanContentOut(Schema):
    title: SupportTextOut
    concern: SupportTextOut
    present_level: SupportTextOut
    review_on: dt.date
    check_every_days: int
    goals: list[SupportPlanGoalOut] = Field(description="In the plan's order.")
    actions: list[SupportPlanActionOut] = Field(description="In the plan's order.")
    accommodations: list[SupportPlanAccommodationOut]
    student_view: SupportTextOut = Field(description="The student's view, in their words.")


# --- the record ---------------------------------------------------------------------------------


class SupportPlanAnswerOut(Schema):
    id: int
    version: int = Field(description="The number of the version answered.")
    party: SupportPartyOut
    decision: Decision = Field(description="agree, or disagree (with a note saying why).")
    note: SupportTextOut
    at: dt.datetime


class SupportPlanPartiesOut(Schema):
    answers: list[SupportPlanAnswerOut] = Field(description="Answers to the current version.")
    waiting: list[SupportPartyOut] = Field(
        description="The guardians who confirm and the student, who have not agreed yet."
    )
    staff_signed: bool = Field(description="At least one of the staff has signed.")


class SupportPlanCommentOut(Schema):
    id: int
    author: SupportPartyOut
    kind: CommentKind = Field(description="comment, or change (a proposed change).")
    text: SupportTextOut
    on_version: int
    created_at: dt.datetime


class SupportProgressNoteOut(Schema):
    id: int
    goal_id: int
    author: SupportPersonOut
    status: ProgressStatus
    measured: SupportTextOut
    note: SupportTextOut
    noted_on: dt.date
    created_at: dt.datetime


class SupportGoalProgressOut(Schema):
    goal_id: int
    notes: list[SupportProgressNoteOut] = Field(description="Newest first.")


class SupportHomeLogOut(Schema):
    id: int
    action_id: int
    by: SupportPartyOut
    done_on: dt.date
    note: SupportTextOut
    created_at: dt.datetime


class SupportHomeActionDoneOut(Schema):
    action_id: int
    count: int = Field(description="How many times it was marked done in all.")
    latest: list[SupportHomeLogOut] = Field(description="The latest times, newest first.")


class SupportPlanVersionOut(Schema):
    number: int
    changed_by: SupportPersonOut
    created_at: dt.datetime
    changes: list[str] = Field(description="What changed, in words in the caller's language.")
    note: SupportTextOut = Field(description="What the editor said changed.")


class SupportPlanVersionAnsweredOut(SupportPlanVersionOut):
    answers: list[SupportPlanAnswerOut] = Field(description="Each party's answer to it.")


class SupportPlanVersionDetailOut(SupportPlanVersionAnsweredOut):
    content: SupportPlanContentOut = Field(description="The plan as it was in this version.")


class SupportPlanOut(Schema):
    id: int
    student: SupportPersonOut
    state: SupportPlanState = Field(description="draft, proposed, agreed, in_review or closed.")
    version: SupportPlanVersionOut = Field(description="The current version.")
    content: SupportPlanContentOut = Field(description="The current version's content.")
    check: SupportCheckOut | None = Field(description="The next progress check (in force).")
    parties: SupportPlanPartiesOut
    waits_on_caller: bool = Field(description="The current version waits for the caller.")
    progress: list[SupportGoalProgressOut] = Field(description="For each goal of the content.")
    home_actions_done: list[SupportHomeActionDoneOut] = Field(
        description="For each home action of the content."
    )
    comments: list[SupportPlanCommentOut] = Field(description="Oldest first.")
    caller: SupportPlanAccessOut = Field(description="What the caller may do with it now.")
    agreed_on: dt.date | None = Field(description="The day it last became agreed.")
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class SupportPlanRowOut(Schema):
    id: int
    student_id: int
    title: SupportTextOut
    state: SupportPlanState
    version: int = Field(description="The number of the current version.")
    review_on: dt.date
    check: SupportCheckOut | None = Field(description="The next progress check (in force).")
    waits_on_caller: bool = Field(description="The current version waits for the caller.")
    created_at: dt.datetime
    updated_at: dt.datetime


# --- shaping ------------------------------------------------------------------------------------


class Shaper:
    """Makes the answers for one caller: texts found in ``translations`` (placed at the plan's
    school), people named through ``names``."""

    def __init__(self, plan: SupportPlan, translations: Translations, names: Names) -> None:
        self.place = plan.school_id
        self.student_id = plan.student_id
        self.translations = translations
        self.names = names

    def text(self, value: str, language: str) -> SupportTextOut:
        shown = self.translations.get(self.place, value) if value else None
        translation = None
        if shown is not None and shown.translated:
            translation = SupportTranslationOut(
                text=shown.text, language=shown.language, uncertain=list(shown.uncertain)
            )
        return SupportTextOut(
            text=value,
            language=shown.original_language if shown is not None else language,
            translation=translation,
            translation_pending=shown is not None and shown.reason == Reason.PENDING,
        )

    def staff_text(self, value: str) -> SupportTextOut:
        return self.text(value, staff_language())

    def party(self, user: User, role: PartyRole | str) -> SupportPartyOut:
        guardian = role == PartyRole.GUARDIAN
        hidden = self.names.hidden(user, guardian=guardian)
        name = self.names.of(user, guardian=guardian)
        return SupportPartyOut(id=None if hidden else user.pk, name=name, role=PartyRole(role))

    def family_member(self, user: User) -> SupportPartyOut:
        """The student, or one of the guardians."""
        student = user.pk == self.student_id
        return self.party(user, PartyRole.STUDENT if student else PartyRole.GUARDIAN)

    # --- content

    def content(self, content: dict[str, Any]) -> SupportPlanContentOut:
        """A version's snapshot (``services.plan_content.plan_content``)."""
        said = self.staff_text
        view = content.get("student_view") or {}
        return SupportPlanContentOut(
            title=said(content.get("title", "")),
            concern=said(content.get("concern", "")),
            present_level=said(content.get("present_level", "")),
            review_on=dt.date.fromisoformat(content["review_on"]),
            check_every_days=content["check_every_days"],
            goals=[self.goal(at, goal) for at, goal in enumerate(content.get("goals", []), 1)],
            actions=[self.action(action) for action in content.get("actions", [])],
            accommodations=[
                SupportPlanAccommodationOut(
                    id=row["id"], title=row["title"], category=Category(row["category"])
                )
                for row in content.get("accommodations", [])
            ],
            student_view=self.text(view.get("text", ""), view.get("language", "")),
        )

    def goal(self, number: int, goal: dict[str, Any]) -> SupportPlanGoalOut:
        linked = goal.get("learning_goal")
        return SupportPlanGoalOut(
            id=goal["id"],
            number=number,
            text=self.staff_text(goal["text"]),
            baseline=self.staff_text(goal["baseline"]),
            target=self.staff_text(goal["target"]),
            measure=self.staff_text(goal["measure"]),
            learning_goal=SupportLearningGoalRefOut(**linked) if linked else None,
        )

    def action(self, action: dict[str, Any]) -> SupportPlanActionOut:
        return SupportPlanActionOut(
            id=action["id"],
            side=ActionSide(action["side"]),
            who=self.staff_text(action["who"]),
            what=self.staff_text(action["what"]),
            how_often=self.staff_text(action["how_often"]),
            goal=action.get("goal"),
        )

    # --- the record

    def answer(self, answer: Agreement, number: int) -> SupportPlanAnswerOut:
        return SupportPlanAnswerOut(
            id=answer.pk,
            version=number,
            party=self.party(answer.party, answer.role),
            decision=Decision(answer.decision),
            note=self.text(answer.note, answer.language),
            at=answer.at,
        )

    def comment(self, comment: PlanComment) -> SupportPlanCommentOut:
        return SupportPlanCommentOut(
            id=comment.pk,
            author=self.party(comment.author, comment.role),
            kind=CommentKind(comment.kind),
            text=self.text(comment.text, comment.language),
            on_version=comment.on_version,
            created_at=comment.created_at,
        )

    def progress_note(self, note: ProgressNote) -> SupportProgressNoteOut:
        return SupportProgressNoteOut(
            id=note.pk,
            goal_id=note.goal_id,
            author=person(note.author),
            status=ProgressStatus(note.status),
            measured=self.text(note.measured, note.language),
            note=self.text(note.note, note.language),
            noted_on=note.noted_on,
            created_at=note.created_at,
        )

    def home_log(self, log: HomeActionLog) -> SupportHomeLogOut:
        return SupportHomeLogOut(
            id=log.pk,
            action_id=log.action_id,
            by=self.family_member(log.by),
            done_on=log.done_on,
            note=self.text(log.note, log.language),
            created_at=log.created_at,
        )

    def version(self, version: PlanVersion) -> SupportPlanVersionOut:
        return SupportPlanVersionOut(**self._version(version))

    def version_answered(self, version: PlanVersion) -> SupportPlanVersionAnsweredOut:
        """``version`` with its answers read (``selectors.plans.plan_versions``)."""
        answers = [self.answer(answer, version.number) for answer in version.agreements.all()]
        return SupportPlanVersionAnsweredOut(**self._version(version), answers=answers)

    def version_detail(self, version: PlanVersion) -> SupportPlanVersionDetailOut:
        answers = [self.answer(answer, version.number) for answer in version.agreements.all()]
        return SupportPlanVersionDetailOut(
            **self._version(version), answers=answers, content=self.content(version.content)
        )

    def _version(self, version: PlanVersion) -> dict[str, Any]:
        return {
            "number": version.number,
            "changed_by": person(version.changed_by),
            "created_at": version.created_at,
            "changes": changes_in_words(version.changes),
            "note": self.staff_text(version.note),
        }

    # --- the page

    def plan(self, page: PlanPage) -> SupportPlanOut:
        """The whole plan as its page shows it."""
        plan = page.plan
        return SupportPlanOut(
            id=plan.pk,
            student=person(plan.student),
            state=PlanState(plan.state),
            version=self.version(page.version),
            content=self.content(page.version.content),
            check=check_out(page.check),
            parties=self.parties(page),
            waits_on_caller=page.access.respond and page.own_answer is None,
            progress=self.progress(page),
            home_actions_done=self.home_actions_done(page),
            comments=[self.comment(comment) for comment in page.comments],
            caller=access_out(page.access, plan),
            agreed_on=plan.agreed_on,
            closed_at=plan.closed_at,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
        )

    def parties(self, page: PlanPage) -> SupportPlanPartiesOut:
        number = page.plan.version
        return SupportPlanPartiesOut(
            answers=[self.answer(answer, number) for answer in page.parties.answers],
            waiting=[self.family_member(waiting) for waiting in page.parties.waiting],
            staff_signed=page.parties.staff_signed,
        )

    def progress(self, page: PlanPage) -> list[SupportGoalProgressOut]:
        return [
            SupportGoalProgressOut(goal_id=goal.id, notes=[self.progress_note(n) for n in notes])
            for goal, notes in page.goal_rows
        ]

    def home_actions_done(self, page: PlanPage) -> list[SupportHomeActionDoneOut]:
        return [
            SupportHomeActionDoneOut(
                action_id=action.id,
                count=page.log_counts.get(action.id, 0),
                latest=[self.home_log(log) for log in page.logs.get(action.id, [])],
            )
            for action in page.content.home_actions
        ]


def check_out(check: schedule.Check | None) -> SupportCheckOut | None:
    if check is None:
        return None
    return SupportCheckOut(due_on=check.due_on, late=check.late, days_late=check.days_late)


def access_out(access: PlanAccess, plan: SupportPlan) -> SupportPlanAccessOut:
    return SupportPlanAccessOut(
        role=access.role,
        edit=access.edit,
        propose=access.propose,
        respond=access.respond,
        start_review=access.start_review,
        close=access.close,
        comment=access.comment,
        note_progress=access.note_progress,
        log_home=access.log_home,
        write_student_view=access.role == PartyRole.STUDENT and plan.state in OPEN_TO_THE_STUDENT,
    )


def rows_out(user: User, rows: list[PlanRow]) -> list[SupportPlanRowOut]:
    """A student's plans, their titles in ``user``'s language (one query)."""
    if not rows:
        return []
    translations = Wanted(rows[0].plan).staff(*(row.plan.title for row in rows)).shown_to(user)
    names = own_names(user, PartyRole.STAFF)
    return [row_out(row, Shaper(row.plan, translations, names)) for row in rows]


def row_out(row: PlanRow, shaper: Shaper) -> SupportPlanRowOut:
    plan = row.plan
    return SupportPlanRowOut(
        id=plan.pk,
        student_id=plan.student_id,
        title=shaper.staff_text(plan.title),
        state=PlanState(plan.state),
        version=plan.version,
        review_on=plan.review_on,
        check=check_out(row.check),
        waits_on_caller=row.waits_on_viewer,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def _place(name: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in name.split(".")]


def invalid_at(error: ValidationError) -> Status[Any]:
    """A service's ``ValidationError`` as a 422 naming where each bad value is in the body: a
    service's ``goals.0.text`` is ``["body", "payload", "goals", 0, "text"]``, as the API's own
    checks name it."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    detail = [
        {"loc": ["body", "payload", *_place(name)], "msg": message, "type": "value_error"}
        for name, found in messages.items()
        for message in found
    ]
    return Status(422, {"detail": detail})


def own_names(user: User, role: PartyRole | str) -> Names:
    """How the caller's own words are named to them (never hidden from themself)."""
    return Names(viewer_id=user.pk, hide_guardians=role == PartyRole.GUARDIAN)
