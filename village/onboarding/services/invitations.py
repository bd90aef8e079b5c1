"""Email invitations that make their recipient a guardian of one student."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User, hash_secret
from village.community.models import (
    GuardianLink,
    Relationship,
)
from village.core.mail import send_email
from village.onboarding import policies
from village.onboarding.models import (
    CodeState,
    GuardianInvitation,
    LinkRoute,
)
from village.onboarding.services.links import NotEligibleError, _link, student_school
from village.onboarding.services.signup import SignupData, _unsaved_guardian

INVITATION_LIFETIME = dt.timedelta(days=14)


class InvitationNotFoundError(Exception):
    """No invitation has this secret."""


class InvitationUnavailableError(Exception):
    def __init__(self, state: CodeState) -> None:
        super().__init__(state)
        self.state = state


class WrongAccountError(Exception):
    """The signed-in account's email is not the one the invitation was sent to."""


# --- invitations by email --------------------------------------------------------------------


def _invitation_language(email: str, chosen: str) -> str:
    known = User.objects.filter(email__iexact=email, is_active=True).first()
    if known is not None:
        return known.ui_language
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def _send_invitation(invitation: GuardianInvitation, link: str, school_name: str) -> None:
    send_email(
        template="onboarding/email/invitation",
        context={"invitation": invitation, "link": link, "school_name": school_name},
        to=[invitation.email],
        language=invitation.language,
    )


@dataclass(frozen=True)
class InvitationData:
    email: str
    name: str
    relationship: Relationship
    language: str


@transaction.atomic
def guardian_invitation_send(
    *, student: User, invited_by: User, data: InvitationData, base_url: str
) -> GuardianInvitation:
    """Email a single-use link (14 days) that makes its recipient a guardian of ``student``.

    Written in the recipient's language when Village knows them, else in ``data.language``.
    """
    if not policies.may_invite_guardians(invited_by, student):
        raise PermissionDenied
    email = data.email.strip()
    secret = secrets.token_urlsafe(32)
    invitation = GuardianInvitation.objects.create(
        student=student,
        email=email,
        name=data.name.strip(),
        relationship=data.relationship,
        language=_invitation_language(email, data.language),
        created_by=invited_by,
        digest=hash_secret(secret),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = base_url.rstrip("/") + reverse("onboarding:invitation", args=[secret])
    school = student_school(student)
    school_name = school.name if school else ""
    transaction.on_commit(lambda: _send_invitation(invitation, link, school_name))
    return invitation


def guardian_invitation_get_open(*, secret: str, for_update: bool = False) -> GuardianInvitation:
    """The open invitation; raises ``InvitationNotFoundError`` or ``InvitationUnavailableError``."""
    invitations = GuardianInvitation.objects.select_related("student", "created_by")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(digest=hash_secret(secret)).first()
    if invitation is None:
        raise InvitationNotFoundError
    if invitation.state != CodeState.OPEN:
        raise InvitationUnavailableError(invitation.state)
    return invitation


def _accept(invitation: GuardianInvitation, user: User) -> GuardianLink:
    link = _link(
        guardian=user,
        student=invitation.student,
        route=LinkRoute.INVITATION,
        relationship=Relationship(invitation.relationship),
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return link


@transaction.atomic
def guardian_invitation_accept(*, secret: str, user: User) -> GuardianLink:
    """Link a signed-in account whose email is the invited one; raises ``WrongAccountError``,
    ``NotEligibleError``, ``AlreadyLinkedError`` or the invitation errors."""
    invitation = guardian_invitation_get_open(secret=secret, for_update=True)
    if user.email.strip().lower() != invitation.email.lower():
        raise WrongAccountError
    if not policies.may_redeem_codes(user):
        raise NotEligibleError
    return _accept(invitation, user)


@transaction.atomic
def guardian_invitation_signup(*, secret: str, data: SignupData) -> tuple[User, GuardianLink]:
    """Create the invited person's account (with the invited email) and link it."""
    invitation = guardian_invitation_get_open(secret=secret, for_update=True)
    user = _unsaved_guardian(
        SignupData(
            first_name=data.first_name,
            last_name=data.last_name,
            email=invitation.email,
            password=data.password,
            language=data.language,
        )
    )
    user.save()
    return user, _accept(invitation, user)
