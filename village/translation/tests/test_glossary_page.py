"""A school's glossary page: only the school's admins (and its district's) open it; a bad
answer names the field and changes nothing; saving and removing terms make the school's
translations again; the page's cost does not grow with the glossary."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import Organisation, Role
from village.demo.personas import Personas
from village.translation import selectors, services
from village.translation.models import GlossaryRule, GlossaryTerm

pytestmark = pytest.mark.django_db

ADD = {"term": "Field trip", "source_language": "en", "rule": "translate_as",
       "target_language": "es", "replacement": "excursión"}  # fmt: skip


def page(school: Organisation) -> str:
    return reverse("translation:glossary", args=[school.pk])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_at(org: Organisation, username: str) -> User:
    return community_services.person_create(
        username=username,
        first_name="Alex",
        last_name=username.title(),
        role=Role.SCHOOL_ADMIN,
        organisation=org,
        email=f"{username}@staff.village.test",
    )


def a_term(p: Personas) -> GlossaryTerm:
    return services.glossary_term_save(
        school=p.school, term="IEP", rule=GlossaryRule.KEEP, changed_by=p.nguyen
    )


# --- who may open and change it -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["nguyen", "priya"])
def test_the_schools_admins_and_the_districts_open_the_page(personas, name):
    a_term(personas)
    response = client_for(getattr(personas, name)).get(page(personas.school))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Translation glossary of Riverside K-8 School" in html
    assert '<th scope="row" lang="en">IEP</th>' in html


@pytest.mark.parametrize(
    "name", ["rivera", "chen", "sam", "jordan", "ada", "leo", "library", "eve"]
)
def test_everyone_else_finds_no_such_page_and_changes_nothing(personas, name):
    entry = a_term(personas)
    client = client_for(getattr(personas, name))
    school = personas.school
    edit = reverse("translation:glossary_term", args=[school.pk, entry.pk])
    remove = reverse("translation:glossary_term_delete", args=[school.pk, entry.pk])
    assert client.get(page(school)).status_code == 404
    assert client.post(page(school), ADD).status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post(edit, {**ADD, "term": "Changed"}).status_code == 404
    assert client.post(remove).status_code == 404
    assert list(GlossaryTerm.objects.values_list("term", flat=True)) == ["IEP"]


def test_an_admin_of_another_school_finds_no_such_page(personas):
    entry = a_term(personas)
    for org, username in (
        (personas.sister_school, "oakadmin"),
        (personas.other_school, "lakeadmin"),
    ):
        client = client_for(admin_at(org, username))
        assert client.get(page(personas.school)).status_code == 404
        assert client.post(page(personas.school), ADD).status_code == 404
        remove = reverse("translation:glossary_term_delete", args=[personas.school.pk, entry.pk])
        assert client.post(remove).status_code == 404
        assert client.get(page(org)).status_code == 200  # their own school's
    assert GlossaryTerm.objects.count() == 1


def test_a_term_of_another_school_is_not_found_through_ones_own(personas):
    oak_admin = admin_at(personas.sister_school, "oakadmin")
    entry = a_term(personas)
    edit = reverse("translation:glossary_term", args=[personas.sister_school.pk, entry.pk])
    assert client_for(oak_admin).get(edit).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(personas):
    response = Client().get(page(personas.school))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_school_settings_page_links_to_the_glossary(personas):
    settings_page = reverse("onboarding:school_settings", args=[personas.school.pk])
    html = client_for(personas.nguyen).get(settings_page).content.decode()
    assert f'href="{page(personas.school)}"' in html


# --- changing it ----------------------------------------------------------------------------------


def test_an_admin_adds_changes_and_removes_a_term(personas):
    client = client_for(personas.nguyen)
    response = client.post(page(personas.school), ADD, follow=True)
    assert response.redirect_chain[-1][0] == page(personas.school)
    html = response.content.decode()
    assert "“Field trip” is saved." in html
    entry = GlossaryTerm.objects.get()
    assert (entry.term, entry.rule, entry.target_language, entry.replacement) == (
        "Field trip",
        "translate_as",
        "es",
        "excursión",
    )
    assert entry.updated_by == personas.nguyen
    assert selectors.glossary_version(personas.school.pk) == 1
    edit = reverse("translation:glossary_term", args=[personas.school.pk, entry.pk])
    assert 'value="excursión"' in client.get(edit).content.decode()
    client.post(edit, {**ADD, "rule": "keep", "target_language": ""})
    entry.refresh_from_db()
    assert (entry.rule, entry.replacement, entry.target_language) == ("keep", "", "")
    assert selectors.glossary_version(personas.school.pk) == 2
    remove = reverse("translation:glossary_term_delete", args=[personas.school.pk, entry.pk])
    client.post(remove)
    assert not GlossaryTerm.objects.exists()
    assert selectors.glossary_version(personas.school.pk) == 3


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        ({"replacement": ""}, "replacement", "Write how the term is always translated."),
        ({"target_language": ""}, "target_language", "Choose the language this translation is in."),
        ({"term": "  "}, "term", "This field is required."),
        ({"target_language": "en"}, "target_language", "Choose a language other than"),
        ({"target_language": "xx"}, "target_language", "Select a valid choice."),
        ({"rule": "sometimes"}, "rule", "Select a valid choice."),
    ],
)
def test_a_bad_answer_names_the_field_and_saves_nothing(personas, answer, field, message):
    response = client_for(personas.nguyen).post(page(personas.school), {**ADD, **answer})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved. Please check:" in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not GlossaryTerm.objects.exists()
    assert selectors.glossary_version(personas.school.pk) == 0


def test_the_same_term_twice_for_a_language_is_refused_whatever_its_case(personas):
    client = client_for(personas.nguyen)
    client.post(page(personas.school), ADD)
    html = client.post(page(personas.school), {**ADD, "term": "FIELD TRIP"}).content.decode()
    assert "The glossary has this term for this language already" in html
    assert GlossaryTerm.objects.count() == 1


def test_the_page_in_spanish(personas):
    User.objects.filter(pk=personas.nguyen.pk).update(preferred_language="es")
    personas.nguyen.refresh_from_db()
    a_term(personas)
    html = client_for(personas.nguyen).get(page(personas.school)).content.decode()
    assert "Glosario de traducción de Riverside K-8 School" in html
    assert "Se deja tal como está escrito" in html
    assert "Todos los idiomas" in html


def test_the_page_costs_the_same_with_many_terms(personas):
    client = client_for(personas.nguyen)
    a_term(personas)
    client.get(page(personas.school))
    with CaptureQueriesContext(connection) as few:
        client.get(page(personas.school))
    for number in range(15):
        services.glossary_term_save(
            school=personas.school,
            term=f"Programme {number}",
            rule=GlossaryRule.TRANSLATE_AS,
            target_language="es",
            replacement=f"Programa {number}",
            changed_by=personas.priya,
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(page(personas.school)).content.decode()
    assert "Programme 14" in html
    assert len(many) == len(few)
