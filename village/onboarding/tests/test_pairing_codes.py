"""Pairing codes: who may make them, how they are entered, and that each links exactly one child
(expiry, reuse, revocation, guessing, another school, the school's default scopes, approval)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User
from village.community import policies as community_policies
from village.community.models import GuardianLink, LinkSource, LinkStatus, Scope
from village.core.models import AuditEvent
from village.onboarding import services
from village.onboarding.models import FailedRedemption, LinkRoute, PairingCode
from village.onboarding.services import (
    AlreadyLinkedError,
    CodeRefusedError,
    NotEligibleError,
    TooManyAttemptsError,
)
from village.onboarding.tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.onboarding.tests.urls")]

REDEEM = "/families/pair/"


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def redeem(user, secret, ip="10.0.0.1"):
    return services.pairing_code_redeem(user=user, raw_code=secret, ip_address=ip)


class TestMakingCodes:
    def test_code_is_eight_unambiguous_characters_shown_in_two_groups(self, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        assert len(issued.secret) == 8
        assert not set(issued.secret) & set("0O1IL")
        assert issued.display == f"{issued.secret[:4]}-{issued.secret[4:]}"

    def test_only_a_digest_and_a_two_character_hint_are_stored(self, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        stored = PairingCode.objects.get(pk=issued.code.pk)
        assert issued.secret not in stored.digest
        assert stored.hint == issued.secret[-2:]

    def test_code_expires_after_seven_days(self, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        lifetime = issued.code.expires_at - issued.code.created_at
        assert dt.timedelta(days=7) - lifetime < dt.timedelta(seconds=1)

    @pytest.mark.parametrize("maker", ["ada", "rivera", "nguyen", "priya"])
    def test_student_their_teacher_and_admins_may_make_a_code(self, personas, maker):
        issued = services.pairing_code_create(
            student=personas.ada, created_by=getattr(personas, maker)
        )
        assert issued.code.student == personas.ada

    @pytest.mark.parametrize("maker", ["sam", "chen", "maya", "stone", "library", "eve"])
    def test_guardians_other_teachers_classmates_and_outsiders_may_not(self, personas, maker):
        with pytest.raises(PermissionDenied):
            services.pairing_code_create(student=personas.ada, created_by=getattr(personas, maker))
        assert not PairingCode.objects.exists()

    def test_a_new_code_does_not_revoke_another_familys_code(self, personas, newcomer):
        first = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, first.secret)
        assert link.student == personas.maya


class TestRedeeming:
    def test_code_links_exactly_the_one_child_with_default_scopes(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        assert (link.student, link.source, link.status) == (
            personas.maya,
            LinkSource.PAIRING,
            LinkStatus.ACTIVE,
        )
        assert set(link.scopes) == set(Scope)
        community_policies.forget_roles(newcomer)
        assert ids(community_policies.visible_students(newcomer)) == {personas.maya.pk}

    @pytest.mark.parametrize("typed", ["{lower}", " {a} {b} ", "{a}\u2013{b}", "{a} - {b}"])
    def test_entry_ignores_case_spaces_and_dashes(self, personas, newcomer, typed):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        entry = typed.format(lower=issued.secret.lower(), a=issued.secret[:4], b=issued.secret[4:])
        assert redeem(newcomer, entry).student == personas.maya

    def test_school_default_scopes_apply_to_the_new_link(self, personas, newcomer):
        services.onboarding_settings_update(
            school=personas.school,
            approvals=dict.fromkeys(LinkRoute, False),
            default_scopes=[Scope.CLASSWORK, Scope.MESSAGES],
            changed_by=personas.nguyen,
        )
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        assert set(link.scopes) == {Scope.CLASSWORK, Scope.MESSAGES}

    def test_used_code_is_refused_and_links_nobody_else(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        redeem(newcomer, issued.secret)
        with pytest.raises(CodeRefusedError):
            redeem(personas.jordan, issued.secret)
        assert not GuardianLink.objects.filter(guardian=personas.jordan, student=personas.maya)

    def test_expired_code_is_refused(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        later = timezone.now() + dt.timedelta(days=7, seconds=1)
        with time_machine.travel(later), pytest.raises(CodeRefusedError):
            redeem(newcomer, issued.secret)
        assert not GuardianLink.objects.filter(guardian=newcomer).exists()

    def test_code_still_works_on_its_last_day(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
            assert redeem(newcomer, issued.secret).student == personas.maya

    def test_revoked_code_is_refused(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.maya)
        services.pairing_code_revoke(code=issued.code, revoked_by=personas.rivera)
        with pytest.raises(CodeRefusedError):
            redeem(newcomer, issued.secret)
        assert not GuardianLink.objects.filter(guardian=newcomer).exists()

    def test_guardian_may_not_revoke_a_code(self, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        with pytest.raises(PermissionDenied):
            services.pairing_code_revoke(code=issued.code, revoked_by=personas.sam)

    def test_child_already_linked_is_a_clear_error_and_the_code_stays_usable(self, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        with pytest.raises(AlreadyLinkedError) as refused:
            redeem(personas.sam, issued.secret)
        assert refused.value.student == personas.ada
        issued.code.refresh_from_db()
        assert issued.code.redeemed_at is None
        assert not FailedRedemption.objects.exists()

    @pytest.mark.parametrize("user", ["ada", "rivera", "nguyen"])
    def test_students_and_staff_cannot_become_guardians(self, personas, user):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        with pytest.raises(NotEligibleError):
            redeem(getattr(personas, user), issued.secret)
        assert not GuardianLink.objects.filter(student=personas.maya).exists()


class TestAnotherSchool:
    def test_code_from_lakeside_links_finn_only(self, personas):
        issued = services.pairing_code_create(student=personas.finn, created_by=personas.stone)
        link = redeem(personas.sam, issued.secret)
        assert link.student == personas.finn
        assert set(
            GuardianLink.objects.filter(guardian=personas.sam).values_list(
                "student__username", flat=True
            )
        ) == {"ada", "leo", "finn"}

    def test_nothing_else_at_lakeside_becomes_visible(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.finn, created_by=personas.stone)
        redeem(newcomer, issued.secret)
        community_policies.forget_roles(newcomer)
        assert ids(community_policies.visible_students(newcomer)) == {personas.finn.pk}
        assert ids(community_policies.visible_classes(newcomer)) == {personas.other_class.pk}
        assert (
            not community_policies.visible_guardian_links(newcomer)
            .exclude(guardian=newcomer)
            .exists()
        )


class TestRateLimit:
    def test_five_wrong_codes_then_even_the_right_code_is_refused(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        for _attempt in range(5):
            with pytest.raises(CodeRefusedError):
                redeem(newcomer, "ZZZZ-ZZZZ")
        with pytest.raises(TooManyAttemptsError):
            redeem(newcomer, issued.secret)
        assert not GuardianLink.objects.filter(guardian=newcomer).exists()
        issued.code.refresh_from_db()
        assert issued.code.redeemed_at is None

    def test_limit_is_per_account_across_addresses(self, personas, newcomer):
        for number in range(5):
            with pytest.raises(CodeRefusedError):
                redeem(newcomer, "ZZZZ-ZZZZ", ip=f"10.0.0.{number}")
        with pytest.raises(TooManyAttemptsError):
            redeem(newcomer, "ZZZZ-ZZZZ", ip="10.9.9.9")

    def test_limit_is_per_address_across_accounts(self, personas, newcomer):
        for _attempt in range(5):
            with pytest.raises(CodeRefusedError):
                redeem(newcomer, "ZZZZ-ZZZZ", ip="10.0.0.7")
        with pytest.raises(TooManyAttemptsError):
            redeem(personas.jordan, "ZZZZ-ZZZZ", ip="10.0.0.7")

    def test_attempts_are_forgotten_after_fifteen_minutes(self, personas, newcomer):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        for _attempt in range(5):
            with pytest.raises(CodeRefusedError):
                redeem(newcomer, "ZZZZ-ZZZZ")
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=15, seconds=1)):
            assert redeem(newcomer, issued.secret).student == personas.maya

    def test_brute_force_over_http_ends_in_429_and_no_link(
        self, client: Client, personas, newcomer
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        signed_in(client, newcomer)
        for guess in ["AAAA-AAAA", "AAAA-AAAB", "AAAA-AAAC", "AAAA-AAAD", "AAAA-AAAE"]:
            response = client.post(REDEEM, {"code": guess})
            assert response.status_code == 200
            assert "This code does not work" in response.content.decode()
        response = client.post(REDEEM, {"code": issued.display})
        assert response.status_code == 429
        assert "wait 15 minutes" in response.content.decode()
        assert not GuardianLink.objects.filter(guardian=newcomer).exists()


class TestBehindTheProxy:
    PROXY = "10.0.0.2"

    def post(self, client, code, forwarded):
        return client.post(
            REDEEM, {"code": code}, REMOTE_ADDR=self.PROXY, HTTP_X_FORWARDED_FOR=forwarded
        )

    def test_one_guesser_does_not_block_every_family(self, settings, client, personas, newcomer):
        settings.VILLAGE_TRUSTED_PROXIES = [self.PROXY]
        signed_in(client, personas.jordan)
        for _attempt in range(5):
            self.post(client, "ZZZZ-ZZZZ", "203.0.113.66")
        assert self.post(client, "ZZZZ-ZZZZ", "203.0.113.66").status_code == 429
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        family = signed_in(Client(), newcomer)
        assert self.post(family, issued.secret, "198.51.100.10").status_code == 302
        assert FailedRedemption.objects.filter(ip_address="203.0.113.66").count() == 5

    def test_a_forged_header_does_not_escape_the_limit(self, settings, client, personas):
        settings.VILLAGE_TRUSTED_PROXIES = [self.PROXY]
        guesser = Client()
        for number in range(5):
            guesser.post(
                "/families/signup/",
                {
                    "first_name": "G",
                    "last_name": "Uesser",
                    "email": f"g{number}@elsewhere.test",
                    "password1": "a-long-family-passphrase-42",
                    "password2": "a-long-family-passphrase-42",
                    "language": "en",
                    "code": "ZZZZ-ZZZZ",
                },
                REMOTE_ADDR=self.PROXY,
                HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.66",
            )
        assert set(FailedRedemption.objects.values_list("ip_address", flat=True)) == {
            "203.0.113.66"
        }

    def test_without_a_trusted_proxy_the_header_is_ignored(self, settings, client, personas):
        settings.VILLAGE_TRUSTED_PROXIES = []
        signed_in(client, personas.jordan)
        client.post(
            REDEEM,
            {"code": "ZZZZ-ZZZZ"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR="1.2.3.4",
        )
        assert list(FailedRedemption.objects.values_list("ip_address", flat=True)) == [
            "203.0.113.66"
        ]

    def sign_up(self, code, number, **headers):
        return Client().post(
            "/families/signup/",
            {
                "first_name": "G",
                "last_name": "Uesser",
                "email": f"g{number}@elsewhere.test",
                "password1": "a-long-family-passphrase-42",
                "password2": "a-long-family-passphrase-42",
                "language": "en",
                "code": code,
            },
            **headers,
        )

    def test_guesses_from_one_ipv6_slash_64_count_as_one_client(self, settings, personas):
        settings.VILLAGE_TRUSTED_PROXIES = []
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        for number in range(5):
            self.sign_up("ZZZZ-ZZZZ", number, REMOTE_ADDR=f"2001:db8:4:4::{number + 1}")
        response = self.sign_up(issued.secret, 9, REMOTE_ADDR="2001:db8:4:4:a:b:c:d")
        assert response.status_code == 429
        assert not User.objects.filter(email="g9@elsewhere.test").exists()
        elsewhere = self.sign_up(issued.secret, 9, REMOTE_ADDR="2001:db8:4:5::1")
        assert elsewhere.status_code == 200
        assert User.objects.filter(email="g9@elsewhere.test").exists()

    def test_clients_without_an_address_share_one_limit(self, settings, personas):
        settings.VILLAGE_TRUSTED_PROXIES = []
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        for number in range(5):
            self.sign_up("ZZZZ-ZZZZ", number, REMOTE_ADDR="")
        assert self.sign_up(issued.secret, 9, REMOTE_ADDR="").status_code == 429


class TestApproval:
    @pytest.fixture
    def approval_required(self, personas):
        services.onboarding_settings_update(
            school=personas.school,
            approvals=dict.fromkeys(LinkRoute, True),
            default_scopes=list(Scope),
            changed_by=personas.nguyen,
        )

    def test_link_waits_and_gives_no_access(self, personas, newcomer, approval_required):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        assert link.status == LinkStatus.PENDING
        community_policies.forget_roles(newcomer)
        assert not community_policies.visible_students(newcomer).exists()

    def test_guardian_sees_waiting_for_the_school(
        self, client, personas, newcomer, approval_required
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        response = signed_in(client, newcomer).post(REDEEM, {"code": issued.secret}, follow=True)
        html = response.content.decode()
        assert "The school will confirm your link to Maya" in html
        assert "Waiting for the school" in html

    def test_school_admin_approves_and_the_child_becomes_visible(
        self, client, personas, newcomer, approval_required
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        html = signed_in(client, personas.nguyen).get("/families/approvals/").content.decode()
        assert "Pat" in html
        assert "Maya Lopez" in html
        response = client.post(reverse("onboarding:approval_approve", args=[link.pk]))
        assert response.status_code == 302
        link.refresh_from_db()
        assert link.status == LinkStatus.ACTIVE
        community_policies.forget_roles(newcomer)
        assert ids(community_policies.visible_students(newcomer)) == {personas.maya.pk}

    def test_school_admin_declines(self, client, personas, newcomer, approval_required):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        signed_in(client, personas.nguyen).post(
            reverse("onboarding:approval_decline", args=[link.pk])
        )
        link.refresh_from_db()
        assert link.status == LinkStatus.ENDED

    @pytest.mark.parametrize("who", ["rivera", "sam", "stone"])
    def test_teachers_guardians_and_other_schools_cannot_approve(
        self, client, personas, newcomer, approval_required, who
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = redeem(newcomer, issued.secret)
        signed_in(client, getattr(personas, who))
        assert client.get("/families/approvals/").status_code == 404
        response = client.post(reverse("onboarding:approval_approve", args=[link.pk]))
        assert response.status_code == 404
        link.refresh_from_db()
        assert link.status == LinkStatus.PENDING


class TestStudentPage:
    def test_student_makes_their_own_code_and_sees_it_once(self, client, personas):
        response = signed_in(client, personas.ada).post(
            reverse("onboarding:code_create", args=[personas.ada.pk])
        )
        assert response.status_code == 200
        code = PairingCode.objects.get(student=personas.ada)
        assert f"••••-••{code.hint}" in response.content.decode()
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    @pytest.mark.parametrize("who", ["sam", "jordan", "chen", "maya", "stone", "eve"])
    def test_page_and_code_making_are_404_for_others(self, client, personas, who):
        signed_in(client, getattr(personas, who))
        assert client.get(reverse("onboarding:student", args=[personas.ada.pk])).status_code == 404
        url = reverse("onboarding:code_create", args=[personas.ada.pk])
        assert client.post(url).status_code == 404
        assert not PairingCode.objects.exists()

    def test_teacher_revokes_a_code(self, client, personas):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        url = reverse("onboarding:code_revoke", args=[personas.ada.pk, issued.code.pk])
        assert signed_in(client, personas.rivera).post(url).status_code == 302
        issued.code.refresh_from_db()
        assert issued.code.revoked_at is not None

    def test_teacher_sees_codes_and_the_invitation_form(self, client, personas):
        services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        response = signed_in(client, personas.rivera).get(
            reverse("onboarding:student", args=[personas.ada.pk])
        )
        html = response.content.decode()
        assert "Invite a guardian by email" in html
        assert "Not used yet" in html
        assert AuditEvent.objects.filter(actor=personas.rivera, student=personas.ada).exists()

    def test_student_sees_no_invitation_form(self, client, personas):
        html = (
            signed_in(client, personas.ada)
            .get(reverse("onboarding:student", args=[personas.ada.pk]))
            .content.decode()
        )
        assert "Make a new code" in html
        assert "Invite a guardian by email" not in html

    def test_student_cannot_pair_as_a_guardian(self, client, personas):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        response = signed_in(client, personas.ada).post(REDEEM, {"code": issued.secret})
        assert response.status_code == 403
        assert not GuardianLink.objects.filter(student=personas.maya).exists()
