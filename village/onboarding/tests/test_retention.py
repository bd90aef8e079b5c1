"""Old onboarding data is removed: failed code attempts after their retention, pairing codes
and invitations long after they were used, withdrawn or expired, and accounts a family signed up
for but never confirmed. Open ones and recent ones stay, and so do the links they made."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import GuardianLink, OrgRole, Relationship, Role
from village.core.single_use import CodeState
from village.demo.personas import Personas
from village.onboarding import services
from village.onboarding.apps import OnboardingConfig
from village.onboarding.models import (
    FailedRedemption,
    FamilySignup,
    GuardianInvitation,
    PairingCode,
)
from village.onboarding.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_retention(settings):
    """The documented defaults, whatever the environment running the tests says."""
    settings.VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS = 30
    settings.VILLAGE_RETAIN_CODES_DAYS = 90
    settings.VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS = 7


def purge() -> dict[str, int]:
    config = apps.get_app_config("onboarding")
    assert isinstance(config, OnboardingConfig)
    return config.purge_expired(timezone.now())


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def failed_attempt(days: float, ip: str = "10.0.0.9") -> FailedRedemption:
    return FailedRedemption.objects.create(at=days_ago(days), ip_address=ip)


def at(days: float, action: Callable[[], Any]) -> Any:
    """Run ``action`` as if it were ``days`` ago."""
    with time_machine.travel(days_ago(days), tick=False):
        return action()


def code(p: Personas, made_days_ago: float) -> services.IssuedCode:
    return at(
        made_days_ago,
        lambda: services.pairing_code_create(student=p.maya, created_by=p.rivera),
    )


def redeem(guardian: User, issued: services.IssuedCode, days: float) -> GuardianLink:
    return at(
        days,
        lambda: services.pairing_code_redeem(
            user=guardian, raw_code=issued.secret, ip_address=None
        ),
    )


def invitation(p: Personas, made_days_ago: float, email: str) -> GuardianInvitation:
    data = services.InvitationData(
        email=email, name="", relationship=Relationship.GUARDIAN, language="en"
    )
    return at(
        made_days_ago,
        lambda: services.guardian_invitation_send(
            student=p.maya, invited_by=p.rivera, data=data, base_url="https://village.test"
        ),
    )


def remaining(model: type[Any]) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


class TestFailedAttempts:
    def test_attempts_older_than_the_retention_are_removed(self, db):
        old = [failed_attempt(31), failed_attempt(400)]
        kept = [failed_attempt(29), failed_attempt(0.01)]
        assert purge()["failed_redemptions"] == len(old)
        assert remaining(FailedRedemption) == {attempt.pk for attempt in kept}

    def test_retention_comes_from_settings(self, settings):
        settings.VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS = 7
        failed_attempt(8)
        recent = failed_attempt(6)
        assert purge()["failed_redemptions"] == 1
        assert remaining(FailedRedemption) == {recent.pk}

    def test_the_rate_limit_still_counts_recent_failures_after_a_purge(self, db):
        for _n in range(services.FAILURE_LIMIT):
            failed_attempt(0.001, ip="10.0.0.7")
        purge()
        assert services.redemption_blocked(user_id=None, ip_address="10.0.0.7")


class TestCodes:
    def test_codes_long_used_withdrawn_or_expired_are_removed(self, personas, newcomer):
        used = code(personas, 100)
        link = redeem(newcomer, used, 99)
        revoked = code(personas, 100)
        at(99, lambda: services.pairing_code_revoke(code=revoked.code, revoked_by=personas.rivera))
        code(personas, 98)  # expired 91 days ago
        assert purge()["pairing_codes"] == 3
        assert not PairingCode.objects.exists()
        assert GuardianLink.objects.filter(pk=link.pk).exists()

    def test_open_and_recently_finished_codes_stay(self, personas, newcomer):
        open_code = code(personas, 6)
        recently_expired = code(personas, 50)  # expired 43 days ago
        used_long_ago = code(personas, 120)
        redeem(newcomer, used_long_ago, 119)  # the one removed
        used_last_week = code(personas, 8)
        redeem(personas.jordan, used_last_week, 7)
        assert purge()["pairing_codes"] == 1
        assert remaining(PairingCode) == {
            open_code.code.pk,
            recently_expired.code.pk,
            used_last_week.code.pk,
        }

    def test_retention_comes_from_settings(self, personas, settings):
        settings.VILLAGE_RETAIN_CODES_DAYS = 10
        code(personas, 18)  # expired 11 days ago
        kept = code(personas, 16)  # expired 9 days ago
        assert purge()["pairing_codes"] == 1
        assert remaining(PairingCode) == {kept.code.pk}


class TestInvitations:
    def test_invitations_long_accepted_or_expired_are_removed_and_others_stay(
        self, personas, newcomer
    ):
        accepted = invitation(personas, 120, newcomer.email)
        GuardianInvitation.objects.filter(pk=accepted.pk).update(
            accepted_at=days_ago(119), accepted_by=newcomer
        )
        withdrawn = invitation(personas, 100, "gone@families.village.test")
        GuardianInvitation.objects.filter(pk=withdrawn.pk).update(revoked_at=days_ago(95))
        invitation(personas, 110, "late@families.village.test")  # expired 96 days ago
        recently_expired = invitation(personas, 60, "later@families.village.test")
        accepted_lately = invitation(personas, 10, "pat@families.village.test")
        GuardianInvitation.objects.filter(pk=accepted_lately.pk).update(accepted_at=days_ago(9))
        still_open = invitation(personas, 3, "soon@families.village.test")
        assert purge()["guardian_invitations"] == 3
        assert remaining(GuardianInvitation) == {
            recently_expired.pk,
            accepted_lately.pk,
            still_open.pk,
        }


class TestHowItDeletes:
    def test_query_count_does_not_grow_with_the_rows_removed(self, personas):
        def removing(n: int) -> int:
            for _n in range(n):
                failed_attempt(40)
                code(personas, 100)
            with CaptureQueriesContext(connection) as captured:
                purge()
            return len(captured.captured_queries)

        assert removing(2) == removing(20)

    def test_the_limiters_rows_naming_accounts_and_addresses_are_removed(self, personas, newcomer):
        from village.onboarding.models import RedemptionGate
        from village.onboarding.services import CodeRefusedError, pairing_code_redeem

        with pytest.raises(CodeRefusedError):
            pairing_code_redeem(user=newcomer, raw_code="ZZZZ-ZZZZ", ip_address="10.0.0.9")
        assert RedemptionGate.objects.count() == 2
        assert purge()["redemption_gates"] == 2
        assert not RedemptionGate.objects.exists()
        assert FailedRedemption.objects.count() == 1

    def test_nothing_to_remove_removes_nothing(self, personas):
        code(personas, 1)
        failed_attempt(1)
        assert purge() == {
            "failed_redemptions": 0,
            "redemption_gates": 0,
            "pairing_codes": 0,
            "guardian_invitations": 0,
            "unconfirmed_signups": 0,
            "unconfirmed_signup_links": 0,
        }


def test_village_purge_prints_the_counts_of_onboarding(personas):
    failed_attempt(31)
    failed_attempt(32)
    code(personas, 100)
    out = io.StringIO()
    call_command("purge", stdout=out)
    lines = out.getvalue().splitlines()
    assert "onboarding.failed_redemptions: 2" in lines
    assert "onboarding.pairing_codes: 1" in lines
    assert "onboarding.guardian_invitations: 0" in lines
    assert not FailedRedemption.objects.exists()


def signup(p: Personas, days: float, email: str = "rosa@families.village.test") -> GuardianLink:
    """A family's sign-up with a teacher's code for Maya, ``days`` ago, not confirmed."""
    issued = code(p, days)
    data = services.SignupData(
        first_name="Rosa", last_name="Lopez", email=email, password=PASSWORD, language="es"
    )
    made = at(
        days,
        lambda: services.guardian_signup(
            data=data, raw_code=issued.secret, ip_address=None, base_url="https://village.test"
        ),
    )
    assert made is not None
    return made


def confirm(account: User) -> None:
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    token = services.signup_confirmation_tokens.make_token(account)
    services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)


def exists(model: type[Any], pk: int) -> bool:
    return model.objects.filter(pk=pk).exists()


class TestUnconfirmedSignups:
    def test_an_unconfirmed_signup_older_than_the_retention_goes_with_its_link(self, personas):
        link = signup(personas, 8)
        used = PairingCode.objects.get(redeemed_at__isnull=False)
        removed = purge()
        assert (removed["unconfirmed_signups"], removed["unconfirmed_signup_links"]) == (1, 1)
        assert not exists(User, link.guardian_id)
        assert not exists(GuardianLink, link.pk)
        assert not OrgRole.objects.filter(user_id=link.guardian_id).exists()
        assert not FamilySignup.objects.exists()
        used.refresh_from_db()  # the code stays used: the family asks for a new one
        assert used.state == CodeState.USED
        assert used.redeemed_by is None

    def test_a_confirmed_signup_stays(self, personas):
        link = signup(personas, 30)
        confirm(link.guardian)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(GuardianLink, link.pk)
        assert FamilySignup.objects.get(user_id=link.guardian_id).confirmed_at is not None

    def test_a_younger_signup_stays(self, personas):
        link = signup(personas, 6)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(User, link.guardian_id)
        assert exists(GuardianLink, link.pk)

    def test_retention_comes_from_settings(self, personas, settings):
        settings.VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS = 3
        old = signup(personas, 4)
        young = signup(personas, 2, email="leo.dad@families.village.test")
        assert purge()["unconfirmed_signups"] == 1
        assert not exists(User, old.guardian_id)
        assert exists(User, young.guardian_id)

    def test_an_account_with_another_role_stays(self, personas):
        link = signup(personas, 30)
        community_services.person_create(
            username="rosa-teacher",
            first_name="Rosa",
            last_name="Lopez",
            role=Role.TEACHER,
            organisation=personas.school,
        )  # someone else: does not keep Rosa
        OrgRole.objects.create(user=link.guardian, organisation=personas.school, role=Role.AIDE)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(GuardianLink, link.pk)

    def test_an_account_with_another_link_stays(self, personas):
        link = signup(personas, 30)
        community_services.guardian_link(guardian=link.guardian, student=personas.leo)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(User, link.guardian_id)

    def test_a_guardian_role_at_another_school_stays(self, personas):
        link = signup(personas, 30)
        OrgRole.objects.create(
            user=link.guardian, organisation=personas.other_school, role=Role.GUARDIAN
        )
        assert purge()["unconfirmed_signups"] == 0

    def test_an_account_that_signed_in_or_was_activated_stays(self, personas):
        signed_in = signup(personas, 30)
        User.objects.filter(pk=signed_in.guardian_id).update(last_login=days_ago(29))
        activated = signup(personas, 30, email="leo.dad@families.village.test")
        User.objects.filter(pk=activated.guardian_id).update(is_active=True)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(User, signed_in.guardian_id)
        assert exists(User, activated.guardian_id)

    def test_an_inactive_account_not_made_by_a_signup_stays(self, personas, newcomer):
        User.objects.filter(pk=newcomer.pk).update(
            is_active=False, date_joined=days_ago(100), last_login=None
        )
        User.objects.filter(pk=personas.sam.pk).update(is_active=False, last_login=None)
        assert purge()["unconfirmed_signups"] == 0
        assert exists(User, newcomer.pk)
        assert exists(User, personas.sam.pk)

    def test_query_count_does_not_grow_with_the_signups_removed(self, personas):
        def removing(n: int) -> int:
            for number in range(n):
                signup(personas, 10, email=f"family{n}-{number}@families.village.test")
            with CaptureQueriesContext(connection) as captured:
                assert purge()["unconfirmed_signups"] == n
            return len(captured.captured_queries)

        assert removing(2) == removing(12)
