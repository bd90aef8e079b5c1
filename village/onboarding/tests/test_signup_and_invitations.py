"""Joining Village as a family: sign-up with a pairing code, and email invitations from staff."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.authorization import EVERYONE, client_for
from village.accounts.models import User
from village.community.models import GuardianLink, LinkSource, Relationship, Scope
from village.onboarding import services
from village.onboarding.models import GuardianInvitation
from village.onboarding.tests.conftest import PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.onboarding.tests.urls")]

SIGNUP = "/families/signup/"


def signup_form(code: str, **overrides: str) -> dict[str, str]:
    return {
        "first_name": "Rosa",
        "last_name": "Lopez",
        "email": "rosa@families.village.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "es",
        "code": code,
        **overrides,
    }


class TestSignup:
    def test_new_account_is_linked_and_signs_in_once_the_address_is_confirmed(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(SIGNUP, signup_form(issued.display.lower()))
        assert response.status_code == 200
        assert "Check your email" in response.content.decode()
        rosa = User.objects.get(email="rosa@families.village.test")
        assert (rosa.preferred_language, rosa.is_active) == ("es", False)
        assert rosa.check_password(PASSWORD)
        assert "_auth_user_id" not in client.session
        link = GuardianLink.objects.get(guardian=rosa)
        assert (link.student, link.source) == (personas.maya, LinkSource.PAIRING)
        confirm = confirmation_path(rosa)
        assert client.get(confirm).status_code == 200
        assert client.post(confirm, {"password": PASSWORD}).status_code == 302
        rosa.refresh_from_db()
        assert rosa.is_active
        assert client.session["_auth_user_id"] == str(rosa.pk)
        assert client.get(reverse("community:home")).status_code == 200

    def test_a_confirmation_link_works_once(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(SIGNUP, signup_form(issued.secret))
        confirm = confirmation_path(User.objects.get(email="rosa@families.village.test"))
        client.post(confirm, {"password": PASSWORD})
        assert Client().post(confirm, {"password": PASSWORD}).status_code == 410
        assert Client().post("/families/signup/confirm/MTIz/not-a-token/").status_code == 410

    def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        fresh_code = services.pairing_code_create(student=personas.mina, created_by=personas.park)
        with django_capture_on_commit_callbacks(execute=True):
            taken = client.post(
                SIGNUP, signup_form(issued.secret, email="SAM@families.village.test")
            )
            fresh = Client().post(SIGNUP, signup_form(fresh_code.secret))

        def page(response) -> str:
            return response.content.decode().replace("SAM@families", "rosa@families")

        assert taken.status_code == fresh.status_code == 200
        assert page(taken) == page(fresh)
        assert "An account with this email address exists" not in page(taken)
        assert not GuardianLink.objects.filter(student=personas.maya).exists()
        assert User.objects.filter(email__iexact="sam@families.village.test").count() == 1
        issued.code.refresh_from_db()
        assert issued.code.redeemed_at is not None  # spent, as a new address spends it
        to_sam = [m for m in mail.outbox if m.to == [personas.sam.email]]
        assert len(to_sam) == 1
        assert "/families/pair/" in str(to_sam[0].body)
        assert "Maya" not in str(to_sam[0].body)  # the owner may be a stranger to the child

    def test_a_taken_address_is_not_told_before_the_code_is_checked(self, client, personas):
        response = client.post(SIGNUP, signup_form("ZZZZ-ZZZZ", email="sam@families.village.test"))
        html = response.content.decode()
        assert "This code does not work" in html
        assert "An account with this email address exists" not in html
        assert not mail.outbox

    def test_weak_password_is_refused_and_nothing_is_created(self, client, personas):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        response = client.post(SIGNUP, signup_form(issued.secret, password1="1", password2="1"))
        assert response.status_code == 200
        assert 'id="id_password1_error"' in response.content.decode()
        assert not User.objects.filter(email="rosa@families.village.test").exists()

    def test_wrong_code_creates_no_account(self, client, personas):
        response = client.post(SIGNUP, signup_form("ZZZZ-ZZZZ"))
        assert "This code does not work" in response.content.decode()
        assert not User.objects.filter(email="rosa@families.village.test").exists()

    def test_brute_force_from_one_address_ends_in_429(self, client, personas):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        for _attempt in range(5):
            client.post(SIGNUP, signup_form("ZZZZ-ZZZZ"))
        response = client.post(SIGNUP, signup_form(issued.secret))
        assert response.status_code == 429
        assert not User.objects.filter(email="rosa@families.village.test").exists()

    def test_signup_page_is_public_and_labelled(self, client):
        html = client.get(SIGNUP).content.decode()
        for name in ["first_name", "last_name", "email", "password1", "language", "code"]:
            assert f'<label for="id_{name}"' in html


def confirmation_path(user: User) -> str:
    body = next(str(m.body) for m in reversed(mail.outbox) if m.to == [user.email])
    match = re.search(r"/families/signup/confirm/[^/\s]+/[^/\s]+/", body)
    assert match
    return match.group(0)


def invite(client: Client, by: User, student: User, **fields: str):
    data = {
        "email": "grandma@families.village.test",
        "name": "Grandma Okoye",
        "relationship": Relationship.GRANDPARENT,
        "language": "en",
        **fields,
    }
    return signed_in(client, by).post(reverse("onboarding:invite", args=[student.pk]), data)


def invitation_link() -> str:
    match = re.search(r"https?://\S+/families/invitation/\S+/", str(mail.outbox[-1].body))
    assert match
    return match.group(0).split("testserver", 1)[1]


class TestInvitations:
    def test_teacher_invites_and_the_recipient_signs_up_linked_to_that_student(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert invite(client, personas.rivera, personas.maya).status_code == 302
        assert mail.outbox[-1].to == ["grandma@families.village.test"]
        url = invitation_link()
        client.logout()
        form = {
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
        }
        assert client.post(url, form).status_code == 302
        grandma = User.objects.get(email="grandma@families.village.test")
        link = GuardianLink.objects.get(guardian=grandma)
        assert (link.student, link.source, link.relationship) == (
            personas.maya,
            LinkSource.INVITATION,
            Relationship.GRANDPARENT,
        )
        assert set(link.scopes) == set(Scope)

    def test_email_is_in_the_language_of_a_known_account(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, personas.rivera, personas.maya, email="sam@families.village.test")
        invitation = GuardianInvitation.objects.get()
        assert invitation.language == "es"

    def test_existing_account_signs_in_and_accepts(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, personas.rivera, personas.maya, email="sam@families.village.test")
        url = invitation_link()
        client.logout()
        assert "Sign in" in client.get(url).content.decode()
        response = signed_in(client, personas.sam).post(url)
        assert response.status_code == 302
        assert GuardianLink.objects.filter(guardian=personas.sam, student=personas.maya).exists()

    def test_reused_link_is_gone_and_changes_nothing(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, personas.rivera, personas.maya, email="sam@families.village.test")
        url = invitation_link()
        signed_in(client, personas.sam).post(url)
        response = signed_in(client, personas.jordan).post(url)
        assert response.status_code == 410
        assert "already used" in response.content.decode()
        assert not GuardianLink.objects.filter(guardian=personas.jordan, student=personas.maya)

    def test_expired_link_is_gone_and_changes_nothing(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, personas.rivera, personas.maya)
        url = invitation_link()
        client.logout()
        with time_machine.travel(timezone.now() + dt.timedelta(days=14, seconds=1)):
            response = client.post(url, {"first_name": "Ana", "last_name": "Lopez"})
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert not User.objects.filter(email="grandma@families.village.test").exists()

    def test_unknown_link_is_404(self, client):
        assert client.get("/families/invitation/not-a-real-secret/").status_code == 404

    def test_signed_in_account_with_another_email_cannot_accept(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invite(client, personas.rivera, personas.maya)
        response = signed_in(client, personas.jordan).post(invitation_link())
        assert response.status_code == 400
        assert not GuardianLink.objects.filter(guardian=personas.jordan, student=personas.maya)

    @pytest.mark.parametrize("who", ["maya", "sam", "chen", "stone"])
    def test_students_guardians_and_other_teachers_cannot_invite(self, client, personas, who):
        response = invite(client, getattr(personas, who), personas.maya)
        assert response.status_code in (200, 404)
        assert not GuardianInvitation.objects.exists()
        assert not mail.outbox

    def test_bad_email_is_named_and_nothing_is_sent(self, client, personas):
        response = invite(client, personas.rivera, personas.maya, email="not an email")
        assert response.status_code == 200
        assert 'id="id_email_error"' in response.content.decode()
        assert not GuardianInvitation.objects.exists()


@pytest.mark.parametrize("viewer", [*EVERYONE, "anonymous"])
def test_a_confirmation_link_made_for_someone_else_does_nothing_for_anyone(
    personas, viewer, django_capture_on_commit_callbacks
):
    """Rosa signed up; a link with her id but a wrong token, or the token of another account,
    activates nothing and signs nobody in, whoever opens it."""
    issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(SIGNUP, signup_form(issued.secret))
    rosa = User.objects.get(email="rosa@families.village.test")
    real = confirmation_path(rosa)
    uidb64 = real.split("/")[-3]
    client = Client() if viewer == "anonymous" else client_for(getattr(personas, viewer))
    before = client.session.get("_auth_user_id")
    for path in (
        f"/families/signup/confirm/{uidb64}/not-a-token/",
        real.replace(f"/{uidb64}/", "/MQ/"),  # Rosa's token on another account
    ):
        response = client.post(path)
        assert response.status_code == 410
        assert "Rosa" not in response.content.decode()
        assert client.session.get("_auth_user_id") == before
    rosa.refresh_from_db()
    assert not rosa.is_active
