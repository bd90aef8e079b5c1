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
