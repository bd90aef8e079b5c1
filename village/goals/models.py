"""Student-led learning goals.

- :class:`GoalSet`: a teacher's goals for one class and, usually, one unit (topic): groups of
  goals, the rubric students report their progress on after every effort, the dates students
  choose and work on them, and whether plans need the teacher's approval.
- :class:`GoalGroup`: goals that belong together ("Observing weather"); how many of its optional
  goals each student chooses at least.
- :class:`Goal`: one goal, *core* (every student) or *optional* (chosen), with success criteria
  and suggested activities; it may be a sub-goal of another goal of its group (``parent``) and
  may need other goals of the set first (:class:`Prerequisite`; never in a cycle).
- :class:`Plan`: one student's plan for a set: the goals they chose (:class:`PlanGoal`), in the
  order they decided within each group, each with the activities they propose
  (:class:`Activity`). Draft until the student sends it; the teacher approves it or asks for a
  change (a set may approve plans by itself).
- :class:`Effort`: what the student did towards a goal, their level on the set's rubric (a
  self-assessment), a reflection, optional evidence, and whether they ask for feedback or think
  the goal is met. :class:`EffortFeedback` is the teacher's answer (a comment, the teacher's
  own level, and possibly the confirmation that the goal is met: only a teacher marks a goal
  met).
- :class:`Encouragement`: a guardian's short note on a goal or an effort ("extra motives"),
  shown to the child and the teacher; a teacher may hide one.
- :class:`HelpRequest`: the student's "I need help at home with…", answered by a guardian.
- :class:`GoalAssignment`: a piece of classwork that counts as evidence for a goal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from village.classwork.models import Assignment, RubricAssessment, Topic
from village.classwork.models import Rubric as ClassworkRubric
from village.community.models import SchoolClass
from village.core.models import TimeStampedModel

TITLE_MAX = 200
NOTE_MAX = 1000
TEXT_MAX = 5000
LINK_MAX = 2000


class GoalSet(TimeStampedModel):
    """A class's learning goals for a unit, which its students choose from and work towards."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="goal_sets"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="goal_sets"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(_("what the goals are about"), blank=True, max_length=TEXT_MAX)
    rubric = models.ForeignKey(
        ClassworkRubric,
        on_delete=models.PROTECT,
        related_name="goal_sets",
        verbose_name=_("rubric for self-reports"),
    )
    opens_on = models.DateField(_("students choose from"))
    closes_on = models.DateField(_("work ends on"))
    published = models.BooleanField(_("students and families see it"), default=False)
    auto_approve = models.BooleanField(
        _("approve plans without review"),
        default=False,
        help_text=_("A plan that keeps the rules is approved as soon as the student sends it."),
    )
    stalled_after_days = models.PositiveSmallIntegerField(
        _("stalled after (days without an effort)"), default=14
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "id"]
        verbose_name = _("goal set")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="goalset_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(stalled_after_days__gte=1), name="goalset_stalled_positive"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "published"])]

    def __str__(self) -> str:
        return self.title


class GoalGroup(models.Model):
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX)
    min_optional = models.PositiveSmallIntegerField(
        _("optional goals to choose (at least)"), default=0
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal_set_id", "position", "id"]
        verbose_name = _("goal group")

    def __str__(self) -> str:
        return self.title


class GoalKind(models.TextChoices):
    CORE = "core", _("Core")
    OPTIONAL = "optional", _("Optional")


class Goal(models.Model):
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="goals")
    group = models.ForeignKey(GoalGroup, on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subgoals",
        verbose_name=_("part of"),
    )
    title = models.CharField(_("goal"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX)
    kind = models.CharField(_("kind"), max_length=16, choices=GoalKind.choices)
    success_criteria = models.TextField(_("success criteria"), blank=True, max_length=TEXT_MAX)
    suggested_activities = models.TextField(
        _("suggested activities"), blank=True, max_length=TEXT_MAX
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal_set_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GoalKind.values), name="goal_kind"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="goal_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_core(self) -> bool:
        return self.kind == GoalKind.CORE


class Prerequisite(models.Model):
    """``goal`` needs ``needs`` first (both of one set; the graph has no cycle)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="prerequisites")
    needs = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="needed_by")

    class Meta:
        ordering = ["goal_id", "needs_id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "needs"], name="prerequisite_unique"),
            models.CheckConstraint(condition=~Q(goal=F("needs")), name="prerequisite_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} needs {self.needs_id}"


class GoalAssignment(models.Model):
    """A piece of the class's work that counts as evidence for a goal: its feedback shows on
    the goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="assignment_links")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "assignment"], name="goalassignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} for goal {self.goal_id}"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the teacher")
    CHANGES = "changes", _("Change asked")
    APPROVED = "approved", _("Approved")


class Plan(TimeStampedModel):
    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="plans")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goal_plans"
    )
    state = models.CharField(max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    teacher_note = models.TextField(_("note from the teacher"), blank=True, max_length=NOTE_MAX)

    class Meta:
        ordering = ["goal_set_id", "student_id"]
        constraints = [
            models.UniqueConstraint(fields=["goal_set", "student"], name="plan_one_per_student"),
            models.CheckConstraint(condition=Q(state__in=PlanState.values), name="plan_state"),
        ]
        indexes = [models.Index(fields=["student", "goal_set"], name="plan_student")]


class PlanGoal(models.Model):
    """A goal in a student's plan, at the place they put it within its group."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="chosen")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    met_asked_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "goal"], name="plangoal_unique"),
        ]

    def __str__(self) -> str:
        return f"goal {self.goal_id} in plan {self.plan_id}"


class Helper(models.TextChoices):
    """Whom a student will ask for help with an activity."""

    TEACHER = "teacher", _("My teacher")
    FAMILY = "family", _("My family")
    PARTNER = "partner", _("A community partner")
    MYSELF = "myself", _("On my own")


class Activity(models.Model):
    """An activity a student proposes to meet a goal, in their own words."""

    plan_goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="activities")
    text = models.CharField(_("activity"), max_length=NOTE_MAX)
    link = models.URLField(_("link"), blank=True, max_length=LINK_MAX)
    ask = models.CharField(
        _("who will help"), max_length=16, choices=Helper.choices, default=Helper.MYSELF
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_goal_id", "position", "id"]
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(condition=Q(ask__in=Helper.values), name="activity_ask"),
        ]

    def __str__(self) -> str:
        return self.text


def evidence_path(effort: Effort, filename: str) -> str:
    return f"goals/evidence/{effort.plan_goal_id}/{filename}"


class Effort(TimeStampedModel):
    """One effort towards a goal and the student's report on it."""

    plan_goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="efforts")
    done = models.TextField(_("what I did"), max_length=TEXT_MAX)
    went_well = models.TextField(_("what went well"), blank=True, max_length=NOTE_MAX)
    next_step = models.TextField(_("what I will do next"), blank=True, max_length=NOTE_MAX)
    self_assessment = models.OneToOneField(
        RubricAssessment, on_delete=models.PROTECT, related_name="+"
    )
    link = models.URLField(_("link"), blank=True, max_length=LINK_MAX)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    feedback_asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_goal_id", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["feedback_asked_at"],
                condition=Q(feedback_asked_at__isnull=False, answered_at__isnull=True),
                name="effort_waiting",
            )
        ]

    @property
    def is_waiting(self) -> bool:
        return self.feedback_asked_at is not None and self.answered_at is None


class EffortFeedback(TimeStampedModel):
    """A teacher's answer to an effort: a comment, their own level on the rubric, and possibly
    the confirmation that the goal is met."""

    effort = models.ForeignKey(Effort, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(_("comment"), max_length=TEXT_MAX)
    assessment = models.OneToOneField(
        RubricAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirms_met = models.BooleanField(_("the goal is met"), default=False)

    class Meta:
        ordering = ["effort_id", "created_at", "id"]


class Encouragement(TimeStampedModel):
    """A guardian's encouragement on a goal of their child's plan, or on one effort."""

    plan_goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="encouragements")
    effort = models.ForeignKey(
        Effort, on_delete=models.CASCADE, null=True, blank=True, related_name="encouragements"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("encouragement"), max_length=NOTE_MAX)
    language = models.CharField(max_length=16)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan_goal_id", "created_at", "id"]


class HelpRequest(TimeStampedModel):
    """A student's "I need help at home with…" on a goal, and a guardian's answer."""

    plan_goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="help_requests")
    text = models.CharField(_("I need help at home with"), max_length=NOTE_MAX)
    answer = models.TextField(_("answer"), blank=True, max_length=NOTE_MAX)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan_goal_id", "created_at", "id"]
