"""Signing up with a pairing code cannot take over, squat or probe anyone's address: an account
waits, under a throwaway username and unannounced, until the person who signed up confirms it
from the mailbox with the password they chose; a taken address looks exactly like a new one; and
an address with an account is not flooded with email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from village.accounts.models import User
from village.community.models import GuardianLink
from village.onboarding import services
from village.onboarding.models import CodeState, FailedRedemption, PairingCode
from village.onboarding.services import SignupData
from village.onboarding.tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.onboarding.tests.urls")]

SIGNUP = "/families/signup/"
LOGIN = "/accounts/login/"
BASE = "http://testserver"
VICTIM = "victim@mail.test"
VICTIMS_PASSWORD = "victorias-own-passphrase-99"


def data(email: str, *, first: str = "Stan", password: str = PASSWORD) -> SignupData:
    return SignupData(
        first_name=first, last_name="Ger", email=email, password=password, language="en"
    )


def form(code: str, email: str, *, password: str = PASSWORD) -> dict[str, str]:
    return {
        "first_name": "Victoria",
        "last_name": "Ger",
        "email": email,
        "password1": password,
        "password2": password,
        "language": "en",
        "code": code,
    }


def confirmation_paths(email: str) -> list[str]:
    """Every confirmation link emailed to ``email``, oldest first."""
    paths = []
    for message in mail.outbox:
        match = re.search(r"/families/signup/confirm/[^/\s]+/[^/\s]+/", str(message.body))
        if message.to == [email] and match:
            paths.append(match.group(0))
    return paths


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


class TestAnUnconfirmedAccount:
    def test_someone_signing_up_with_anothers_address_cannot_take_it_over(
        self, personas, django_capture_on_commit_callbacks
    ):
        attacker_code = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(SIGNUP, form(attacker_code.secret, VICTIM))
        squatter = User.objects.get(email=VICTIM)
        assert squatter.username.startswith("pending-")
        assert not squatter.is_active

        # The victim signs up herself, with a code from Maya's teacher.
        her_code = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        victim = Client()
        with django_capture_on_commit_callbacks(execute=True):
            victim.post(SIGNUP, form(her_code.secret, VICTIM, password=VICTIMS_PASSWORD))
        first, hers = confirmation_paths(VICTIM)
        with django_capture_on_commit_callbacks(execute=True):
            assert victim.post(hers, {"password": VICTIMS_PASSWORD}).status_code == 302
        real = User.objects.get(pk=int(signed_in_as(victim) or 0))
        assert (real.username, real.is_active) == (VICTIM, True)

        # She signs in with her address.
        fresh = Client()
        assert (
            fresh.post(LOGIN, {"username": VICTIM, "password": VICTIMS_PASSWORD}).status_code == 302
        )
        assert signed_in_as(fresh) == str(real.pk)

        # She opens the first link too, thinking it hers: her password does not open it.
        clicked = Client()
        response = clicked.post(first, {"password": VICTIMS_PASSWORD})
        assert response.status_code == 200
        assert "not the password" in response.content.decode()
        assert signed_in_as(clicked) is None
        squatter.refresh_from_db()
        assert not squatter.is_active

        # The attacker cannot sign in with her address and his password.
        attacker = Client()
        attacker.post(LOGIN, {"username": VICTIM, "password": PASSWORD})
        assert signed_in_as(attacker) is None

    def test_nobody_hears_of_the_link_until_the_address_is_confirmed(
        self, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            link = services.guardian_signup(
                data=data("someone@x.test"),
                raw_code=issued.secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )
        assert link is not None
        assert [m.to for m in mail.outbox] == [["someone@x.test"]]
        uidb64, token = confirmation_paths_parts("someone@x.test")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        recipients = {address for message in mail.outbox for address in message.to}
        assert recipients == {personas.sam.email, personas.nguyen.email}

    def test_a_wrong_password_confirms_nothing(self, personas, django_capture_on_commit_callbacks):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup(
                data=data("someone@x.test"),
                raw_code=issued.secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )
        uidb64, token = confirmation_paths_parts("someone@x.test")
        mail.outbox.clear()
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(ValidationError) as raised,
        ):
            services.guardian_signup_confirm(uidb64=uidb64, token=token, password="guess")
        assert "password" in raised.value.message_dict
        assert not User.objects.get(email="someone@x.test").is_active
        assert not mail.outbox

    def test_the_address_becomes_the_username_only_if_still_free(
        self, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup(
                data=data("someone@x.test"),
                raw_code=issued.secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )
        User.objects.create_user("someone@x.test", email="other@x.test")
        uidb64, token = confirmation_paths_parts("someone@x.test")
        user = services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        assert user.username == "someone@x.test-2"


def confirmation_paths_parts(email: str) -> tuple[str, str]:
    uidb64, token = confirmation_paths(email)[-1].strip("/").split("/")[-2:]
    return uidb64, token


class TestNamesInEmails:
    @pytest.mark.parametrize(
        "name",
        ["Call http://evil.example", "visit evil.example", "www.evil", "me@evil.test", "<b>Bo</b>"],
    )
    def test_a_name_with_a_link_is_refused_by_field(self, personas, name):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with pytest.raises(ValidationError) as raised:
            services.guardian_signup(
                data=data("someone@x.test", first=name),
                raw_code=issued.secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )
        assert "first_name" in raised.value.message_dict
        assert not User.objects.filter(email="someone@x.test").exists()
        assert PairingCode.objects.get(pk=issued.code.pk).state == CodeState.OPEN

    @pytest.mark.parametrize("name", ["Mary-Jane", "J.R.", "Seán O'Brien", "Anne-Sophie St. Clair"])
    def test_ordinary_names_are_accepted(self, personas, name):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        link = services.guardian_signup(
            data=data("someone@x.test", first=name),
            raw_code=issued.secret,
            ip_address="10.0.0.1",
            base_url=BASE,
        )
        assert link is not None

    def test_the_name_is_quoted_and_cut_short(self, personas, django_capture_on_commit_callbacks):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        long_name = "Call 555-0199 " + "x" * 120
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup(
                data=data("someone@x.test", first=long_name),
                raw_code=issued.secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )
        uidb64, token = confirmation_paths_parts("someone@x.test")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        assert mail.outbox
        for message in mail.outbox:
            alternatives = getattr(message, "alternatives", [])
            for body in [str(message.body), *(str(c) for c, _t in alternatives)]:
                assert "“Call 555-0199 xxx" in body
                assert "x" * 60 not in body
                assert "…”" in body


class TestATakenAddress:
    def attempt(self, code: str, email: str, ip: str):
        client = Client(REMOTE_ADDR=ip)
        response = client.post(SIGNUP, form(code, email))
        page = response.content.decode().replace(email, "ADDRESS").replace(code, "CODE")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        failures = FailedRedemption.objects.filter(ip_address=ip).count()
        return response.status_code, page, failures

    def test_looks_exactly_like_a_new_address_in_either_order(
        self, personas, django_capture_on_commit_callbacks
    ):
        results = []
        for number, target in enumerate((personas.sam.email, "nobody@x.test")):
            issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
            ip = f"10.0.9.{number}"
            with django_capture_on_commit_callbacks(execute=True):
                probe = self.attempt(issued.secret, target, ip)
            state = PairingCode.objects.get(pk=issued.code.pk).state
            # Then the prober's own new address, with the same code.
            own = self.attempt(issued.secret, f"prober{number}@x.test", ip)
            results.append((probe, state, own))
        assert results[0][0] == results[1][0]
        assert results[0][1] == results[1][1]
        assert results[0][2] == results[1][2]
        assert results[0][1] == CodeState.USED

    def test_its_owner_is_emailed_at_most_once_an_hour(
        self, personas, django_capture_on_commit_callbacks
    ):
        for number in range(20):
            issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
            with django_capture_on_commit_callbacks(execute=True):
                assert (
                    services.guardian_signup(
                        data=data(personas.stone.email),
                        raw_code=issued.secret,
                        ip_address=f"2001:db8::{number}",
                        base_url=BASE,
                    )
                    is None
                )
        assert len([m for m in mail.outbox if m.to == [personas.stone.email]]) == 1
        assert not GuardianLink.objects.filter(student=personas.maya, guardian__is_active=False)


class TestStudentCodes:
    def test_a_student_keeps_at_most_five_open_codes_of_their_own(self, personas):
        teachers = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        made = [
            services.pairing_code_create(student=personas.ada, created_by=personas.ada)
            for _number in range(7)
        ]
        states = [PairingCode.objects.get(pk=item.code.pk).state for item in made]
        assert states == [CodeState.REVOKED] * 2 + [CodeState.OPEN] * 5
        assert PairingCode.objects.get(pk=teachers.code.pk).state == CodeState.OPEN
        with pytest.raises(services.CodeRefusedError):
            services.guardian_signup(
                data=data("someone@x.test"),
                raw_code=made[0].secret,
                ip_address="10.0.0.1",
                base_url=BASE,
            )


class TestHardening:
    def test_the_limit_is_checked_before_anything_else(self, personas):
        for _attempt in range(services.FAILURE_LIMIT):
            with pytest.raises(services.CodeRefusedError):
                services.guardian_signup(
                    data=data("someone@x.test"),
                    raw_code="ZZZZ-ZZZZ",
                    ip_address="10.0.0.1",
                    base_url=BASE,
                )
        # A weak password is not even looked at (nor hashed) once the client is at the limit.
        with pytest.raises(services.TooManyAttemptsError):
            services.guardian_signup(
                data=data("someone@x.test", password="1"),
                raw_code="ZZZZ-ZZZZ",
                ip_address="10.0.0.1",
                base_url=BASE,
            )

    def test_a_refused_field_does_not_count_toward_the_limit(self, personas):
        for _attempt in range(services.FAILURE_LIMIT + 1):
            with pytest.raises(ValidationError):
                services.guardian_signup(
                    data=data("someone@x.test", password="1"),
                    raw_code="ZZZZ-ZZZZ",
                    ip_address="10.0.0.1",
                    base_url=BASE,
                )
        assert not FailedRedemption.objects.exists()

    def test_a_teachers_code_counts_as_the_students_once_they_no_longer_teach_them(
        self, personas, newcomer
    ):
        from village.community.models import Enrollment, LinkStatus
        from village.core.models import RosterStatus

        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        Enrollment.objects.filter(user=personas.rivera).update(status=RosterStatus.INACTIVE)
        link = services.pairing_code_redeem(
            user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.PENDING  # Riverside approves student codes

    def test_an_admins_code_counts_as_the_students_once_they_no_longer_administer(
        self, personas, newcomer
    ):
        from village.community.models import LinkStatus, OrgRole, Role
        from village.core.models import RosterStatus

        issued = services.pairing_code_create(student=personas.ada, created_by=personas.nguyen)
        OrgRole.objects.filter(user=personas.nguyen, role=Role.SCHOOL_ADMIN).update(
            status=RosterStatus.INACTIVE
        )
        link = services.pairing_code_redeem(
            user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.PENDING

    def test_a_teachers_code_works_at_once_while_they_teach(self, personas, newcomer):
        from village.community.models import LinkStatus

        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = services.pairing_code_redeem(
            user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.ACTIVE


def test_two_sign_ups_with_one_address_confirm_one_account(
    client, personas, django_capture_on_commit_callbacks
):
    for number, student in enumerate((personas.ada, personas.maya)):
        issued = services.pairing_code_create(student=student, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_signup(
                data=data("twice@x.test"),
                raw_code=issued.secret,
                ip_address=f"10.0.0.{number}",
                base_url=BASE,
            )
    first, second = confirmation_paths("twice@x.test")
    assert client.post(first, {"password": PASSWORD}).status_code == 302
    response = Client().post(second, {"password": PASSWORD})
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert User.objects.filter(email="twice@x.test", is_active=True).count() == 1
