"""The admin's add-person form takes a language from the list, checked as everywhere else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from village.accounts.models import User
from village.community.models import Relationship, Role


@pytest.mark.django_db
class TestAddPerson:
    url = reverse("community:person_add")

    def form(self, personas, language: str) -> dict[str, object]:
        return {
            "school": personas.school.pk,
            "role": Role.GUARDIAN,
            "first_name": "Rosa",
            "last_name": "Lopez",
            "preferred_name": "",
            "email": "rosa@example.test",
            "username": "",
            "grade": "",
            "preferred_language": language,
            "student": personas.maya.pk,
            "relationship": Relationship.MOTHER,
        }

    def sign_in(self, client, personas):
        personas.nguyen.refresh_from_db(fields=["password"])
        client.force_login(personas.nguyen)

    @pytest.mark.parametrize("language", ["klingon-xx-yy", "klingon", ""])
    def test_a_language_off_the_list_is_refused_naming_the_field(self, client, personas, language):
        self.sign_in(client, personas)
        response = client.post(self.url, self.form(personas, language))
        assert response.status_code == 200
        assert 'id="id_preferred_language_error"' in response.content.decode()
        assert not User.objects.filter(email="rosa@example.test").exists()

    def test_the_language_is_a_select_list(self, client, personas):
        self.sign_in(client, personas)
        html = client.get(self.url).content.decode()
        assert '<select name="preferred_language"' in html
        assert '<option value="en" selected>English</option>' in html

    def test_a_listed_language_is_saved(self, client, personas):
        self.sign_in(client, personas)
        response = client.post(self.url, self.form(personas, "so"))
        assert response.status_code == 302
        assert User.objects.get(email="rosa@example.test").preferred_language == "so"
