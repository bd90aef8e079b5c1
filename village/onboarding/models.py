"""Family onboarding: pairing codes, email invitations for guardians, each school's settings for
new guardian links, and the failed redemptions that rate-limit guessing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from village.community.models import GuardianLink, Organisation, Relationship, Scope
from village.core.models import TimeStampedModel
from village.core.single_use import CodeState, single_use_state


def all_scopes() -> list[str]:
    return [scope.value for scope in Scope]


class LinkRoute(models.TextChoices):
    """The ways a new guardian link can come about; each school decides per route whether a
    school admin approves the link before it gives any access."""

    STUDENT_CODE = "student_code", _("a pairing code the student made")
    TEACHER_CODE = "teacher_code", _("a pairing code a teacher made")
    ADMIN_CODE = "admin_code", _("a pairing code a school admin made")
    INVITATION = "invitation", _("an email invitation")


class CodeMaker(models.TextChoices):
    """Who made a pairing code, as it was when the code was made."""

    STUDENT = "student", _("the student")
    TEACHER = "teacher", _("a teacher")
    ADMIN = "admin", _("a school admin")


CODE_ROUTES = {
    CodeMaker.STUDENT: LinkRoute.STUDENT_CODE,
    CodeMaker.TEACHER: LinkRoute.TEACHER_CODE,
    CodeMaker.ADMIN: LinkRoute.ADMIN_CODE,
}


class OnboardingSettings(TimeStampedModel):
    """How one school lets families link themselves to a child.

    Defaults: a link made with a code the student made waits for a school admin (a child may
    hand a code to anyone); a link made with a code from a teacher or an admin, or with an email
    invitation, works at once (the school chose the family), unless the school decides otherwise.
    """

    school = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="onboarding_settings"
    )
    approve_student_codes = models.BooleanField(
        _("school approves links made with a code the student made"), default=True
    )
    approve_teacher_codes = models.BooleanField(
        _("school approves links made with a code a teacher made"), default=False
    )
    approve_admin_codes = models.BooleanField(
        _("school approves links made with a code a school admin made"), default=False
    )
    approve_invitations = models.BooleanField(
        _("school approves links made with an email invitation"), default=False
    )
    default_scopes = models.JSONField(
        _("areas a new guardian link may see"),
        default=all_scopes,
        help_text=_("A list of areas: classwork, grades, goals, support_plan, messages."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("onboarding settings")
        verbose_name_plural = _("onboarding settings")

    def __str__(self) -> str:
        return f"Onboarding settings of {self.school_id}"

    @staticmethod
    def approval_field(route: LinkRoute | str) -> str:
        return {
            LinkRoute.STUDENT_CODE: "approve_student_codes",
            LinkRoute.TEACHER_CODE: "approve_teacher_codes",
            LinkRoute.ADMIN_CODE: "approve_admin_codes",
            LinkRoute.INVITATION: "approve_invitations",
        }[LinkRoute(route)]

    def needs_approval(self, route: LinkRoute | str) -> bool:
        """Does a new link made by ``route`` wait for a school admin? The one approval rule."""
        return bool(getattr(self, self.approval_field(route)))

    @property
    def scopes(self) -> list[Scope]:
        """The valid areas of ``default_scopes`` (unknown values are ignored)."""
        stored = self.default_scopes if isinstance(self.default_scopes, list) else []
        return [Scope(value) for value in stored if value in Scope.values]


class PairingCode(TimeStampedModel):
    """A short single-use code that links one family to exactly one student.

    Only a keyed digest of the code is stored; ``hint`` (its last two characters) tells codes
    apart in a list without revealing them.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_codes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    made_by = models.CharField(
        _("made by"), max_length=16, choices=CodeMaker.choices, default=CodeMaker.STUDENT
    )
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=4)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Pairing code …{self.hint} for {self.student_id}"

    @property
    def route(self) -> LinkRoute:
        return CODE_ROUTES[CodeMaker(self.made_by)]

    @property
    def state(self) -> CodeState:
        return single_use_state(
            used_at=self.redeemed_at, revoked_at=self.revoked_at, expires_at=self.expires_at
        )


class FailedRedemption(models.Model):
    """One wrong pairing code entered, by an account and/or from an address (for rate limits)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self) -> str:
        return f"Failed redemption at {self.at:%Y-%m-%d %H:%M}"


class RedemptionGate(models.Model):
    """One row per account or address that has entered a pairing code: the row a redemption
    locks while it counts that client's recent failures and records its own attempt, so
    parallel guesses are counted one after another and never all checked against a stale count."""

    key = models.CharField(max_length=80, unique=True)

    def __str__(self) -> str:
        return self.key


class GuardianInvitation(TimeStampedModel):
    """An emailed, single-use link that makes its recipient a guardian of one student."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_invitations"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    relationship = models.CharField(
        _("relationship"),
        max_length=16,
        choices=Relationship.choices,
        default=Relationship.GUARDIAN,
    )
    language = models.CharField(_("language"), max_length=16, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Guardian invitation for {self.student_id}"

    @property
    def state(self) -> CodeState:
        return single_use_state(
            used_at=self.accepted_at, revoked_at=self.revoked_at, expires_at=self.expires_at
        )


class FamilySignup(TimeStampedModel):
    """An account a family made for itself with a pairing code (``guardian_signup``), until and
    after its owner confirms the address. Only accounts with this record are ever removed for
    not being confirmed (``retention``); accounts made any other way never are.

    ``link`` is the guardian link the sign-up made; ``code`` the pairing code it used. A code
    stays used when an unconfirmed sign-up is removed: the family asks the school for a new one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_signup"
    )
    link = models.ForeignKey(
        GuardianLink,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.ForeignKey(
        PairingCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["confirmed_at", "created_at"])]

    def __str__(self) -> str:
        return f"Family sign-up of {self.user_id}"
