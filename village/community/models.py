"""The community around each child: organisations, terms, courses, classes, enrolments, roles and
guardianship. Shapes follow OneRoster so a roster maps onto them one to one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from village.core.models import RosterStatus, SourcedModel, TimeStampedModel


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")


class Organisation(SourcedModel):
    """A district or a school. Schools belong to exactly one district."""

    kind = models.CharField(max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="district", parent__isnull=True)
                | Q(kind="school", parent__isnull=False),
                name="org_school_has_district",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district_id(self) -> int | None:
        return self.parent_id if self.kind == OrgKind.SCHOOL else self.pk


class SessionKind(models.TextChoices):
    SCHOOL_YEAR = "schoolYear", _("School year")
    TERM = "term", _("Term")
    SEMESTER = "semester", _("Semester")
    GRADING_PERIOD = "gradingPeriod", _("Grading period")


class AcademicSession(SourcedModel):
    """A school year, term, semester or grading period (nested through ``parent``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    school_year = models.PositiveSmallIntegerField(_("school year"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="session_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class Course(SourcedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("course code"), max_length=64, blank=True)
    school_year = models.ForeignKey(
        AcademicSession, on_delete=models.PROTECT, null=True, blank=True, related_name="courses"
    )
    grades = models.CharField(_("grades"), max_length=64, blank=True)
    subjects = models.CharField(_("subjects"), max_length=200, blank=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ClassKind(models.TextChoices):
    HOMEROOM = "homeroom", _("Homeroom")
    SCHEDULED = "scheduled", _("Scheduled")


class RosterVisibility(models.TextChoices):
    """How much of the class list students of the class may see."""

    HIDDEN = "hidden", _("Hidden from students")
    FIRST_NAMES = "first_names", _("First names and last initials")
    FULL_NAMES = "full_names", _("Full names")


class SchoolClass(SourcedModel):
    """A class (section) of a course, taught at one school in one or more terms."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="classes")
    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("class code"), max_length=64, blank=True)
    kind = models.CharField(max_length=16, choices=ClassKind.choices, default=ClassKind.SCHEDULED)
    location = models.CharField(_("room"), max_length=64, blank=True)
    periods = models.CharField(_("periods"), max_length=64, blank=True)
    grades = models.CharField(_("grades"), max_length=64, blank=True)
    subjects = models.CharField(_("subjects"), max_length=200, blank=True)
    terms = models.ManyToManyField(AcademicSession, related_name="classes", blank=True)
    roster_visibility = models.CharField(
        _("classmates see"),
        max_length=16,
        choices=RosterVisibility.choices,
        default=RosterVisibility.FIRST_NAMES,
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self) -> str:
        return self.title


class EnrollmentRole(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    AIDE = "aide", _("Aide")


def current_q(today: dt.date, prefix: str = "") -> Q:
    """Active, and ``today`` within ``begin_date``..``end_date`` (either may be open).

    ``prefix`` reaches the dated row through a relation, e.g. ``"enrollments__"``.
    """
    return (
        (Q(**{f"{prefix}begin_date__isnull": True}) | Q(**{f"{prefix}begin_date__lte": today}))
        & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today}))
        & Q(**{f"{prefix}status": RosterStatus.ACTIVE})
    )


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def current(self, today: dt.date) -> EnrollmentQuerySet:
        """Active enrolments whose dates include ``today``, in active classes."""
        return self.filter(current_q(today), school_class__status=RosterStatus.ACTIVE)


class Enrollment(SourcedModel):
    """A person in a class as student, teacher or aide, between two dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments"
    )
    role = models.CharField(max_length=16, choices=EnrollmentRole.choices)
    is_primary = models.BooleanField(_("primary teacher"), default=False)
    begin_date = models.DateField(_("begins"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["school_class_id", "role", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school_class", "role"], name="enrollment_unique_role"
            )
        ]
        indexes = [
            models.Index(fields=["school_class", "role", "status"]),
            models.Index(fields=["user", "role", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in {self.school_class_id}"


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    AIDE = "aide", _("Aide")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    GUARDIAN = "guardian", _("Guardian")
    PARTNER = "partner", _("Community partner")


class OrgRoleQuerySet(models.QuerySet["OrgRole"]):
    def current(self, today: dt.date) -> OrgRoleQuerySet:
        return self.filter(current_q(today))


class OrgRole(SourcedModel):
    """A role a person holds in an organisation: a teacher at a school, an admin of a district."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_roles"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_primary = models.BooleanField(default=True)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = OrgRoleQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="orgrole_unique")
        ]
        indexes = [models.Index(fields=["organisation", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} at {self.organisation_id}"


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GUARDIAN = "guardian", _("Guardian")
    GRANDPARENT = "grandparent", _("Grandparent")
    RELATIVE = "relative", _("Relative")
    OTHER = "other", _("Other")


class Scope(models.TextChoices):
    """What a guardian may see of a child, area by area."""

    CLASSWORK = "classwork", _("Classwork")
    GRADES = "grades", _("Grades")
    GOALS = "goals", _("Learning goals")
    SUPPORT_PLAN = "support_plan", _("Support plan")
    MESSAGES = "messages", _("Messages")


class LinkStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING = "pending", _("Waiting for school approval")
    ENDED = "ended", _("Ended")


class LinkSource(models.TextChoices):
    ROSTER = "roster", _("Roster import")
    SCHOOL = "school", _("Added by the school")
    PAIRING = "pairing", _("Pairing code")
    INVITATION = "invitation", _("Invitation")


class GuardianLink(TimeStampedModel):
    """A guardian's tie to one student, with what that guardian may see of that student.

    ``no_access`` (a court order, say) overrides every scope flag: the guardian then does not see
    the child at all. Scope flags, relationship and contact flags are Village's own data: a roster
    import never overwrites them.
    """

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_links"
    )
    relationship = models.CharField(
        max_length=16, choices=Relationship.choices, default=Relationship.GUARDIAN
    )
    status = models.CharField(
        max_length=16, choices=LinkStatus.choices, default=LinkStatus.ACTIVE, db_index=True
    )
    source = models.CharField(max_length=16, choices=LinkSource.choices, default=LinkSource.SCHOOL)
    lives_with = models.BooleanField(_("lives with the student"), default=True)
    emergency_contact = models.BooleanField(_("emergency contact"), default=False)
    receives_communications = models.BooleanField(_("receives school communications"), default=True)
    no_access = models.BooleanField(
        _("no access"),
        default=False,
        help_text=_("For example a court order: the guardian sees nothing of this student."),
    )
    access_note = models.CharField(_("note on access"), max_length=300, blank=True)
    scope_classwork = models.BooleanField(_("may see classwork"), default=True)
    scope_grades = models.BooleanField(_("may see grades"), default=True)
    scope_goals = models.BooleanField(_("may see learning goals"), default=True)
    scope_support_plan = models.BooleanField(_("may see the support plan"), default=True)
    scope_messages = models.BooleanField(_("may exchange messages"), default=True)

    class Meta:
        ordering = ["student_id", "guardian_id"]
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianlink_unique"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("student")), name="guardianlink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.student_id} ({self.relationship})"

    @staticmethod
    def scope_field(scope: Scope | str) -> str:
        return f"scope_{Scope(scope).value}"

    def allows(self, scope: Scope | str) -> bool:
        """May this guardian see ``scope`` of this child right now?"""
        if self.no_access or self.status != LinkStatus.ACTIVE:
            return False
        return bool(getattr(self, self.scope_field(scope)))

    @property
    def scopes(self) -> list[Scope]:
        return [scope for scope in Scope if self.allows(scope)]

    @property
    def is_limited(self) -> bool:
        return len(self.scopes) < len(Scope)
