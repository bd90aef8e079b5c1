from __future__ import annotations

import pytest
from django.core import mail

from village.accounts import services, tokens
from village.accounts.models import Invitation, User
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction, AuditEvent


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser(username="itdesk", email="it@village.test", password="x")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def newcomer(personas) -> User:
    return User.objects.create_user(username="kim", email="kim@families.village.test")


@pytest.mark.django_db
class TestUserAdmin:
    def test_non_staff_are_sent_to_the_admin_login(self, client, personas):
        client.force_login(personas.nguyen)
        response = client.get("/admin/accounts/user/")
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")

    def test_search_finds_by_preferred_name(self, admin_client, personas):
        personas.leo.preferred_name = "Leonidas"
        personas.leo.save()
        html = admin_client.get("/admin/accounts/user/?q=leonidas").content.decode()
        assert f"/admin/accounts/user/{personas.leo.pk}/change/" in html
        assert f"/admin/accounts/user/{personas.ada.pk}/change/" not in html

    def test_change_page_shows_village_profile_fields(self, admin_client, personas):
        html = admin_client.get(f"/admin/accounts/user/{personas.sam.pk}/change/").content.decode()
        for field in ("preferred_language", "pronouns", "timezone", "phone", "preferred_name"):
            assert f'name="{field}"' in html

    def test_send_invitation_action_invites_people_without_a_password(
        self, admin_client, newcomer, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/accounts/user/",
                {"action": "send_invitation", "_selected_action": [newcomer.pk, personas.sam.pk]},
                follow=True,
            )
        html = response.content.decode()
        assert "Sent 1 invitation." in html
        assert "Sam Okoye already has a password" in html
        assert [message.to for message in mail.outbox] == [[newcomer.email]]
        assert Invitation.objects.get().user == newcomer


@pytest.mark.django_db
class TestInvitationAdmin:
    def test_send_new_invitation_action_replaces_the_open_one(
        self, admin_client, newcomer, staff, django_capture_on_commit_callbacks
    ):
        first = services.invitation_send(user=newcomer, invited_by=None, base_url="http://x")
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/accounts/invitation/",
                {"action": "send_new_invitation", "_selected_action": [first.pk]},
            )
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.revoked_at is not None
        latest = Invitation.objects.exclude(pk=first.pk).get()
        assert latest.is_open
        assert latest.created_by == staff
        assert len(mail.outbox) == 1
        assert "http://testserver/accounts/invitation/" in mail.outbox[0].body

    def test_action_reports_users_who_cannot_be_invited(
        self, admin_client, newcomer, django_capture_on_commit_callbacks
    ):
        invitation = services.invitation_send(user=newcomer, invited_by=None, base_url="http://x")
        newcomer.set_password("now-has-one-2026")
        newcomer.save()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/accounts/invitation/",
                {"action": "send_new_invitation", "_selected_action": [invitation.pk]},
                follow=True,
            )
        assert "already has a password" in response.content.decode()
        assert Invitation.objects.count() == 1
        assert mail.outbox == []

    def test_invitations_cannot_be_added_by_hand(self, admin_client):
        assert admin_client.get("/admin/accounts/invitation/add/").status_code == 403


@pytest.mark.django_db
class TestPersonalTokenAdmin:
    def test_revoke_action_stops_the_token(self, admin_client, personas):
        token, secret = tokens.token_create(user=personas.rivera, name="Sync")
        admin_client.post(
            "/admin/accounts/personaltoken/",
            {"action": "revoke", "_selected_action": [token.pk]},
        )
        assert tokens.token_authenticate(secret) is None

    def test_digest_is_read_only(self, admin_client, personas):
        token, _secret = tokens.token_create(user=personas.rivera, name="Sync")
        html = admin_client.get(
            f"/admin/accounts/personaltoken/{token.pk}/change/"
        ).content.decode()
        assert token.digest in html
        assert 'name="digest"' not in html


@pytest.mark.django_db
class TestAuditEventAdmin:
    @pytest.fixture
    def event(self, personas) -> AuditEvent:
        audit_views(
            actor_id=personas.rivera.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=[Viewed(student_id=personas.ada.pk, organisation_id=personas.school.pk)],
        )
        return AuditEvent.objects.get()

    def test_staff_can_list_and_filter_events(self, admin_client, event):
        response = admin_client.get(
            "/admin/core/auditevent/?action__exact=view_student&channel=web"
        )
        assert response.status_code == 200
        assert f"/admin/core/auditevent/{event.pk}/change/" in response.content.decode()
        empty = admin_client.get("/admin/core/auditevent/?action__exact=view_roster")
        assert f"/admin/core/auditevent/{event.pk}/change/" not in empty.content.decode()

    def test_events_cannot_be_added_changed_or_deleted(self, admin_client, event, personas):
        assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
        changed = admin_client.post(
            f"/admin/core/auditevent/{event.pk}/change/",
            {"actor": personas.chen.pk, "action": "view_roster", "channel": "api"},
        )
        assert changed.status_code == 403
        assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
        event.refresh_from_db()
        assert (event.actor_id, event.action, event.channel) == (
            personas.rivera.pk,
            AuditAction.VIEW_STUDENT,
            "web",
        )

    def test_no_bulk_delete_action(self, admin_client, event):
        admin_client.post(
            "/admin/core/auditevent/",
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        )
        assert AuditEvent.objects.filter(pk=event.pk).exists()
