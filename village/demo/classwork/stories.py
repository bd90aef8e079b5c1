"""The persona stories of PRODUCT.md, told through the demo's classwork.

On whatever day the demo is built:

- Ada (grade 5) has handed in everything but one piece of work, and Ms. Rivera has just returned
  feedback on her persuasive letter that neither Ada nor Sam has seen yet;
- Leo (grade 8) handed in his science lab report late and got feedback on it; in math his grade
  is below 70% and going down, and one piece of work is missing;
- Maya, in Ada's class, is doing well;
- Sam has seen the rest of the feedback for both children; Jordan (Leo's classwork only) has seen
  what came back more than a week ago.

The work these stories use sits at least a week in the past (see the catalogue), so it is due,
handed in and returned whatever the weekday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from village.accounts.models import User
from village.demo.classwork.outcomes import DAY, HOUR, Outcome, Student, Timing

if TYPE_CHECKING:
    from village.demo.classwork.term import ClassPlan, PlannedAssignment

ADA_MISSING = "Adding fractions with unlike denominators"
ADA_NEW_FEEDBACK = "Persuasive letter: final copy"
LEO_LATE_LAB = "Lab report: ramps and friction"
LEO_MISSING = "Writing equations from word problems"

RIVERA_TO_ADA = (
    "Ada, your final letter is a real step up from the draft: the question you open with makes "
    "the principal want to read on, and the survey result (18 of 24 classmates agree) is exactly "
    "the kind of evidence a reader can't ignore. Your second reason still needs an example. "
    "Next step: add one sentence from your interview with Mr. Osei, then read the letter aloud "
    "at home before we send it."
)
RIVERA_TO_LEO = (
    "Leo, your data table is complete and you ran three trials on each surface: that is good "
    "scientific habit. Your conclusion says friction 'slowed the car down' but doesn't use your "
    "numbers yet, so add the average distances for carpet and for wood. This came in two days "
    "late; if you get stuck, come to lab help on Wednesday, before the due date. Next step: "
    "revise the conclusion by Friday."
)
CHEN_TO_LEO = (
    "Leo, you set up each equation correctly, but the answers slip when you work with negative "
    "numbers. Next step: redo problems 4 to 7 and come to math help on Thursday at lunch."
)
Seen = Callable[[dt.datetime], list[int]]


def tell_stories(plans: dict[str, ClassPlan], timing: Timing) -> None:
    people = dict(
        User.objects.filter(
            sourced_id__in=[f"demo-user-{name}" for name in ("ada", "leo", "maya", "sam", "jordan")]
        ).values_list("username", "pk")
    )
    if len(people) < 5:
        return  # not the persona school
    sam, jordan = people["sam"], people["jordan"]
    if homeroom := plans.get("G5-HR"):
        _ada(homeroom, timing, lambda returned: [people["ada"], sam])
        _steady(homeroom, "maya", timing, (96, 98, 94, 97, 95), lambda _r: [people["maya"]])
    leo_seen = _leo_seen(timing, people["leo"], sam, jordan)
    if science := plans.get("G8-SCI"):
        _steady(science, "leo", timing, (82, 78, 84, 76, 80), leo_seen)
        _late_lab(science, timing, people["leo"])
    if math := plans.get("G8-MATH"):
        _falling_math(math, timing, leo_seen)


def _leo_seen(timing: Timing, leo: int, sam: int, jordan: int) -> Seen:
    def seen(returned: dt.datetime) -> list[int]:
        viewers = [leo, sam]
        if returned < timing.anchor - 7 * DAY:
            viewers.append(jordan)
        return viewers

    return seen


def _student(plan: ClassPlan, username: str) -> Student | None:
    return next((s for s in plan.students if s.username == username), None)


def _past(plan: ClassPlan, timing: Timing) -> list[tuple[int, PlannedAssignment]]:
    return [(i, a) for i, a in enumerate(plan.assignments) if a.due_at < timing.anchor]


def _on_time(
    timing: Timing, planned: PlannedAssignment, percent: float, seen: Seen, comment: str = ""
) -> Outcome:
    handed_in = max(planned.due_at - 20 * HOUR, planned.assign_at + HOUR)
    returned = handed_in + 2 * DAY
    if returned >= timing.anchor - HOUR:
        return Outcome([handed_in])  # not graded yet
    return Outcome([handed_in], percent, returned, comment=comment, seen_by=seen(returned))


def _steady(
    plan: ClassPlan, username: str, timing: Timing, percents: Sequence[float], seen: Seen
) -> None:
    """Everything handed in on time and graded around ``percents``."""
    student = _student(plan, username)
    if student is None:
        return
    for number, (index, planned) in enumerate(_past(plan, timing)):
        percent = percents[number % len(percents)]
        plan.outcomes[(index, student.pk)] = _on_time(timing, planned, percent, seen)


def _ada(plan: ClassPlan, timing: Timing, seen: Seen) -> None:
    ada = _student(plan, "ada")
    if ada is None:
        return
    _steady(plan, "ada", timing, (91, 87, 94, 89, 85, 92), seen)
    plan.outcomes.pop((plan.index_of(ADA_MISSING), ada.pk), None)
    index = plan.index_of(ADA_NEW_FEEDBACK)
    letter = plan.assignments[index]
    handed_in = letter.due_at - 26 * HOUR
    returned = max(handed_in + 2 * HOUR, timing.anchor - 6 * HOUR)
    plan.outcomes[(index, ada.pk)] = Outcome([handed_in], 90, returned, comment=RIVERA_TO_ADA)


def _late_lab(plan: ClassPlan, timing: Timing, leo: int) -> None:
    index = plan.index_of(LEO_LATE_LAB)
    lab = plan.assignments[index]
    handed_in = min(lab.due_at + 47 * HOUR, timing.latest - 2 * DAY)
    returned = min(handed_in + 22 * HOUR, timing.latest)
    plan.outcomes[(index, leo)] = Outcome(
        [handed_in], 71, returned, comment=RIVERA_TO_LEO, seen_by=[leo]
    )


def _falling_math(plan: ClassPlan, timing: Timing, seen: Seen) -> None:
    """Leo's math: from the low 80s down to below 50, one piece of work never handed in."""
    leo = _student(plan, "leo")
    if leo is None:
        return
    missing = plan.index_of(LEO_MISSING)
    past = [(i, a) for i, a in _past(plan, timing) if i != missing]
    for number, (index, planned) in enumerate(past):
        percent = 84 - 38 * number / max(1, len(past) - 1)
        comment = CHEN_TO_LEO if number == len(past) - 2 else ""
        plan.outcomes[(index, leo.pk)] = _on_time(timing, planned, percent, seen, comment)
    plan.outcomes.pop((missing, leo.pk), None)
