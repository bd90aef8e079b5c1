"""Who a student is, beyond their name and classes: the profile's entries, each with its author
and visibility, the student's accommodations, and each school's support team.

- ``Entry``: one text of the profile, in its author's words and language. A section (about me,
  from home, school notes) is written by one kind of author (the student, a guardian, staff);
  each author keeps one entry per topic, so a guardian's entry is always their own.
- ``EntryReader``: the staff named on a restricted entry, the only readers besides its author.
- ``Accommodation``: an adjustment every current teacher of the student applies (a category, a
  title such as "Extended time", from a date, until a date or open-ended).
- ``TeamMember``: a school's counsellors and support staff; each must also hold a staff role at
  the school, and sees the school's students' profiles as their staff do.

Who sees and writes what is ``policies.py``'s; what is checked on a write, ``services``'.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import Organisation
from village.core.models import TimeStampedModel

#: The longest profile text or accommodation detail.
TEXT_MAX = 2000
#: The longest accommodation title.
TITLE_MAX = 200


class Visibility(models.TextChoices):
    """Who reads an entry besides its author (see ``policies``)."""

    FAMILY = "family", _("The student and family")
    STAFF = "staff", _("All the student's current staff")
    RESTRICTED = "restricted", _("Named staff only")


class Section(models.TextChoices):
    ABOUT_ME = "about_me", _("About me")
    FROM_HOME = "from_home", _("From home")
    SCHOOL_NOTES = "school_notes", _("School notes")


class Topic(models.TextChoices):
    # about me: the student's own words
    INTERESTS = "interests", _("My interests")
    STRENGTHS = "strengths", _("My strengths")
    HELPS_ME_LEARN = "helps_me_learn", _("What helps me learn")
    FIND_HARD = "find_hard", _("What I find hard")
    FOR_MY_TEACHERS = "for_my_teachers", _("What I'd like my teachers to know")
    # from home: each guardian's own
    HOME_INTERESTS = "home_interests", _("Interests and talents at home")
    HOME_LANGUAGES = "home_languages", _("Languages spoken at home")
    CULTURE = "culture", _("Culture and traditions")
    WORKS_AT_HOME = "works_at_home", _("What works at home")
    CONCERNS = "concerns", _("Concerns")
    # school notes: staff
    OBSERVED_STRENGTHS = "observed_strengths", _("Strengths observed")
    NEEDS = "needs", _("Needs")


#: The topics of each section, in the order the profile shows them.
TOPICS: dict[Section, tuple[Topic, ...]] = {
    Section.ABOUT_ME: (
        Topic.INTERESTS,
        Topic.STRENGTHS,
        Topic.HELPS_ME_LEARN,
        Topic.FIND_HARD,
        Topic.FOR_MY_TEACHERS,
    ),
    Section.FROM_HOME: (
        Topic.HOME_INTERESTS,
        Topic.HOME_LANGUAGES,
        Topic.CULTURE,
        Topic.WORKS_AT_HOME,
        Topic.CONCERNS,
    ),
    Section.SCHOOL_NOTES: (Topic.OBSERVED_STRENGTHS, Topic.NEEDS),
}

#: What each section is seen by when its author does not choose.
DEFAULT_VISIBILITY: dict[Section, Visibility] = {
    Section.ABOUT_ME: Visibility.FAMILY,
    Section.FROM_HOME: Visibility.FAMILY,
    Section.SCHOOL_NOTES: Visibility.STAFF,
}


def section_of(topic: Topic) -> Section:
    return next(section for section, topics in TOPICS.items() if topic in topics)


def _topic_in_section() -> Q:
    condition = Q(pk__in=[])
    for section, topics in TOPICS.items():
        condition |= Q(section=section, topic__in=topics)
    return condition


class Entry(TimeStampedModel):
    """One text of a student's profile, by one author, on one topic, in the author's language."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_entries"
    )
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_entries_written"
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    #: An IETF language tag: the language the author wrote in.
    language = models.CharField(_("language"), max_length=16)
    visibility = models.CharField(_("visible to"), max_length=16, choices=Visibility.choices)
    readers: models.ManyToManyField[User, EntryReader] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EntryReader", related_name="+", blank=True
    )

    class Meta:
        ordering = ["student_id", "section", "topic", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "topic", "author"], name="support_entry_one_per_author_topic"
            ),
            models.CheckConstraint(condition=_topic_in_section(), name="support_entry_topic"),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="support_entry_visibility"
            ),
        ]
        indexes = [models.Index(fields=["student", "visibility"], name="support_entry_student")]

    def __str__(self) -> str:
        return f"{self.topic} of {self.student_id} by {self.author_id}"


class EntryReader(models.Model):
    """A member of staff named on a restricted entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reader_rows")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "reader"], name="support_entryreader_unique")
        ]
        # the policy asks "which entries name this user?"
        indexes = [models.Index(fields=["reader", "entry"], name="support_entryreader_reader")]

    def __str__(self) -> str:
        return f"{self.reader_id} reads {self.entry_id}"


class Category(models.TextChoices):
    PRESENTATION = "presentation", _("Presentation")
    RESPONSE = "response", _("Response")
    SETTING = "setting", _("Setting")
    TIMING = "timing", _("Timing and scheduling")


#: Accommodations are shown to every current teacher: never restricted.
ACCOMMODATION_VISIBILITIES = (Visibility.FAMILY, Visibility.STAFF)


class Accommodation(TimeStampedModel):
    """An adjustment the student's teachers apply, from ``starts_on`` until ``ends_on`` (open when
    empty), e.g. extended time, read-aloud, preferential seating."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accommodations"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("accommodation"), max_length=TITLE_MAX)
    details = models.TextField(_("details"), blank=True, max_length=TEXT_MAX)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.FAMILY
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["student_id", "category", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="support_accommodation_dates",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[str(v) for v in ACCOMMODATION_VISIBILITIES]),
                name="support_accommodation_visibility",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "starts_on"], name="support_accommodation_student")
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.student_id}"


class TeamKind(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    SUPPORT_STAFF = "support_staff", _("Support staff")


class TeamMember(TimeStampedModel):
    """A school's counsellor or support staff member (who also holds a staff role there)."""

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_memberships"
    )
    kind = models.CharField(_("role on the support team"), max_length=16, choices=TeamKind.choices)

    class Meta:
        ordering = ["school_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="support_teammember_unique")
        ]
        # the policy asks "which schools' teams is this user on?"
        indexes = [models.Index(fields=["user", "school"], name="support_teammember_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} at {self.school_id}"


# --- support plans -------------------------------------------------------------------------------
#
# A plan is written by the student's staff with the family and the student, agreed by all of
# them, carried out at school and at home, checked on a promised schedule and reviewed:
#
# - ``SupportPlan``: the concern in plain words, the present level, the review date and how often
#   progress is checked, its state (draft → proposed → agreed → in review → closed) and the
#   number of its current version;
# - ``SupportGoal``: a goal with a baseline, a target and how progress is measured (it may name a
#   learning goal of ``village.goals``); ``SupportAction``: who does what and how often, at school
#   or at home (equal status), for a goal or the whole plan; the plan's accommodations are the
#   student's (``Accommodation``);
# - ``PlanVersion``: every change of the content is a new version, a snapshot of it with who
#   changed what and when; ``Agreement``: each party's confirmation of, or disagreement with, one
#   version;
# - ``PlanComment``: any party's comment or proposed change, in the writer's language;
# - ``ProgressNote``: staff's note on a goal at a progress check; ``HomeActionLog``: a home
#   action marked done by a guardian or the student.
#
# Who sees and does what is ``plan_policies``'; what is checked on a write, ``services.plans``'
# and ``services.progress``'.

#: The longest short line of a plan (who does an action, how often, a measured value).
LINE_MAX = 200
#: How often progress may be checked, in days.
CHECK_EVERY_MIN = 1
CHECK_EVERY_MAX = 365


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_REVIEW = "in_review", _("In review")
    CLOSED = "closed", _("Closed")


#: States in which the plan is carried out, checked and reminded of.
IN_FORCE = (PlanState.AGREED, PlanState.IN_REVIEW)
#: States in which staff change the plan's content.
EDITABLE = (PlanState.DRAFT, PlanState.PROPOSED, PlanState.IN_REVIEW)


class SupportPlan(TimeStampedModel):
    """A student's support plan at their school. ``version`` is the number of the current
    ``PlanVersion``; ``shared_at`` is when it was first proposed (a plan never proposed is the
    staff's draft, even once closed); ``agreed_on`` the day the plan last became agreed."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_plans"
    )
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    concern = models.TextField(_("the concern, in plain words"), max_length=TEXT_MAX)
    present_level = models.TextField(_("present level"), blank=True, max_length=TEXT_MAX)
    #: The language the staff wrote the plan's content in.
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    review_on = models.DateField(_("review date"))
    check_every_days = models.PositiveSmallIntegerField(_("progress checked every (days)"))
    version = models.PositiveIntegerField(_("version"), default=0)
    shared_at = models.DateTimeField(null=True, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accommodations = models.ManyToManyField(Accommodation, related_name="support_plans", blank=True)
    #: The student's own view of the plan, in their words and language (``student_view_language``).
    student_view = models.TextField(_("in the student's words"), blank=True, max_length=TEXT_MAX)
    student_view_language = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["student_id", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=PlanState.values), name="support_plan_state"
            ),
            models.CheckConstraint(
                condition=Q(check_every_days__gte=CHECK_EVERY_MIN)
                & Q(check_every_days__lte=CHECK_EVERY_MAX),
                name="support_plan_check_every",
            ),
            # A draft closed without being proposed stays the staff's: never shared.
            models.CheckConstraint(
                condition=Q(state__in=[PlanState.DRAFT, PlanState.CLOSED])
                | Q(shared_at__isnull=False),
                name="support_plan_shared_once_proposed",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=IN_FORCE) | Q(agreed_on__isnull=False),
                name="support_plan_agreed_on",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "state"], name="support_plan_student"),
            # the reminders sweep reads the plans in force
            models.Index(fields=["state", "review_on"], name="support_plan_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.student_id}, v{self.version})"

    @property
    def in_force(self) -> bool:
        return self.state in IN_FORCE

    @property
    def shared(self) -> bool:
        """Has the family ever been shown the plan (it was proposed)?"""
        return self.shared_at is not None


class SupportGoal(models.Model):
    """A goal of a plan. ``in_plan`` is false once taken out of a plan that has progress notes
    on it: the notes stay on record, the goal is no longer part of the plan."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("goal"), max_length=TEXT_MAX)
    baseline = models.TextField(_("baseline"), blank=True, max_length=TEXT_MAX)
    target = models.TextField(_("target"), blank=True, max_length=TEXT_MAX)
    measure = models.TextField(_("how progress is measured"), blank=True, max_length=TEXT_MAX)
    learning_goal = models.ForeignKey(
        "goals.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    in_plan = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        indexes = [models.Index(fields=["plan", "in_plan", "position"], name="support_goal_plan")]

    def __str__(self) -> str:
        return f"goal {self.position} of plan {self.plan_id}"


class ActionSide(models.TextChoices):
    SCHOOL = "school", _("At school")
    HOME = "home", _("At home")


class SupportAction(models.Model):
    """Who does what, how often, at school or at home (the two of equal standing); for one goal
    or the whole plan. ``in_plan`` as for goals, for an action with home logs."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        SupportGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    side = models.CharField(_("where"), max_length=8, choices=ActionSide.choices)
    position = models.PositiveSmallIntegerField(default=0)
    who = models.CharField(_("who"), max_length=LINE_MAX)
    what = models.TextField(_("what they do"), max_length=TEXT_MAX)
    how_often = models.CharField(_("how often"), blank=True, max_length=LINE_MAX)
    in_plan = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan_id", "side", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=ActionSide.values), name="support_action_side"
            )
        ]
        indexes = [models.Index(fields=["plan", "in_plan", "side"], name="support_action_plan")]

    def __str__(self) -> str:
        return f"{self.side} action {self.position} of plan {self.plan_id}"


class PlanVersion(models.Model):
    """One version of a plan's content: a snapshot (``content``, see ``plan_content``), who
    made it and when, and what changed (``changes``: codes the pages put in words, with the
    editor's own ``note``)."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    changes = models.JSONField(default=list)
    note = models.CharField(_("what changed"), blank=True, max_length=LINE_MAX)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="support_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="support_version_number"),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} v{self.number}"


class PartyRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    GUARDIAN = "guardian", _("Guardian")
    STUDENT = "student", _("Student")


class Decision(models.TextChoices):
    AGREE = "agree", _("Agrees")
    DISAGREE = "disagree", _("Disagrees")


class Agreement(models.Model):
    """A party's answer to one version of a plan: agreement (staff sign, a guardian confirms,
    the student agrees), or disagreement with a note saying why. One per party and version; a
    party may change their answer while the version is proposed."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="agreements")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="agreements")
    party = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("as"), max_length=16, choices=PartyRole.choices)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    language = models.CharField(_("language"), max_length=16)
    at = models.DateTimeField()

    class Meta:
        ordering = ["plan_id", "version_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="support_agreement_unique"),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values), name="support_agreement_role"
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.AGREE)
                | (Q(decision=Decision.DISAGREE) & ~Q(note="")),
                name="support_agreement_disagreement_says_why",
            ),
        ]
        indexes = [models.Index(fields=["plan", "version"], name="support_agreement_plan")]

    def __str__(self) -> str:
        return f"{self.party_id} {self.decision} plan {self.plan_id} v{self.version_id}"


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    CHANGE = "change", _("Proposed change")


class PlanComment(models.Model):
    """A comment on a plan, or a change a party proposes, in its writer's language, on the
    version they read."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: As which party the author wrote (a guardian's name is not shown to another guardian).
    role = models.CharField(_("as"), max_length=16, choices=PartyRole.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CommentKind.choices, default=CommentKind.COMMENT
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    language = models.CharField(_("language"), max_length=16)
    on_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values), name="support_comment_kind"
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values), name="support_comment_role"
            ),
        ]
        indexes = [models.Index(fields=["plan", "created_at"], name="support_comment_plan")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.author_id} on plan {self.plan_id}"


class ProgressStatus(models.TextChoices):
    NO_PROGRESS = "no_progress", _("No progress")
    SOME_PROGRESS = "some_progress", _("Some progress")
    ON_TRACK = "on_track", _("On track")
    MET = "met", _("Met")


class ProgressNote(models.Model):
    """Staff's note on one goal of a plan at a progress check (``noted_on``)."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="progress_notes")
    goal = models.ForeignKey(SupportGoal, on_delete=models.CASCADE, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("progress"), max_length=16, choices=ProgressStatus.choices)
    measured = models.CharField(_("measured"), blank=True, max_length=LINE_MAX)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    language = models.CharField(_("language"), max_length=16)
    noted_on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "-noted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProgressStatus.values), name="support_progress_status"
            )
        ]
        indexes = [models.Index(fields=["plan", "noted_on"], name="support_progress_plan")]

    def __str__(self) -> str:
        return f"{self.status} on goal {self.goal_id} ({self.noted_on})"


class HomeActionLog(models.Model):
    """A home action done on ``done_on``, marked by a guardian or the student."""

    action = models.ForeignKey(SupportAction, on_delete=models.CASCADE, related_name="logs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), blank=True, max_length=LINE_MAX)
    language = models.CharField(_("language"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action_id", "-done_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "by", "done_on"], name="support_homelog_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["action", "done_on"], name="support_homelog_action")]

    def __str__(self) -> str:
        return f"action {self.action_id} done {self.done_on} by {self.by_id}"
