"""Writes for family onboarding: pairing codes, guardian sign-up, invitations and approvals.

Every public function is keyword-only. Each pairing-code attempt first claims a slot: in its
own transaction it locks the client's gate rows (account and address), counts the recent
failures and records itself as one; only then is the code checked. A code that works (or a
refusal that is not a wrong code) gives the slot back; a wrong code keeps it. So however many
guesses arrive at once, at most ``FAILURE_LIMIT`` are checked per window.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from village.accounts.emails import send_to_user
from village.accounts.models import User, hash_secret
from village.community import policies as community_policies
from village.community import services as community_services
from village.community.models import (
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgRole,
    Relationship,
    Role,
    Scope,
)
from village.onboarding import policies, selectors
from village.onboarding.models import (
    CodeMaker,
    CodeState,
    FailedRedemption,
    GuardianInvitation,
    LinkRoute,
    OnboardingSettings,
    PairingCode,
    RedemptionGate,
)

_Result = TypeVar("_Result")

#: No 0/O, 1/I/L: a code read aloud or copied from paper cannot be mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_LIFETIME = dt.timedelta(days=7)
INVITATION_LIFETIME = dt.timedelta(days=14)
FAILURE_LIMIT = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: A hyphen-minus, and the hyphen and dashes a phone keyboard or a word processor may put instead.
DASHES = frozenset("-\u2010\u2013\u2014")


class CodeRefusedError(Exception):
    """Unknown, used, expired or revoked: deliberately one error, so guessing learns nothing."""


class TooManyAttemptsError(Exception):
    """Too many wrong codes from this account or address lately; nothing was checked."""


class NotEligibleError(Exception):
    """Student and staff accounts cannot become guardians through onboarding."""


class AlreadyLinkedError(Exception):
    def __init__(self, student: User) -> None:
        super().__init__(student.pk)
        self.student = student


class InvitationNotFoundError(Exception):
    """No invitation has this secret."""


class InvitationUnavailableError(Exception):
    def __init__(self, state: CodeState) -> None:
        super().__init__(state)
        self.state = state


class WrongAccountError(Exception):
    """The signed-in account's email is not the one the invitation was sent to."""


# --- codes -----------------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """What the person meant: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if not ch.isspace() and ch not in DASHES)


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def code_digest(code: str) -> str:
    """A keyed digest: eight characters are too few for a plain hash to resist a stolen table."""
    return salted_hmac("village.onboarding.pairing_code", normalise_code(code)).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    """A new code with its secret, which is shown once and never stored."""

    code: PairingCode
    secret: str

    @property
    def display(self) -> str:
        return format_code(self.secret)


def _code_maker(created_by: User, student: User) -> CodeMaker:
    """The student themself, an admin of their school (or district), or else their teacher."""
    if created_by.pk == student.pk:
        return CodeMaker.STUDENT
    if community_policies.can_manage_student(created_by, student):
        return CodeMaker.ADMIN
    return CodeMaker.TEACHER


def _unsaved_code(
    *, student: User, created_by: User, made_by: CodeMaker, now: dt.datetime
) -> IssuedCode:
    secret = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    code = PairingCode(
        student=student,
        created_by=created_by,
        made_by=made_by,
        digest=code_digest(secret),
        hint=secret[-2:],
        expires_at=now + CODE_LIFETIME,
    )
    return IssuedCode(code=code, secret=secret)


@transaction.atomic
def pairing_code_create(*, student: User, created_by: User) -> IssuedCode:
    """One new code for one family of ``student``; other families' codes keep working."""
    if not policies.may_onboard_families(created_by, student):
        raise PermissionDenied
    issued = _unsaved_code(
        student=student,
        created_by=created_by,
        made_by=_code_maker(created_by, student),
        now=timezone.now(),
    )
    issued.code.save()
    return issued


@transaction.atomic
def pairing_codes_create(
    *, students: Iterable[User], created_by: User, school: Organisation
) -> list[IssuedCode]:
    """One new code per student of ``school``, in one INSERT. The caller has checked access to
    the class; an admin of the school makes admin codes, anyone else teacher codes."""
    now = timezone.now()
    admin = community_policies.can_manage_school(created_by, school)
    made_by = CodeMaker.ADMIN if admin else CodeMaker.TEACHER
    issued = [
        _unsaved_code(student=s, created_by=created_by, made_by=made_by, now=now) for s in students
    ]
    PairingCode.objects.bulk_create([item.code for item in issued])
    return issued


def pairing_code_revoke(*, code: PairingCode, revoked_by: User) -> PairingCode:
    if not policies.may_onboard_families(revoked_by, code.student):
        raise PermissionDenied
    if code.state == CodeState.OPEN:
        code.revoked_at = timezone.now()
        code.save(update_fields=["revoked_at", "updated_at"])
    return code


# --- redeeming -------------------------------------------------------------------------------


def redemption_blocked(*, user_id: int | None, ip_address: str | None) -> bool:
    """Has this account or this address entered ``FAILURE_LIMIT`` wrong codes lately?"""
    counts = FailedRedemption.objects.filter(at__gte=timezone.now() - FAILURE_WINDOW).aggregate(
        by_user=Count("pk", filter=Q(user_id=user_id) if user_id else Q(pk__in=[])),
        by_ip=Count("pk", filter=Q(ip_address=ip_address) if ip_address else Q(pk__in=[])),
    )
    return max(counts["by_user"], counts["by_ip"]) >= FAILURE_LIMIT


def _gate_keys(*, user_id: int | None, ip_address: str | None) -> list[str]:
    keys = ([f"user:{user_id}"] if user_id else []) + ([f"ip:{ip_address}"] if ip_address else [])
    return sorted(keys)  # always locked in the same order: two attempts never deadlock


def _lock_gates(keys: list[str]) -> None:
    """Lock the client's gate rows, making any that are missing (or were just purged)."""
    locked = 0
    while locked < len(keys):
        RedemptionGate.objects.bulk_create(
            [RedemptionGate(key=key) for key in keys], ignore_conflicts=True
        )
        gates = RedemptionGate.objects.select_for_update().filter(key__in=keys).order_by("key")
        locked = len(gates)


@transaction.atomic
def _claim_attempt(*, user_id: int | None, ip_address: str | None) -> FailedRedemption:
    """Record this attempt as a failure, unless the client is at the limit (then
    ``TooManyAttemptsError``). The gate rows are locked while counting, so parallel attempts of
    one client count one after another."""
    _lock_gates(_gate_keys(user_id=user_id, ip_address=ip_address))
    if redemption_blocked(user_id=user_id, ip_address=ip_address):
        raise TooManyAttemptsError
    return FailedRedemption.objects.create(user_id=user_id, ip_address=ip_address)


def _with_claimed_attempt(
    attempt: Callable[[], _Result], *, user_id: int | None, ip_address: str | None
) -> _Result:
    """Run ``attempt`` (which checks a code) in a claimed slot: kept when the code is refused or
    the sign-up's address is taken, given back otherwise."""
    claim = _claim_attempt(user_id=user_id, ip_address=ip_address)
    try:
        result = attempt()
    except (CodeRefusedError, EmailTakenError):
        raise
    except BaseException:
        claim.delete()
        raise
    claim.delete()
    return result


def _open_code_for_update(raw_code: str) -> PairingCode:
    code = (
        PairingCode.objects.select_for_update(of=("self",))
        .select_related("student")
        .filter(digest=code_digest(raw_code))
        .first()
    )
    if code is None or code.state != CodeState.OPEN or not code.student.is_active:
        raise CodeRefusedError
    return code


def student_school(student: User) -> Organisation | None:
    role = (
        OrgRole.objects.filter(user=student, role=Role.STUDENT)
        .select_related("organisation")
        .order_by("-is_primary", "-status", "id")
        .first()
    )
    return role.organisation if role else None


def settings_for(school: Organisation | None) -> OnboardingSettings:
    """The school's settings, or Village's defaults (``OnboardingSettings``) without any."""
    return selectors.school_settings(school) if school else OnboardingSettings()


def _link(
    *,
    guardian: User,
    student: User,
    route: LinkRoute,
    relationship: Relationship = Relationship.GUARDIAN,
) -> GuardianLink:
    """Every new guardian link made by onboarding is made here, by one rule: the school of the
    student decides, per route, whether the link waits for a school admin, and what areas it
    may see. The child's guardians and the school's admins are told by email."""
    if GuardianLink.objects.filter(guardian=guardian, student=student).exists():
        raise AlreadyLinkedError(student)
    school = student_school(student)
    school_settings = settings_for(school)
    link = community_services.guardian_link(
        guardian=guardian,
        student=student,
        relationship=relationship,
        scopes=school_settings.scopes,
        status=LinkStatus.PENDING if school_settings.needs_approval(route) else LinkStatus.ACTIVE,
        source=LinkSource.INVITATION if route == LinkRoute.INVITATION else LinkSource.PAIRING,
    )
    _tell_about_new_guardian(link=link, school=school, route=route)
    return link


def _tell_about_new_guardian(
    *, link: GuardianLink, school: Organisation | None, route: LinkRoute
) -> None:
    """After commit, queue one email to each guardian of the child who may hear from the school
    and to each admin of the school: who is this new guardian? If they do not know, they tell
    the school."""
    guardians = list(selectors.guardians_to_tell(link))
    admins = list(selectors.school_admins(school)) if school else []
    context = {
        "link": link,
        "new_guardian": link.guardian,
        "student": link.student,
        "school": school,
        "route": route.label,
        "pending": link.status == LinkStatus.PENDING,
    }

    def send() -> None:
        for recipient in guardians:
            send_to_user(
                user=recipient, template_prefix="onboarding/email/new_guardian", context=context
            )
        for recipient in admins:
            send_to_user(
                user=recipient,
                template_prefix="onboarding/email/new_guardian_school",
                context=context,
            )

    transaction.on_commit(send)


@transaction.atomic
def _redeem(*, user: User, raw_code: str) -> GuardianLink:
    code = _open_code_for_update(raw_code)
    link = _link(guardian=user, student=code.student, route=code.route)
    code.redeemed_at = timezone.now()
    code.redeemed_by = user
    code.save(update_fields=["redeemed_at", "redeemed_by", "updated_at"])
    return link


def pairing_code_redeem(*, user: User, raw_code: str, ip_address: str | None) -> GuardianLink:
    """Link ``user`` to the one student the code was made for.

    Raises ``NotEligibleError`` (a student or staff account), ``TooManyAttemptsError`` (checked
    before the code is even looked at), ``CodeRefusedError`` (counted toward the limit) or
    ``AlreadyLinkedError``; in every case nothing is linked.
    """
    if not policies.may_redeem_codes(user):
        raise NotEligibleError
    return _with_claimed_attempt(
        lambda: _redeem(user=user, raw_code=raw_code), user_id=user.pk, ip_address=ip_address
    )


# --- new guardian accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class SignupData:
    first_name: str
    last_name: str
    email: str
    password: str
    language: str


def _free_username(email: str) -> str:
    base = email.strip().lower()[:140]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _active_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def _checked_guardian(data: SignupData) -> User:
    """The new account, unsaved, checked: known language, password accepted by the validators.
    Raises ``ValidationError`` naming the field. Whether the email is taken is not checked here:
    a sign-up must not tell anyone that."""
    email = data.email.strip()
    if data.language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose a language from the list.")})
    user = User(
        username=_free_username(email),
        email=email,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        preferred_language=data.language,
    )
    try:
        password_validation.validate_password(data.password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(data.password)
    return user


def _unsaved_guardian(data: SignupData) -> User:
    """``_checked_guardian`` for an invited address, where taken emails are refused by name (the
    invitation's holder already knows the address)."""
    if _active_account(data.email) is not None:
        raise ValidationError(
            {"email": _("An account with this email address exists. Sign in with it instead.")}
        )
    return _checked_guardian(data)


class _SignupConfirmationTokens(PasswordResetTokenGenerator):
    """Tokens for confirming a new family account's address: their own key, so a confirmation
    token is no password-reset token, and spent once the account is active."""

    key_salt = "village.onboarding.signup_confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_confirmation_tokens = _SignupConfirmationTokens()


class EmailTakenError(Exception):
    """An active account has the address a sign-up gave; nothing was created or redeemed."""

    def __init__(self, account: User) -> None:
        super().__init__(account.pk)
        self.account = account


def _confirmation_link(user: User, base_url: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = signup_confirmation_tokens.make_token(user)
    return base_url.rstrip("/") + reverse("onboarding:signup_confirm", args=[uidb64, token])


@transaction.atomic
def _signup_with_code(*, user: User, raw_code: str, base_url: str) -> GuardianLink:
    code = _open_code_for_update(raw_code)
    existing = _active_account(user.email)
    if existing is not None:
        raise EmailTakenError(existing)
    user.is_active = False  # until the address is confirmed
    user.save()
    link = _link(guardian=user, student=code.student, route=code.route)
    code.redeemed_at = timezone.now()
    code.redeemed_by = user
    code.save(update_fields=["redeemed_at", "redeemed_by", "updated_at"])
    context = {"link": _confirmation_link(user, base_url)}
    transaction.on_commit(
        lambda: send_to_user(
            user=user, template_prefix="onboarding/email/signup_confirm", context=context
        )
    )
    return link


def _tell_existing_account(account: User, base_url: str) -> None:
    context = {"link": base_url.rstrip("/") + reverse("onboarding:redeem")}
    send_to_user(user=account, template_prefix="onboarding/email/signup_existing", context=context)


def guardian_signup(
    *, data: SignupData, raw_code: str, ip_address: str | None, base_url: str
) -> GuardianLink | None:
    """Create a guardian account, link it with a pairing code, and email a link that confirms
    the address and activates the account (until then nobody can sign in with it).

    The code is checked first: ``TooManyAttemptsError``, ``ValidationError`` naming the field
    (language, password) or ``CodeRefusedError``, and then nothing is created. When an active
    account already has the address, nothing is created or redeemed either: that account is
    emailed (sign in instead and enter the code) and the answer is ``None``. The attempt then
    counts toward the limit, so nobody can email an address again and again.
    """
    user = _checked_guardian(data)
    try:
        return _with_claimed_attempt(
            lambda: _signup_with_code(user=user, raw_code=raw_code, base_url=base_url),
            user_id=None,
            ip_address=ip_address,
        )
    except EmailTakenError as taken:
        _tell_existing_account(taken.account, base_url)
        return None


class ConfirmationInvalidError(Exception):
    """The confirmation link is unknown, used or expired."""


@transaction.atomic
def guardian_signup_confirm(*, uidb64: str, token: str) -> User:
    """Activate the account a confirmation link was made for; raises
    ``ConfirmationInvalidError``. The caller signs the person in, which ends the link."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError):
        raise ConfirmationInvalidError from None
    user = User.objects.select_for_update().filter(pk=user_id, is_active=False).first()
    if user is None or not signup_confirmation_tokens.check_token(user, token):
        raise ConfirmationInvalidError
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


# --- invitations by email --------------------------------------------------------------------


def _invitation_language(email: str, chosen: str) -> str:
    known = User.objects.filter(email__iexact=email, is_active=True).first()
    if known is not None:
        return known.ui_language
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def _send_invitation(invitation: GuardianInvitation, link: str, school_name: str) -> None:
    context = {"invitation": invitation, "link": link, "school_name": school_name}
    with translation.override(invitation.language):
        subject = render_to_string("onboarding/email/invitation_subject.txt", context)
        text = render_to_string("onboarding/email/invitation.txt", context)
        html = render_to_string("onboarding/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()


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


# --- approval --------------------------------------------------------------------------------


def _decide(link: GuardianLink, status: LinkStatus) -> GuardianLink:
    if link.status != LinkStatus.PENDING:
        raise ValidationError({"status": _("This link is not waiting for approval.")})
    link.status = status
    link.save(update_fields=["status", "updated_at"])
    return link


@transaction.atomic
def guardian_link_approve(*, link: GuardianLink, approved_by: User) -> GuardianLink:
    if not policies.approvable_links(approved_by).filter(pk=link.pk).exists():
        raise PermissionDenied
    return _decide(link, LinkStatus.ACTIVE)


@transaction.atomic
def guardian_link_decline(*, link: GuardianLink, declined_by: User) -> GuardianLink:
    if not policies.approvable_links(declined_by).filter(pk=link.pk).exists():
        raise PermissionDenied
    return _decide(link, LinkStatus.ENDED)


@transaction.atomic
def onboarding_settings_update(
    *,
    school: Organisation,
    approvals: Mapping[LinkRoute, bool],
    default_scopes: Iterable[str],
    changed_by: User,
) -> OnboardingSettings:
    """Save how families link to ``school``'s students from now on; existing links keep theirs.

    ``approvals`` says, per route, whether a new link waits for a school admin; a route left
    out keeps its current answer (Village's default for a school without settings).

    Raises ``PermissionDenied`` unless ``changed_by`` administers the school (or its district),
    and ``ValidationError`` naming ``default_scopes`` for an unknown area or for none at all.
    """
    if not policies.may_change_school_settings(changed_by, school):
        raise PermissionDenied
    found, _created = OnboardingSettings.objects.update_or_create(
        school=school,
        defaults={
            **{OnboardingSettings.approval_field(route): bool(v) for route, v in approvals.items()},
            "default_scopes": _checked_scopes(default_scopes),
            "updated_by": changed_by,
        },
    )
    return found


def _checked_scopes(chosen: Iterable[str]) -> list[str]:
    """The chosen areas in the order Village lists them, each once."""
    values = {str(value) for value in chosen}
    unknown = sorted(values - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"default_scopes": _("Unknown areas: %(areas)s") % {"areas": ", ".join(unknown)}}
        )
    if not values:
        raise ValidationError(
            {"default_scopes": _("Choose at least one area a new family link may see.")}
        )
    return [scope.value for scope in Scope if scope.value in values]
