"""Pairing codes: making, revoking and redeeming them, and the limit on wrong codes.

Each attempt first claims a slot: in its own transaction it locks the client's gate rows
(account and address), counts the recent failures and records itself as one; only then is the
code checked. A code that works (or a refusal that is not a wrong code) gives the slot back; a
wrong code keeps it. So however many guesses arrive at once, at most ``FAILURE_LIMIT`` are
checked per window."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from village.accounts.models import User
from village.community import policies as community_policies
from village.community.models import (
    GuardianLink,
    Organisation,
)
from village.onboarding import policies
from village.onboarding.models import (
    CodeMaker,
    CodeState,
    FailedRedemption,
    LinkRoute,
    PairingCode,
    RedemptionGate,
)
from village.onboarding.services.links import NotEligibleError, _link

_Result = TypeVar("_Result")

#: No 0/O, 1/I/L: a code read aloud or copied from paper cannot be mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_LIFETIME = dt.timedelta(days=7)
FAILURE_LIMIT = 5
#: The most codes of their own a student may have open at once; making one more withdraws the
#: oldest (a code a student hands out waits for approval by default, yet each one links someone
#: and emails the family and the school).
OPEN_STUDENT_CODES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: A hyphen-minus, and the hyphen and dashes a phone keyboard or a word processor may put instead.
DASHES = frozenset("-\u2010\u2013\u2014")


class CodeRefusedError(Exception):
    """Unknown, used, expired or revoked: deliberately one error, so guessing learns nothing."""


class TooManyAttemptsError(Exception):
    """Too many wrong codes from this account or address lately; nothing was checked."""


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
    """One new code for one family of ``student``; other families' codes keep working, except
    that a student keeps at most ``OPEN_STUDENT_CODES`` codes of their own open: making another
    withdraws the oldest."""
    if not policies.may_onboard_families(created_by, student):
        raise PermissionDenied
    now = timezone.now()
    made_by = _code_maker(created_by, student)
    issued = _unsaved_code(student=student, created_by=created_by, made_by=made_by, now=now)
    issued.code.save()
    if made_by == CodeMaker.STUDENT:
        _withdraw_oldest_student_codes(student, now)
    return issued


def _withdraw_oldest_student_codes(student: User, now: dt.datetime) -> None:
    open_codes = PairingCode.objects.filter(
        student=student,
        made_by=CodeMaker.STUDENT,
        redeemed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).order_by("-created_at", "-id")
    kept = list(open_codes.values_list("pk", flat=True)[:OPEN_STUDENT_CODES])
    open_codes.exclude(pk__in=kept).update(revoked_at=now, updated_at=now)


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
    attempt: Callable[[], _Result],
    *,
    user_id: int | None,
    ip_address: str | None,
    counted: tuple[type[Exception], ...] = (CodeRefusedError,),
) -> _Result:
    """Run ``attempt`` (which checks a code) in a claimed slot: kept when it raises one of the
    ``counted`` errors (a refused code, say), given back otherwise."""
    claim = _claim_attempt(user_id=user_id, ip_address=ip_address)
    try:
        result = attempt()
    except counted:
        raise
    except BaseException:
        claim.delete()
        raise
    claim.delete()
    return result


def _open_code_for_update(raw_code: str) -> PairingCode:
    code = (
        PairingCode.objects.select_for_update(of=("self",))
        .select_related("student", "created_by")
        .filter(digest=code_digest(raw_code))
        .first()
    )
    if code is None or code.state != CodeState.OPEN or not code.student.is_active:
        raise CodeRefusedError
    return code


def code_route(code: PairingCode) -> LinkRoute:
    """The route a code links by today. A teacher's or an admin's code carries the school's
    trust only while its maker still teaches or administers the student: after that it counts
    as a code the student made (and follows the school's rule for those), and an admin's code
    whose maker now only teaches the student counts as a teacher's."""
    maker = code.created_by
    if code.made_by == CodeMaker.STUDENT or maker is None or maker.pk == code.student_id:
        return LinkRoute.STUDENT_CODE
    if code.made_by == CodeMaker.ADMIN and community_policies.can_manage_student(
        maker, code.student
    ):
        return LinkRoute.ADMIN_CODE
    if policies.may_onboard_families(maker, code.student):
        return LinkRoute.TEACHER_CODE
    return LinkRoute.STUDENT_CODE


@transaction.atomic
def _redeem(*, user: User, raw_code: str) -> GuardianLink:
    code = _open_code_for_update(raw_code)
    link = _link(guardian=user, student=code.student, route=code_route(code))
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
