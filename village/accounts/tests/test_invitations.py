from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.accounts import services
from village.accounts.models import Invitation, User, hash_secret
from village.accounts.services import (
    InvitationNotFoundError,
    InvitationState,
    InvitationUnavailableError,
)
from village.accounts.tests.helpers import html_body

BASE_URL = "https://village.example.org"
PASSWORD = "kites-over-the-river-9"


@pytest.fixture
def newcomer(personas) -> User:
    """A guardian an admin just created: an email, no usable password."""
    return User.objects.create_user(
        username="kim",
        email="kim@families.village.test",
        first_name="Kim",
        last_name="Lee",
        preferred_language="es",
    )


def send(user, inviter, capture):
    with capture(execute=True):
        invitation = services.invitation_send(user=user, invited_by=inviter, base_url=BASE_URL)
    return invitation


def secret_from(message) -> str:
    match = re.search(rf"{BASE_URL}/accounts/invitation/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
class TestInvitationSend:
    def test_emails_a_link_whose_secret_is_stored_only_as_a_digest(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        invitation = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1
        secret = secret_from(mail.outbox[0])
        assert invitation.digest == hash_secret(secret)
        assert secret not in invitation.digest
        assert invitation.created_by == personas.nguyen
        assert mail.outbox[0].to == ["kim@families.village.test"]

    def test_expires_after_the_configured_days(
        self, newcomer, personas, settings, django_capture_on_commit_callbacks
    ):
        settings.VILLAGE_INVITATION_DAYS = 3
        before = timezone.now()
        invitation = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        assert before + dt.timedelta(days=3) <= invitation.expires_at
        assert invitation.expires_at <= timezone.now() + dt.timedelta(days=3)

    def test_email_is_in_the_recipients_language(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        html = html_body(mail.outbox[0])
        assert 'lang="es"' in html
        assert f"{BASE_URL}/accounts/invitation/" in html

    def test_nothing_is_emailed_before_the_transaction_commits(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.invitation_send(user=newcomer, invited_by=None, base_url=BASE_URL)
        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_a_new_invitation_revokes_the_earlier_open_one(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        first = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        second = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.revoked_at is not None
        assert second.is_open
        with pytest.raises(InvitationUnavailableError) as error:
            services.invitation_accept(secret=secret_from(mail.outbox[0]), password=PASSWORD)
        assert error.value.state == InvitationState.REVOKED

    def test_user_without_email_is_refused_naming_the_field(self, personas):
        user = User.objects.create_user(username="noemail")
        with pytest.raises(ValidationError) as error:
            services.invitation_send(user=user, invited_by=None, base_url=BASE_URL)
        assert "email" in error.value.message_dict
        assert not Invitation.objects.exists()

    def test_user_who_has_a_password_is_refused(self, personas):
        with pytest.raises(ValidationError) as error:
            services.invitation_send(user=personas.sam, invited_by=None, base_url=BASE_URL)
        assert "password" in error.value.message_dict
        assert not Invitation.objects.exists()


@pytest.mark.django_db
class TestInvitationAccept:
    def test_sets_the_password_and_uses_up_the_invitation(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        invitation = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        user = services.invitation_accept(secret=secret_from(mail.outbox[0]), password=PASSWORD)
        assert user == newcomer
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None

    def test_weak_password_is_refused_naming_the_field_and_changes_nothing(
        self, newcomer, personas, django_capture_on_commit_callbacks
    ):
        invitation = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError) as error:
            services.invitation_accept(secret=secret_from(mail.outbox[0]), password="kim")
        assert "password" in error.value.message_dict
        newcomer.refresh_from_db()
        invitation.refresh_from_db()
        assert not newcomer.has_usable_password()
        assert invitation.accepted_at is None

    def test_unknown_secret_raises_not_found(self, personas):
        with pytest.raises(InvitationNotFoundError):
            services.invitation_accept(secret="made-up", password=PASSWORD)


@pytest.mark.django_db
class TestInvitationPage:
    def test_shows_who_it_is_for_with_a_labelled_password_form(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        response = client.get(f"/accounts/invitation/{secret_from(mail.outbox[0])}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Kim Lee" in html
        assert "<strong>kim</strong>" in html
        assert "Linh Nguyen created a Village account for you." in html
        assert '<label for="id_password1">' in html
        assert 'autocomplete="new-password"' in html

    def test_accepting_signs_the_user_in(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        response = client.post(
            f"/accounts/invitation/{secret_from(mail.outbox[0])}/",
            {"password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302
        assert response.url == "/"
        assert client.session["_auth_user_id"] == str(newcomer.pk)

    def test_mismatched_passwords_change_nothing(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        response = client.post(
            f"/accounts/invitation/{secret_from(mail.outbox[0])}/",
            {"password1": PASSWORD, "password2": PASSWORD + "x"},
        )
        assert response.status_code == 200
        assert 'aria-describedby="id_password2_error"' in response.content.decode()
        newcomer.refresh_from_db()
        assert not newcomer.has_usable_password()
        assert "_auth_user_id" not in client.session

    def test_validator_message_shows_on_the_password_field(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        response = client.post(
            f"/accounts/invitation/{secret_from(mail.outbox[0])}/",
            {"password1": "password", "password2": "password"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="id_password1_error"' in html
        assert "too common" in html

    def test_used_link_is_gone_and_changes_nothing(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        path = f"/accounts/invitation/{secret_from(mail.outbox[0])}/"
        client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
        client.logout()  # accepting signed Kim in; someone else now tries the same link
        other = "another-password-42"
        response = client.post(path, {"password1": other, "password2": other})
        assert response.status_code == 410
        assert "already used" in response.content.decode()
        newcomer.refresh_from_db()
        assert newcomer.check_password(PASSWORD)

    def test_expired_link_is_gone_and_changes_nothing(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        invitation = send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
        response = client.post(
            f"/accounts/invitation/{secret_from(mail.outbox[0])}/",
            {"password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        newcomer.refresh_from_db()
        assert not newcomer.has_usable_password()

    def test_revoked_link_says_it_was_replaced(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        response = client.get(f"/accounts/invitation/{secret_from(mail.outbox[0])}/")
        assert response.status_code == 410
        assert "was replaced" in response.content.decode()

    def test_unknown_link_is_not_found(self, client, personas):
        response = client.post(
            "/accounts/invitation/not-a-real-secret/",
            {"password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 404
        assert "do not recognise this link" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_accepted_user_can_then_sign_in_with_the_password(
        self, client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        send(newcomer, personas.nguyen, django_capture_on_commit_callbacks)
        services.invitation_accept(secret=secret_from(mail.outbox[0]), password=PASSWORD)
        response = client.post("/accounts/login/", {"username": "kim", "password": PASSWORD})
        assert response.status_code == 302
