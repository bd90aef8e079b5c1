"""One student's plan as the pages and the API show it, in a constant number of queries: the
set's groups in order, in each the goals the student chose in their order (and the optional
goals they did not), and for each goal its state, prerequisites, activities, efforts with the
student's and the teacher's levels, the family's encouragement and the requests for help.

``staff`` views also see encouragements a teacher hid (marked); students and families never do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Prefetch
from django.utils import timezone

from village.classwork.models import Assignment, Feedback, RubricScore, published_q
from village.goals.models import (
    Activity,
    Effort,
    EffortFeedback,
    Encouragement,
    Goal,
    GoalAssignment,
    GoalGroup,
    GoalSet,
    HelpRequest,
    Plan,
    PlanGoal,
    Prerequisite,
)
from village.goals.progress import GoalState, goal_state


@dataclass(frozen=True, slots=True)
class LevelView:
    """A level chosen on one criterion of the rubric."""

    criterion: str
    level: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class Assessed:
    """An assessment on the set's rubric: its levels, their total and the rubric's best."""

    levels: tuple[LevelView, ...]
    total: Decimal
    best: Decimal

    @property
    def label(self) -> str:
        return ", ".join(level.level for level in self.levels)

    @property
    def share(self) -> float:
        """How far up the rubric, from 0 to 1 (for pictures)."""
        return float(self.total / self.best) if self.best else 0.0


@dataclass
class FeedbackView:
    feedback: EffortFeedback
    assessed: Assessed | None


@dataclass
class EffortView:
    effort: Effort
    assessed: Assessed | None
    feedback: list[FeedbackView] = field(default_factory=list)
    encouragements: list[Encouragement] = field(default_factory=list)


@dataclass(frozen=True)
class WorkView:
    """A piece of the class's work that counts as evidence for a goal, with the teacher's
    returned comment on the student's work (never the score: goals do not show grades)."""

    assignment: Assignment
    comment: str
    returned_at: dt.datetime | None


@dataclass
class GoalView:
    goal: Goal
    plan_goal: PlanGoal | None
    state: GoalState
    needs: list[Goal] = field(default_factory=list)
    subgoal_of: Goal | None = None
    activities: list[Activity] = field(default_factory=list)
    efforts: list[EffortView] = field(default_factory=list)
    encouragements: list[Encouragement] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)
    work: list[WorkView] = field(default_factory=list)

    @property
    def latest(self) -> EffortView | None:
        return self.efforts[-1] if self.efforts else None


@dataclass
class GroupView:
    group: GoalGroup
    chosen: list[GoalView]
    not_chosen: list[GoalView]


@dataclass
class PlanView:
    goal_set: GoalSet
    plan: Plan | None
    groups: list[GroupView]

    def goals(self) -> list[GoalView]:
        return [view for group in self.groups for view in group.chosen]

    def counts(self) -> dict[GoalState, int]:
        found: dict[GoalState, int] = defaultdict(int)
        for view in self.goals():
            found[view.state] += 1
        return found


def assessment_scores(ids: set[int]) -> dict[int, list[RubricScore]]:
    """The scores of these assessments, each in the rubric's order of criteria (one query)."""
    scores: dict[int, list[RubricScore]] = defaultdict(list)
    for score in (
        RubricScore.objects.filter(assessment_id__in=ids)
        .select_related("criterion", "level")
        .order_by("criterion__position", "criterion_id")
    ):
        scores[score.assessment_id].append(score)
    return scores


def rubric_best(goal_set: GoalSet) -> Decimal:
    """The most the set's rubric is worth (one query)."""
    best = (
        goal_set.rubric.criteria.values("pk")
        .annotate(best=Max("levels__points"))
        .values_list("best", flat=True)
    )
    return sum((b or Decimal(0) for b in best), Decimal(0))


def assessed(scores: list[RubricScore] | None, best: Decimal) -> Assessed | None:
    if not scores:
        return None
    return Assessed(
        levels=tuple(
            LevelView(s.criterion.title, s.level.title if s.level else "", s.points) for s in scores
        ),
        total=sum((s.points for s in scores), Decimal(0)),
        best=best,
    )


def plan_view(
    goal_set: GoalSet,
    plan: Plan | None,
    *,
    staff: bool = False,
    work: bool = False,
    today: dt.date | None = None,
) -> PlanView:
    """The plan (``None``: the student has none yet) laid out by group (constant queries).
    ``work``: with the class's published work linked to each chosen goal and the teacher's
    returned comment on the student's (two more queries; for those who see the child's
    classwork)."""
    today = today or timezone.localdate()
    groups = list(GoalGroup.objects.filter(goal_set=goal_set))
    goals = list(Goal.objects.filter(goal_set=goal_set).order_by("position", "pk"))
    by_id = {goal.pk: goal for goal in goals}
    needs: dict[int, list[Goal]] = defaultdict(list)
    for goal_id, needs_id in Prerequisite.objects.filter(goal__goal_set=goal_set).values_list(
        "goal_id", "needs_id"
    ):
        needs[goal_id].append(by_id[needs_id])
    chosen = _chosen(plan, staff) if plan is not None else []
    best = rubric_best(goal_set)
    views = {pg.goal_id: _goal_view(pg, by_id, needs, plan, goal_set, today, best) for pg in chosen}
    if work and plan is not None and views:
        for goal_id, found in linked_work(plan.student_id, list(views)).items():
            views[goal_id].work = found
    laid_out = []
    for group in groups:
        mine = [views[pg.goal_id] for pg in chosen if by_id[pg.goal_id].group_id == group.pk]
        others = [
            GoalView(
                goal=goal,
                plan_goal=None,
                state=GoalState.NOT_CHOSEN,
                needs=needs.get(goal.pk, []),
                subgoal_of=by_id.get(goal.parent_id) if goal.parent_id else None,
            )
            for goal in goals
            if goal.group_id == group.pk and goal.pk not in views
        ]
        laid_out.append(GroupView(group=group, chosen=mine, not_chosen=others))
    return PlanView(goal_set=goal_set, plan=plan, groups=laid_out)


def linked_work(student_id: int, goal_ids: list[int]) -> dict[int, list[WorkView]]:
    """The published work linked to these goals, with the student's returned feedback comment
    on each (two queries)."""
    links = list(
        GoalAssignment.objects.filter(
            published_q(timezone.now(), through="assignment__"),
            goal_id__in=goal_ids,
        )
        .select_related("assignment")
        .order_by("assignment__due_at", "assignment_id")
    )
    if not links:
        return {}
    returned = {
        feedback.assignment_id: feedback
        for feedback in Feedback.objects.filter(
            student_id=student_id,
            assignment_id__in={link.assignment_id for link in links},
            returned_at__isnull=False,
        )
    }
    found: dict[int, list[WorkView]] = defaultdict(list)
    for link in links:
        feedback = returned.get(link.assignment_id)
        found[link.goal_id].append(
            WorkView(
                assignment=link.assignment,
                comment=feedback.comment if feedback else "",
                returned_at=feedback.returned_at if feedback else None,
            )
        )
    return found


def _chosen(plan: Plan, staff: bool) -> list[PlanGoal]:
    encouragements = Encouragement.objects.select_related("author").order_by("created_at", "pk")
    if not staff:
        encouragements = encouragements.filter(hidden_at__isnull=True)
    chosen = list(
        PlanGoal.objects.filter(plan=plan)
        .order_by("position", "pk")
        .prefetch_related(
            "activities",
            Prefetch("efforts", queryset=Effort.objects.order_by("created_at", "pk")),
            Prefetch(
                "efforts__feedback",
                queryset=EffortFeedback.objects.select_related("author").order_by("created_at"),
            ),
            Prefetch("encouragements", queryset=encouragements),
            # With who answered: their answer is in their language.
            Prefetch(
                "help_requests",
                queryset=HelpRequest.objects.select_related("answered_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
    )
    ids = {
        assessment
        for pg in chosen
        for effort in pg.efforts.all()
        for assessment in [
            effort.self_assessment_id,
            *(fb.assessment_id for fb in effort.feedback.all()),
        ]
        if assessment is not None
    }
    scores = assessment_scores(ids)
    for pg in chosen:
        pg.scores = scores  # type: ignore[attr-defined]
    return chosen


def _goal_view(
    pg: PlanGoal,
    by_id: dict[int, Goal],
    needs: dict[int, list[Goal]],
    plan: Plan | None,
    goal_set: GoalSet,
    today: dt.date,
    best: Decimal,
) -> GoalView:
    scores: dict[int, list[RubricScore]] = pg.scores  # type: ignore[attr-defined]
    efforts = list(pg.efforts.all())
    encouragements = list(pg.encouragements.all())
    effort_views = [
        EffortView(
            effort=effort,
            assessed=assessed(scores.get(effort.self_assessment_id), best),
            feedback=[
                FeedbackView(fb, assessed(scores.get(fb.assessment_id or 0), best))
                for fb in effort.feedback.all()
            ],
            encouragements=[e for e in encouragements if e.effort_id == effort.pk],
        )
        for effort in efforts
    ]
    goal = by_id[pg.goal_id]
    last = timezone.localdate(efforts[-1].created_at) if efforts else None
    sent = timezone.localdate(plan.submitted_at) if plan and plan.submitted_at else None
    state = goal_state(
        chosen=True,
        met=pg.met_at is not None,
        waiting=pg.met_asked_at is not None or any(e.is_waiting for e in efforts),
        efforts=len(efforts),
        last_effort=last,
        sent=sent,
        today=today,
        stalled_after_days=goal_set.stalled_after_days,
    )
    return GoalView(
        goal=goal,
        plan_goal=pg,
        state=state,
        needs=needs.get(goal.pk, []),
        subgoal_of=by_id.get(goal.parent_id) if goal.parent_id else None,
        activities=list(pg.activities.all()),
        efforts=effort_views,
        encouragements=[e for e in encouragements if e.effort_id is None],
        help_requests=list(pg.help_requests.all()),
    )
