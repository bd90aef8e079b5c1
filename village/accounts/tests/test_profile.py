from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from village.accounts import services
from village.accounts.services import ProfileData

PROFILE = "/accounts/profile/"


def form_data(**changes):
    data = {
        "preferred_name": "Ellie",
        "pronouns": "she/her",
        "language": "en",
        "timezone": "America/Chicago",
        "phone": "+1 555 0142",
    }
    return {**data, **changes}


@pytest.mark.django_db
class TestProfilePage:
    def test_requires_sign_in(self, client):
        response = client.get(PROFILE)
        assert response.status_code == 302
        assert response.url == "/accounts/login/?next=/accounts/profile/"

    def test_shows_the_current_profile_with_labelled_fields(self, client, personas):
        client.force_login(personas.rivera)
        html = client.get(PROFILE).content.decode()
        assert 'value="she/her"' in html
        assert 'value="+1 555 0142"' in html
        for field in ("preferred_name", "pronouns", "language", "timezone"):
            assert f'<label for="id_{field}">' in html
        assert '<select name="language"' in html
        assert '<select name="timezone"' in html
        assert '<option value="America/Chicago" selected>America/Chicago</option>' in html
        assert 'autocomplete="tel"' in html

    def test_saves_the_profile(self, client, personas):
        client.force_login(personas.rivera)
        response = client.post(PROFILE, form_data(timezone="Europe/Madrid"))
        assert response.status_code == 302
        personas.rivera.refresh_from_db()
        assert personas.rivera.preferred_name == "Ellie"
        assert personas.rivera.timezone == "Europe/Madrid"

    def test_after_choosing_spanish_the_next_page_is_in_spanish(self, client, personas):
        client.force_login(personas.rivera)
        client.post(PROFILE, form_data(language="es"))
        response = client.get(PROFILE)
        assert response["Content-Language"] == "es"
        assert '<html lang="es">' in response.content.decode()

    def test_a_language_village_does_not_speak_is_recorded_and_pages_stay_english(
        self, client, personas
    ):
        client.force_login(personas.rivera)
        client.post(PROFILE, form_data(language="vi"))
        personas.rivera.refresh_from_db()
        assert personas.rivera.preferred_language == "vi"
        response = client.get(PROFILE)
        assert response["Content-Language"] == "en"
        assert '<option value="vi" selected>Tiếng Việt (Vietnamese)</option>' in (
            response.content.decode()
        )

    @pytest.mark.parametrize("language", ["klingon", "klingon-xx-yy", "other", ""])
    def test_a_language_off_the_list_is_refused_naming_the_field(self, client, personas, language):
        client.force_login(personas.rivera)
        response = client.post(PROFILE, form_data(language=language))
        assert response.status_code == 200
        assert 'id="id_language_error"' in response.content.decode()
        personas.rivera.refresh_from_db()
        assert personas.rivera.preferred_language == "en"
        assert personas.rivera.preferred_name == ""

    def test_a_regional_language_shows_as_its_language(self, client, personas):
        personas.sam.preferred_language = "es-MX"
        personas.sam.save(update_fields=["preferred_language"])
        client.force_login(personas.sam)
        assert '<option value="es" selected>' in client.get(PROFILE).content.decode()

    def test_unknown_time_zone_is_refused_and_nothing_changes(self, client, personas):
        client.force_login(personas.rivera)
        response = client.post(PROFILE, form_data(timezone="Mars/Olympus_Mons"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'aria-describedby="id_timezone_helptext id_timezone_error"' in html
        assert "is not one of the available choices" in html
        personas.rivera.refresh_from_db()
        assert personas.rivera.timezone == "America/Chicago"
        assert personas.rivera.preferred_name == ""

    def test_phone_with_letters_is_refused(self, client, personas):
        client.force_login(personas.rivera)
        response = client.post(PROFILE, form_data(phone="call me"))
        assert 'id="id_phone_error"' in response.content.decode()
        personas.rivera.refresh_from_db()
        assert personas.rivera.phone == "+1 555 0142"


@pytest.mark.django_db
class TestProfileUpdateService:
    def test_refuses_a_malformed_language_naming_the_field(self, personas):
        data = ProfileData(
            preferred_name="",
            pronouns="",
            preferred_language="not a code!",
            timezone="UTC",
            phone="",
        )
        with pytest.raises(ValidationError) as error:
            services.profile_update(user=personas.sam, data=data)
        assert "preferred_language" in error.value.message_dict
        personas.sam.refresh_from_db()
        assert personas.sam.preferred_language == "es"

    def test_refuses_an_unknown_time_zone_naming_the_field(self, personas):
        data = ProfileData(
            preferred_name="",
            pronouns="",
            preferred_language="es",
            timezone="Nowhere/Land",
            phone="",
        )
        with pytest.raises(ValidationError) as error:
            services.profile_update(user=personas.sam, data=data)
        assert "timezone" in error.value.message_dict

    def test_keeps_region_subtags(self, personas):
        data = ProfileData(
            preferred_name="", pronouns="", preferred_language="ES-MX", timezone="UTC", phone=""
        )
        user = services.profile_update(user=personas.sam, data=data)
        assert user.preferred_language == "es-MX"
        assert user.ui_language == "es"
