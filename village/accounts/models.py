"""People who sign in to Village, their profile, personal API tokens and invitations."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from village.accounts.languages import validate_language, validate_timezone
from village.core.models import RosterStatus, TimeStampedModel
from village.core.single_use import CodeState, single_use_state


def display_name(*, username: str, first_name: str, preferred_name: str, last_name: str) -> str:
    """A person's name as Village shows it: the preferred (or first) name and the last name."""
    given = preferred_name or first_name
    return f"{given} {last_name}".strip() or username


def short_name(*, username: str, first_name: str, preferred_name: str) -> str:
    """A person's name in a greeting or a label: the preferred (or first) name."""
    return preferred_name or first_name or username


def ui_language(preferred_language: str) -> str:
    """The interface language for a preferred language: itself if Village speaks it, else the
    site's (English)."""
    code = preferred_language.split("-")[0].lower()
    supported = {lang for lang, _name in settings.LANGUAGES}
    return code if code in supported else settings.LANGUAGE_CODE


class User(AbstractUser):
    """Anyone with a Village account: student, teacher, guardian, admin or partner.

    What a person may do comes from their roles in organisations (``community.OrgRole``) and
    guardian links, never from flags on this model; ``is_staff`` only opens the Django admin.
    """

    sourced_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("sourced id")
    )
    status = models.CharField(
        max_length=16, choices=RosterStatus.choices, default=RosterStatus.ACTIVE, db_index=True
    )
    preferred_name = models.CharField(_("preferred name"), max_length=150, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=16,
        default="en",
        help_text=_("An IETF language tag, e.g. es or vi."),
        validators=[validate_language],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    grade = models.CharField(_("grade"), max_length=8, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name(
            username=self.username,
            first_name=self.first_name,
            preferred_name=self.preferred_name,
            last_name=self.last_name,
        )

    @property
    def short_name(self) -> str:
        return short_name(
            username=self.username, first_name=self.first_name, preferred_name=self.preferred_name
        )

    @property
    def ui_language(self) -> str:
        """The interface language: the preferred one if Village speaks it, else English."""
        return ui_language(self.preferred_language)


def hash_secret(secret: str) -> str:
    """Tokens are stored only as their SHA-256 digest; they carry enough entropy for that."""
    return hashlib.sha256(secret.encode()).hexdigest()


class PersonalToken(TimeStampedModel):
    """A bearer token a user creates to call the API as themselves."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Invitation(TimeStampedModel):
    """A single-use link that lets someone set a password for an account made for them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user_id}"

    @property
    def is_open(self) -> bool:
        state = single_use_state(
            used_at=self.accepted_at, revoked_at=self.revoked_at, expires_at=self.expires_at
        )
        return state == CodeState.OPEN
