"""Classwork: what each class studies (topics), the work teachers post (assignments, with
materials, a grading category and optionally a rubric), what students hand in (submissions, every
attempt kept) and what teachers say back (feedback: comment, rubric scores, grade, excused).

A piece of work's status (not yet due, submitted, late, missing, excused, graded) is never stored:
``village.classwork.status`` computes it from these rows and the clock.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from village.community.models import Organisation, SchoolClass
from village.core.models import SourcedModel, TimeStampedModel


class Topic(TimeStampedModel):
    """A unit or topic a class studies between two dates ("The water cycle", 3 to 14 November)."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("what the class studies"),
        blank=True,
        help_text=_("One or two sentences for students and families."),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["school_class", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="topic_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class GradingCategory(SourcedModel):
    """A kind of work with its weight in the course grade (homework 20%, projects 40%...)."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="grading_categories"
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = _("grading categories")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Rubric(TimeStampedModel):
    """Criteria, each with levels worth points, that work or progress is scored on.

    A rubric is owned by a class (its teachers grade work with it) or, without a class, by the
    school (apps above classwork refer to it: goals, support plans). ``school`` is always set:
    the class's school for a class rubric (``services.rubrics.rubric_create`` keeps them equal).
    """

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="rubrics")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="rubrics"
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric_id", "position", "id"]
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    title = models.CharField(_("level"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.points})"


class AssessmentKind(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    SELF = "self", _("Self-assessment")


class RubricAssessment(TimeStampedModel):
    """One student's work or progress scored on a rubric, by a teacher or by the student
    (``kind``). Its ``scores`` hold the level chosen for each criterion. Teacher feedback on
    work graded with a rubric has one (``Feedback.assessment``); apps above classwork (goals,
    support plans) refer to theirs."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="assessments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rubric_assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=16, choices=AssessmentKind.choices)

    class Meta:
        ordering = ["rubric_id", "student_id", "id"]
        indexes = [models.Index(fields=["student", "rubric"], name="rubricassessment_student")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="rubricassessment_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} assessment of {self.student_id} on rubric {self.rubric_id}"


def published_q(now: object, *, through: str = "") -> Q:
    """The condition for published work: active, and its assign time has come by ``now``.

    ``through`` prefixes the field names to reach the assignment from another model
    (``"assignment__"`` from feedback). Used by ``AssignmentQuerySet.published`` and wherever
    the condition sits inside an OR."""
    return Q(**{f"{through}status": "active", f"{through}assign_at__lte": now})


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def published(self, now: object) -> AssignmentQuerySet:
        """Active work whose assign time has come (students and families see only this)."""
        return self.filter(published_q(now))


class Assignment(SourcedModel):
    """A piece of work posted to a class.

    ``instructions`` is HTML, sanitised on the way in (``village.classwork.richtext``), made
    from ``instructions_source``: what the teacher typed, with light formatting or as HTML.
    ``points`` is what the work is out of; with a rubric it is the rubric's maximum.
    """

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assignments"
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("topic"),
    )
    category = models.ForeignKey(
        GradingCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("category"),
    )
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("rubric"),
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    #: The instructions as the teacher typed them (light formatting, or HTML), to edit again.
    instructions_source = models.TextField(_("instructions as typed"), blank=True)
    assign_at = models.DateTimeField(_("assigned"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    points = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    visible_to_families = models.BooleanField(_("families see it"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["school_class", "due_at"]),
            models.Index(fields=["school_class", "assign_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(due_at__gte=models.F("assign_at")),
                name="assignment_due_after_assigned",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentMaterial(models.Model):
    """A link or a file that goes with an assignment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="classwork/materials/%Y/%m/", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assignment_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="material_link_or_file",
            )
        ]

    def __str__(self) -> str:
        return self.title


def submission_path(instance: Submission, filename: str) -> str:
    """Uploads are stored under an opaque path; the original name is kept in ``file_name``."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return (
        f"classwork/submissions/{instance.assignment_id}/{instance.student_id}/"
        f"{instance.attempt}-{uuid.uuid4().hex}{suffix}"
    )


class Submission(TimeStampedModel):
    """One attempt at an assignment. Resubmitting adds an attempt; earlier ones are kept."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("answer"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to=submission_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("handed in"))

    class Meta:
        ordering = ["assignment_id", "student_id", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "attempt"], name="submission_unique_attempt"
            )
        ]
        indexes = [models.Index(fields=["student", "assignment"])]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.assignment_id} #{self.attempt}"


class Feedback(SourcedModel):
    """What the teacher says about one student's work: comment, rubric scores, grade.

    One row per student and assignment. Students and families see it once ``returned_at`` is
    set; until then it is the teacher's draft. ``excused`` takes the work out of the grade.

    Once returned, ``score``, ``comment``, ``excused`` and the rubric scores are what the student
    and family see. Changes the teacher saves without returning them go to the ``draft_*`` fields
    (``draft_saved_at`` set) and replace the returned version only when returned again.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="feedback")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_received"
    )
    score = models.DecimalField(
        _("grade"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    comment = models.TextField(_("comment"), blank=True)
    excused = models.BooleanField(_("excused"), default=False)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    draft_saved_at = models.DateTimeField(_("changes saved"), null=True, blank=True)
    draft_score = models.DecimalField(
        _("grade (changes)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    draft_comment = models.TextField(_("comment (changes)"), blank=True)
    draft_excused = models.BooleanField(_("excused (changes)"), default=False)
    #: The rubric level chosen for each criterion in the changes: {"criterion id": level id}.
    draft_rubric = models.JSONField(default=dict, blank=True)
    #: The rubric scores the student and family see (work graded with a rubric).
    assessment = models.OneToOneField(
        RubricAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["assignment_id", "student_id"]
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="feedback_unique")
        ]
        indexes = [models.Index(fields=["student", "returned_at"])]

    def __str__(self) -> str:
        return f"feedback for {self.student_id} on {self.assignment_id}"

    @property
    def has_draft(self) -> bool:
        """Returned feedback with changes the student and family do not see yet."""
        return self.returned_at is not None and self.draft_saved_at is not None

    @property
    def draft_levels(self) -> dict[int, int]:
        """The rubric levels kept with the changes: criterion id to level id (JSON keeps the
        criterion ids as text)."""
        return {int(criterion): level for criterion, level in self.draft_rubric.items()}


class RubricScore(models.Model):
    """The level chosen for one criterion of an assessment, and the points it is worth."""

    assessment = models.ForeignKey(
        RubricAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(
        RubricLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    points = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["assessment_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="rubricscore_unique")
        ]

    def __str__(self) -> str:
        return f"{self.points} on criterion {self.criterion_id}"


class FeedbackSeen(models.Model):
    """Someone (the student, or one of their guardians) has seen returned feedback."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="seen_by")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feedback", "user"], name="feedbackseen_unique")
        ]
        indexes = [models.Index(fields=["user", "feedback"])]

    def __str__(self) -> str:
        return f"{self.user_id} saw feedback {self.feedback_id}"


class ClassEvent(TimeStampedModel):
    """Something on a class's calendar that is not a piece of work: a trip, a test, a show."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="class_events"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    visible_to_families = models.BooleanField(_("families see it"), default=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["school_class", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="classevent_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChildWorkSummary(models.Model):
    """What the family overview needs of one child's classwork, kept between page loads.

    Built by ``village.classwork.family.summary`` from the classwork tables, and rebuilt there
    when the child's classwork version has changed (``key``), when the child's classes have
    changed, or when it is a day old. It holds nothing particular to one guardian.
    """

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    key = models.CharField(max_length=40)
    built_at = models.DateTimeField()
    data = models.JSONField()

    def __str__(self) -> str:
        return f"Work summary of student {self.student_id}"


class WeeklyNote(models.Model):
    """A teacher's one sentence to a student and their family: what to work on next, for one
    class and one week (the week's Monday, in the teacher's time zone). Shown to the family in
    the weekly digest and on the child's page. At most one per class, student and week."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="weekly_notes"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_notes"
    )
    week_start = models.DateField(_("week"))
    text = models.CharField(_("what to work on next"), max_length=280)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="weekly_notes_written",
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student", "week_start"], name="weekly_note_unique"
            )
        ]
        indexes = [models.Index(fields=["student", "week_start"])]

    def __str__(self) -> str:
        return f"Note for {self.student_id} in {self.school_class_id}, week of {self.week_start}"
