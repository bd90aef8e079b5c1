"""The "Delivery problems" page: a school admin sees the failed deliveries and the families that
cannot be reached of their school's people only (a district admin: the district's), and may send
a failed message again; everyone else gets a 404, never data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authorization import EVERYONE, client_for
from village.community import services as community_services
from village.community.models import Role
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas
from village.notifications import registry
from village.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    EmailMode,
    KindSetting,
    UserSettings,
)
from village.notifications.tests.outbox_support import email_delivery

pytestmark = pytest.mark.django_db

PAGE = reverse("notifications:delivery_problems")
FAILED_TO = ["sam", "ada", "rivera", "olga", "eve"]
ADMINS = {
    "nguyen": {"failed": {"sam", "ada", "rivera"}, "families": {"sam", "jordan"}},
    "priya": {"failed": {"sam", "ada", "rivera", "olga"}, "families": {"sam", "jordan", "olga"}},
    "stone": {"failed": {"eve"}, "families": {"eve"}},
}
NOT_ADMINS = [name for name in EVERYONE if name not in ADMINS]


def _failed(person, key: str, *, reason: str = "recipient refused: 550 5.1.1 User unknown"):
    row = email_delivery(person.email or "old@families.village.test", key, recipient=person)
    row.state = DeliveryState.FAILED
    row.attempts = 1
    row.last_error = reason
    row.tried_at = timezone.now() - dt.timedelta(hours=1)
    row.save()
    return row


def _sent(person, key: str):
    row = email_delivery(person.email, key, recipient=person)
    row.state = DeliveryState.SENT
    row.attempts = 1
    row.tried_at = row.sent_at = timezone.now() - dt.timedelta(days=2)
    row.save()
    return row


def _all_email_off(person) -> None:
    kinds = registry.kinds(registry.Audience.GUARDIAN) + registry.kinds(registry.Audience.ANYONE)
    assert kinds
    KindSetting.objects.bulk_create(
        KindSetting(user=person, kind=kind.name, email=EmailMode.OFF) for kind in kinds
    )


@pytest.fixture
def district(personas: Personas) -> Personas:
    """Failed messages to people of each school; Stone also runs Lakeside Academy. Families:
    Sam's last email bounced, Jordan has no email address, Olga turned every email off, Eve's
    last email bounced."""
    community_services.role_grant(
        user=personas.stone, organisation=personas.other_school, role=Role.SCHOOL_ADMIN
    )
    for name in FAILED_TO:
        person = getattr(personas, name)
        _sent(person, f"{name}:earlier")
        _failed(person, f"{name}:latest")
    personas.jordan.email = ""
    personas.jordan.save(update_fields=["email"])
    _all_email_off(personas.olga)
    return personas


def _shown(html: str, personas: Personas, names) -> set[str]:
    return {name for name in names if getattr(personas, name).display_name in html}


@pytest.mark.parametrize("admin", sorted(ADMINS))
def test_an_admin_sees_their_schools_problems_only(district: Personas, admin: str):
    response = client_for(getattr(district, admin)).get(PAGE)
    assert response.status_code == 200
    failed = response.context["failed_rows"]
    assert {row.delivery.recipient.username for row in failed} == ADMINS[admin]["failed"]
    assert all(row.delivery.state == DeliveryState.FAILED for row in failed)
    families = {row.guardian.username for row in response.context["family_rows"]}
    assert families == ADMINS[admin]["families"]
    html = response.content.decode()
    hidden = set(FAILED_TO) - ADMINS[admin]["failed"] - ADMINS[admin]["families"]
    assert _shown(html, district, hidden) == set()


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_nobody_else_sees_the_page_or_sends_anything_again(district: Personas, name: str):
    client = client_for(getattr(district, name))
    assert client.get(PAGE).status_code == 404
    for row in Delivery.objects.filter(state=DeliveryState.FAILED):
        response = client.post(reverse("notifications:delivery_retry", args=[row.pk]))
        assert response.status_code == 404
    assert Delivery.objects.filter(state=DeliveryState.FAILED).count() == len(FAILED_TO)


def test_signed_out_visitors_are_sent_to_sign_in(district: Personas):
    row = Delivery.objects.filter(state=DeliveryState.FAILED).first()
    assert row is not None
    login = reverse("accounts:login")
    page = Client().get(PAGE)
    assert (page.status_code, page["Location"].split("?")[0]) == (302, login)
    retry = Client().post(reverse("notifications:delivery_retry", args=[row.pk]))
    assert (retry.status_code, retry["Location"].split("?")[0]) == (302, login)
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED


def test_why_each_family_cannot_be_reached_with_their_children(district: Personas):
    response = client_for(district.priya).get(PAGE)
    rows = {row.guardian.username: row for row in response.context["family_rows"]}
    assert rows["sam"].reasons == [
        "The last email failed: recipient refused: 550 5.1.1 User unknown"
    ]
    assert rows["jordan"].reasons == ["No email address"]
    assert rows["olga"].reasons == [
        "The last email failed: recipient refused: 550 5.1.1 User unknown",
        "Email turned off for every kind of message",
    ]
    assert [link.student.username for link in rows["sam"].links] == ["ada", "leo"]
    assert [link.student.username for link in rows["jordan"].links] == ["leo"]
    assert [link.student.username for link in rows["olga"].links] == ["mina"]


def test_a_family_whose_last_email_went_or_who_gets_texts_is_reachable(
    district: Personas, settings
):
    _sent(district.sam, "sam:newest")  # tried after the failed one
    Delivery.objects.filter(key="sam:newest").update(tried_at=timezone.now())
    settings.VILLAGE_SMS_URL = "http://127.0.0.1:9/v1/messages"
    UserSettings.objects.create(user=district.jordan, phone="+15550101")
    families = client_for(district.nguyen).get(PAGE).context["family_rows"]
    assert [row.guardian.username for row in families] == []
    # A text that failed last counts as no text messages.
    failed_text = _failed(district.jordan, "jordan:sms", reason="the SMS gateway answered 400")
    Delivery.objects.filter(pk=failed_text.pk).update(channel=Channel.SMS, address="+15550101")
    families = client_for(district.nguyen).get(PAGE).context["family_rows"]
    assert [row.guardian.username for row in families] == ["jordan"]


def test_the_failed_list_shows_address_kind_reason_attempts_and_last_try(district: Personas):
    html = client_for(district.nguyen).get(PAGE).content.decode()
    assert district.sam.email in html
    assert "recipient refused: 550 5.1.1 User unknown" in html
    assert "Test alert" not in html  # an unknown kind is shown by its name
    assert "test_alert" in html
    assert reverse("notifications:delivery_retry", args=[_latest("sam").pk]) in html


def _latest(name: str) -> Delivery:
    return Delivery.objects.get(key=f"{name}:latest")


def test_send_again_queues_a_failed_message_to_the_current_address(district: Personas):
    district.sam.email = "sam.new@families.village.test"
    district.sam.save(update_fields=["email"])
    row = _latest("sam")
    response = client_for(district.nguyen).post(
        reverse("notifications:delivery_retry", args=[row.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == PAGE
    assert "will be sent again in a moment" in response.content.decode()
    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED
    assert row.address == "sam.new@families.village.test"
    assert row.attempts == 0
    assert row.due_at <= timezone.now()
    assert row.lease == ""


def test_send_again_refuses_without_an_address_and_changes_nothing(district: Personas):
    district.rivera.email = ""
    district.rivera.save(update_fields=["email"])
    row = _latest("rivera")
    response = client_for(district.nguyen).post(
        reverse("notifications:delivery_retry", args=[row.pk]), follow=True
    )
    assert "has no address to send this message to" in response.content.decode()
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED


def test_another_schools_admin_cannot_send_again_our_message(district: Personas):
    row = _latest("sam")
    response = client_for(district.stone).post(
        reverse("notifications:delivery_retry", args=[row.pk])
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED
    assert (
        client_for(district.nguyen)
        .get(reverse("notifications:delivery_retry", args=[row.pk]))
        .status_code
        == 405
    )


def test_students_on_the_page_are_audited_as_viewed(district: Personas):
    client_for(district.nguyen).get(PAGE)
    viewed = set(
        AuditEvent.objects.filter(
            actor=district.nguyen, action=AuditAction.VIEW_STUDENT
        ).values_list("student__username", "organisation_id")
    )
    school = district.school.pk
    assert viewed == {("ada", school), ("leo", school)}


def test_the_page_reads_the_same_number_of_queries_however_many_problems(
    district: Personas, django_assert_num_queries
):
    client = client_for(district.priya)
    client.get(PAGE)  # warm: the session, roles
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(PAGE).status_code == 200
    for name in ["leo", "maya", "chen", "jordan", "mina", "park"]:
        _failed(getattr(district, name), f"{name}:more")
    _all_email_off(district.sam)
    for index in range(3):
        guardian = community_services.person_create(
            username=f"family{index}",
            first_name="Family",
            last_name=f"Number {index}",
            role=Role.GUARDIAN,
            organisation=district.school,
            email="",
        )
        community_services.guardian_link(guardian=guardian, student=district.maya)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(PAGE)
    assert len(response.context["failed_rows"]) == len(ADMINS["priya"]["failed"]) + 6
    assert len(response.context["family_rows"]) == len(ADMINS["priya"]["families"]) + 3


def test_the_admins_home_page_links_to_the_page_with_the_count(district: Personas):
    html = client_for(district.nguyen).get(reverse("community:home")).content.decode()
    assert f'href="{PAGE}"' in html
    assert 'data-failed-count="3"' in html
    html = client_for(district.priya).get(reverse("community:home")).content.decode()
    assert html.count(f'href="{PAGE}"') == 1
    assert 'data-failed-count="4"' in html
    for name in ("rivera", "sam", "ada"):
        html = client_for(getattr(district, name)).get(reverse("community:home")).content.decode()
        assert PAGE not in html


def test_email_turned_off_for_every_kind_alone_makes_a_family_unreachable(district: Personas):
    olga = district.olga
    newest = _sent(olga, "olga:newest")
    Delivery.objects.filter(pk=newest.pk).update(tried_at=timezone.now())
    rows = {
        row.guardian.username: row
        for row in client_for(district.priya).get(PAGE).context["family_rows"]
    }
    assert rows["olga"].reasons == ["Email turned off for every kind of message"]
    # One kind emailed again: Village can reach her.
    setting = KindSetting.objects.filter(user=olga).first()
    assert setting is not None
    KindSetting.objects.filter(pk=setting.pk).update(email=EmailMode.WEEKLY)
    families = client_for(district.priya).get(PAGE).context["family_rows"]
    assert "olga" not in {row.guardian.username for row in families}


def test_the_page_speaks_the_admins_language(district: Personas):
    district.nguyen.preferred_language = "es"
    district.nguyen.save(update_fields=["preferred_language"])
    html = client_for(district.nguyen).get(PAGE).content.decode()
    assert "Problemas de entrega" in html
    assert "Sin dirección de correo" in html
    assert "El último correo no se entregó: recipient refused: 550 5.1.1 User unknown" in html
    assert "Volver a enviar" in html
    home = client_for(district.nguyen).get(reverse("community:home")).content.decode()
    assert "mensajes no se pudieron entregar." in home
