"""A school's settings for new family links: who may open and change them, what a bad answer
does (names the field, changes nothing), what saving does, and the page's constant cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import LinkStatus, Organisation, OrgRole, Role, Scope
from village.demo.personas import Personas
from village.onboarding import services
from village.onboarding.models import LinkRoute, OnboardingSettings
from village.onboarding.tests.conftest import signed_in

pytestmark = pytest.mark.django_db

APPROVAL_LEGEND = "When a family uses a code the student made"
APPROVAL_FIELDS = (
    "approve_student_codes",
    "approve_teacher_codes",
    "approve_admin_codes",
    "approve_invitations",
)
EVERY = (True, True, True, True)
NONE = (False, False, False, False)


def every_route(answer: bool) -> dict[LinkRoute, bool]:
    return dict.fromkeys(LinkRoute, answer)


SCOPES_LEGEND = "What a new family link may see"


def settings_url(school: Organisation) -> str:
    return reverse("onboarding:school_settings", args=[school.pk])


def answers(approve: str = "approve", scopes: tuple[str, ...] = ("classwork", "messages")):
    return {**dict.fromkeys(APPROVAL_FIELDS, approve), "default_scopes": list(scopes)}


def checked(html: str, name: str) -> set[str]:
    """The values of the inputs named ``name`` that the page shows chosen."""
    pattern = rf'<input type="\w+" name="{name}" value="([^"]+)"[^>]*\bchecked\b'
    return set(re.findall(pattern, html))


def saved(school: Organisation) -> tuple[tuple[bool, ...], list[str], int | None] | None:
    found = OnboardingSettings.objects.filter(school=school).first()
    if found is None:
        return None
    approvals = tuple(getattr(found, name) for name in APPROVAL_FIELDS)
    return approvals, found.default_scopes, found.updated_by_id


def admin_at(org: Organisation, role: Role, username: str) -> User:
    return community_services.person_create(
        username=username,
        first_name="Alex",
        last_name=username.title(),
        role=role,
        organisation=org,
        email=f"{username}@staff.village.test",
    )


class TestThePage:
    def test_school_admin_sees_the_defaults_chosen(self, client, personas):
        html = signed_in(client, personas.nguyen).get(settings_url(personas.school))
        assert html.status_code == 200
        page = html.content.decode()
        assert "Riverside K-8 School" in page
        assert f"<legend>{APPROVAL_LEGEND}</legend>" in page
        assert f"<legend>{SCOPES_LEGEND}</legend>" in page
        assert checked(page, "approve_student_codes") == {"approve"}
        for name in APPROVAL_FIELDS[1:]:
            assert checked(page, name) == {"at_once"}
        assert checked(page, "default_scopes") == set(Scope.values)
        for number, scope in enumerate(Scope):
            assert f'<label for="id_default_scopes_{number}">{scope.label}</label>' in page
        assert "uses Village's defaults" in page

    def test_saved_settings_are_shown_with_who_changed_them(self, client, personas):
        services.onboarding_settings_update(
            school=personas.school,
            approvals=every_route(True),
            default_scopes=[Scope.GRADES],
            changed_by=personas.priya,
        )
        page = signed_in(client, personas.nguyen).get(settings_url(personas.school))
        html = page.content.decode()
        for name in APPROVAL_FIELDS:
            assert checked(html, name) == {"approve"}
        assert checked(html, "default_scopes") == {"grades"}
        assert "by Priya Raman" in html

    def test_reachable_from_the_admin_home_and_the_approvals_page(self, client, personas):
        signed_in(client, personas.nguyen)
        link = f'href="{settings_url(personas.school)}"'
        assert link in client.get(reverse("community:home")).content.decode()
        approvals = client.get(reverse("onboarding:approvals")).content.decode()
        assert link in approvals
        assert f'href="{settings_url(personas.sister_school)}"' not in approvals

    def test_district_admin_finds_every_school_of_the_district_on_the_approvals_page(
        self, client, personas
    ):
        services.onboarding_settings_update(
            school=personas.sister_school,
            approvals=every_route(True),
            default_scopes=list(Scope),
            changed_by=personas.priya,
        )
        page = signed_in(client, personas.priya).get(reverse("onboarding:approvals"))
        html = page.content.decode()
        for school in (personas.school, personas.sister_school):
            assert f'href="{settings_url(school)}"' in html
        assert f'href="{settings_url(personas.other_school)}"' not in html
        assert "A pairing code a teacher made; A pairing code a school admin made" in html
        assert "A pairing code the student made</td>" in html

    def test_page_is_shown_in_the_admins_language(self, client, personas):
        personas.nguyen.preferred_language = "es"
        personas.nguyen.save(update_fields=["preferred_language"])
        html = signed_in(client, personas.nguyen).get(settings_url(personas.school))
        page = html.content.decode()
        assert 'lang="es"' in page
        assert "<legend>Cuando una familia usa un código que hizo el estudiante</legend>" in page
        assert APPROVAL_LEGEND not in page


class TestSaving:
    def test_school_admin_saves_and_is_sent_back_to_the_page(self, client, personas):
        signed_in(client, personas.nguyen)
        response = client.post(settings_url(personas.school), answers())
        assert response.status_code == 302
        assert response["Location"] == settings_url(personas.school)
        assert saved(personas.school) == (EVERY, ["classwork", "messages"], personas.nguyen.pk)
        page = client.get(response["Location"]).content.decode()
        assert "are saved" in page
        for name in APPROVAL_FIELDS:
            assert checked(page, name) == {"approve"}
        assert checked(page, "default_scopes") == {"classwork", "messages"}

    def test_district_admin_changes_a_school_of_the_district(self, client, personas):
        signed_in(client, personas.priya)
        response = client.post(settings_url(personas.sister_school), answers("at_once"))
        assert response.status_code == 302
        assert saved(personas.sister_school) == (
            NONE,
            ["classwork", "messages"],
            personas.priya.pk,
        )
        assert saved(personas.school) is None

    def test_saving_again_changes_the_one_row(self, client, personas):
        signed_in(client, personas.nguyen)
        client.post(settings_url(personas.school), answers())
        client.post(settings_url(personas.school), answers("at_once", ("grades",)))
        assert OnboardingSettings.objects.count() == 1
        assert saved(personas.school) == (NONE, ["grades"], personas.nguyen.pk)

    def test_new_links_follow_the_saved_settings(self, client, personas, newcomer):
        signed_in(client, personas.nguyen).post(
            settings_url(personas.school), answers("approve", ("classwork", "goals"))
        )
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        link = services.pairing_code_redeem(
            user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.PENDING
        allowed = {scope for scope in Scope if getattr(link, link.scope_field(scope))}
        assert allowed == {Scope.CLASSWORK, Scope.GOALS}


class TestBadAnswers:
    @pytest.fixture
    def before(self, personas):
        services.onboarding_settings_update(
            school=personas.school,
            approvals=every_route(False),
            default_scopes=[Scope.CLASSWORK],
            changed_by=personas.priya,
        )
        return saved(personas.school)

    @pytest.mark.parametrize(
        ("data", "legend", "message"),
        [
            (answers(scopes=()), SCOPES_LEGEND, "Choose at least one area"),
            (answers(scopes=("classwork", "diary")), SCOPES_LEGEND, "Choose areas from the list"),
            (answers(approve="perhaps"), APPROVAL_LEGEND, "Choose one of the two answers"),
            ({"default_scopes": ["grades"]}, APPROVAL_LEGEND, "Choose whether a school admin"),
        ],
        ids=["no-area", "unknown-area", "unknown-answer", "no-answer"],
    )
    def test_bad_answer_is_named_in_the_summary_and_changes_nothing(
        self, client, personas, before, data, legend, message
    ):
        response = signed_in(client, personas.nguyen).post(settings_url(personas.school), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'role="alert"' in html
        assert "Nothing was saved" in html
        assert f">{legend}</a>: {message}" in html
        assert saved(personas.school) == before

    def test_summary_links_to_the_first_choice_of_the_field(self, client, personas, before):
        response = signed_in(client, personas.nguyen).post(settings_url(personas.school), {})
        html = response.content.decode()
        assert f'<a href="#id_approve_student_codes_0">{APPROVAL_LEGEND}</a>' in html
        assert f'<a href="#id_default_scopes_0">{SCOPES_LEGEND}</a>' in html
        assert 'aria-describedby="id_default_scopes_helptext id_default_scopes_error"' in html
        assert saved(personas.school) == before

    def test_the_service_refuses_unknown_or_no_areas_naming_the_field(self, personas):
        for scopes in (["diary"], []):
            with pytest.raises(ValidationError) as refused:
                services.onboarding_settings_update(
                    school=personas.school,
                    approvals=every_route(False),
                    default_scopes=scopes,
                    changed_by=personas.nguyen,
                )
            assert list(refused.value.message_dict) == ["default_scopes"]
        assert saved(personas.school) is None

    def test_the_service_keeps_areas_in_order_and_once(self, personas):
        found = services.onboarding_settings_update(
            school=personas.school,
            approvals=every_route(False),
            default_scopes=["messages", "classwork", "messages"],
            changed_by=personas.nguyen,
        )
        assert found.default_scopes == ["classwork", "messages"]


class TestWhoMay:
    @pytest.mark.parametrize("persona", ["rivera", "ada", "sam", "jordan", "library", "eve"])
    def test_everyone_but_admins_gets_404_and_changes_nothing(self, client, personas, persona):
        signed_in(client, getattr(personas, persona))
        assert client.get(settings_url(personas.school)).status_code == 404
        assert client.post(settings_url(personas.school), answers()).status_code == 404
        assert saved(personas.school) is None

    def test_admin_of_another_school_gets_404(self, client, personas):
        signed_in(client, personas.nguyen)
        assert client.get(settings_url(personas.sister_school)).status_code == 404
        assert client.post(settings_url(personas.sister_school), answers()).status_code == 404
        assert saved(personas.sister_school) is None

    @pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN])
    def test_admin_of_another_district_gets_404(self, client, personas, role):
        org = personas.other_school if role == Role.SCHOOL_ADMIN else personas.other_district
        outsider = admin_at(org, role, "lakeside")
        signed_in(client, outsider)
        assert client.get(settings_url(personas.other_school)).status_code == 200
        for school in (personas.school, personas.sister_school):
            assert client.get(settings_url(school)).status_code == 404
            assert client.post(settings_url(school), answers()).status_code == 404
            assert saved(school) is None

    def test_a_district_is_not_a_school(self, client, personas):
        signed_in(client, personas.priya)
        assert client.get(settings_url(personas.district)).status_code == 404
        assert client.post(settings_url(personas.district), answers()).status_code == 404
        assert not OnboardingSettings.objects.exists()

    def test_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(self, personas):
        for response in (
            Client().get(settings_url(personas.school)),
            Client().post(settings_url(personas.school), answers()),
        ):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        assert saved(personas.school) is None

    def test_admin_whose_role_ended_gets_404(self, client, personas):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        OrgRole.objects.filter(user=personas.nguyen, role=Role.SCHOOL_ADMIN).update(
            end_date=yesterday
        )
        signed_in(client, personas.nguyen)
        assert client.get(settings_url(personas.school)).status_code == 404
        assert client.post(settings_url(personas.school), answers()).status_code == 404
        assert saved(personas.school) is None

    def test_the_service_refuses_a_teacher(self, personas):
        with pytest.raises(PermissionDenied):
            services.onboarding_settings_update(
                school=personas.school,
                approvals=every_route(True),
                default_scopes=list(Scope),
                changed_by=personas.rivera,
            )
        assert saved(personas.school) is None


def _grow(p: Personas) -> None:
    """More schools with saved settings, more admins, and links waiting for approval."""
    for n in range(3):
        school = community_services.school_create(district=p.district, name=f"New School {n}")
        admin_at(school, Role.SCHOOL_ADMIN, f"head{n}")
        services.onboarding_settings_update(
            school=school,
            approvals=every_route(True),
            default_scopes=list(Scope),
            changed_by=p.priya,
        )
        student = community_services.person_create(
            username=f"kid{n}",
            first_name="Kid",
            last_name=str(n),
            role=Role.STUDENT,
            organisation=p.school,
        )
        community_services.guardian_link(guardian=p.sam, student=student, status=LinkStatus.PENDING)
    admin_at(p.school, Role.SCHOOL_ADMIN, "deputy")


@pytest.mark.parametrize("persona", ["nguyen", "priya"])
def test_page_query_count_does_not_grow_with_schools_admins_or_links(
    client, personas, django_assert_num_queries, persona
):
    signed_in(client, getattr(personas, persona))
    services.onboarding_settings_update(
        school=personas.school,
        approvals=every_route(True),
        default_scopes=list(Scope),
        changed_by=personas.priya,
    )
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(settings_url(personas.school)).status_code == 200
    _grow(personas)
    with django_assert_num_queries(len(baseline.captured_queries)):
        assert client.get(settings_url(personas.school)).status_code == 200
