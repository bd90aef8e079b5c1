from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.test import Client

from village.accounts.tests.helpers import html_body
from village.demo.personas import DEMO_PASSWORD

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "river-otters-swim-2026"


def reset_path(message) -> str:
    match = re.search(
        r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def set_new_password(client: Client, path: str, password: str = NEW_PASSWORD):
    form_page = client.get(path, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    return client.post(set_password_url, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db
class TestPasswordReset:
    def test_reset_email_links_to_a_page_that_sets_the_password(self, client, personas):
        response = client.post(RESET, {"email": personas.rivera.email})
        assert response.status_code == 302
        assert response.url == "/accounts/password/reset/sent/"
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [personas.rivera.email]
        assert message.subject == "Choose a new Village password"
        assert "Your username is rivera." in message.body
        assert 'lang="en"' in html_body(message)

        done = set_new_password(client, reset_path(message))
        assert done.status_code == 302
        assert done.url == "/accounts/password/reset/complete/"
        personas.rivera.refresh_from_db()
        assert personas.rivera.check_password(NEW_PASSWORD)

    def test_unknown_address_gets_the_same_answer_and_no_email(self, client, personas):
        known = client.post(RESET, {"email": personas.rivera.email})
        unknown = client.post(RESET, {"email": "nobody@nowhere.example"})
        assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
        assert len(mail.outbox) == 1

    def test_done_page_does_not_say_whether_the_address_exists(self, client):
        html = client.get("/accounts/password/reset/sent/").content.decode()
        assert "If an account uses the address you entered" in html

    def test_email_is_written_in_the_recipients_language(self, client, personas):
        client.post(RESET, {"email": personas.sam.email})
        assert 'lang="es"' in html_body(mail.outbox[0])

    def test_link_works_only_once(self, client, personas):
        client.post(RESET, {"email": personas.rivera.email})
        path = reset_path(mail.outbox[0])
        set_new_password(client, path)
        again = Client().get(path, follow=True)
        assert "This link no longer works" in again.content.decode()

    def test_weak_password_is_refused_and_nothing_changes(self, client, personas):
        client.post(RESET, {"email": personas.rivera.email})
        response = set_new_password(client, reset_path(mail.outbox[0]), password="12345")
        assert response.status_code == 200
        assert 'id="id_new_password2_error"' in response.content.decode()
        personas.rivera.refresh_from_db()
        assert personas.rivera.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
class TestPasswordChange:
    def test_requires_sign_in(self, client):
        response = client.get("/accounts/password/change/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")

    def test_changes_the_password_and_keeps_the_user_signed_in(self, client, personas):
        client.force_login(personas.chen)
        response = client.post(
            "/accounts/password/change/",
            {
                "old_password": DEMO_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response.url == "/accounts/profile/"
        personas.chen.refresh_from_db()
        assert personas.chen.check_password(NEW_PASSWORD)
        assert client.get("/accounts/profile/").status_code == 200

    def test_wrong_old_password_changes_nothing(self, client, personas):
        client.force_login(personas.chen)
        response = client.post(
            "/accounts/password/change/",
            {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert 'aria-describedby="id_old_password_error"' in response.content.decode()
        personas.chen.refresh_from_db()
        assert personas.chen.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
class TestThrottle:
    """At most 3 reset emails an hour to one address and 10 from one client; the page answers
    the same whatever happens, so it tells nobody whether an account exists."""

    def ask(self, email: str, ip: str = "203.0.113.7"):
        return Client().post(RESET, {"email": email}, REMOTE_ADDR=ip)

    def test_a_fourth_request_for_one_address_in_an_hour_sends_nothing(self, personas):
        for number in range(4):
            response = self.ask(personas.rivera.email, ip=f"203.0.113.{number}")
            assert response.status_code == 302
            assert response.url == "/accounts/password/reset/sent/"
        assert [m.to for m in mail.outbox] == [[personas.rivera.email]] * 3

    def test_the_address_is_counted_whatever_its_case(self, personas):
        for variant in (
            "rivera@staff.village.test",
            "RIVERA@staff.village.test",
            " Rivera@Staff.village.test",
        ):
            self.ask(variant)
        self.ask(personas.rivera.email)
        assert len(mail.outbox) == 3

    def test_one_client_gets_at_most_ten_sent_in_an_hour(self, personas):
        people = ["rivera", "chen", "sam", "jordan", "nguyen", "priya", "park", "olga", "eve"]
        addresses = [getattr(personas, name).email for name in people] * 2
        for email in addresses:
            assert self.ask(email, ip="198.51.100.9").status_code == 302
        assert len(mail.outbox) == 10

    def test_unknown_addresses_count_too_and_the_answer_is_the_same(self, personas):
        answers = {self.ask("nobody@nowhere.test", ip="198.51.100.9").url for _n in range(10)}
        assert answers == {"/accounts/password/reset/sent/"}
        assert self.ask(personas.rivera.email, ip="198.51.100.9").url == answers.pop()
        assert not mail.outbox

    def test_another_client_and_another_address_are_not_held_back(self, personas):
        for _n in range(4):
            self.ask(personas.rivera.email)
        self.ask(personas.chen.email, ip="198.51.100.20")
        assert mail.outbox[-1].to == [personas.chen.email]

    def test_the_limits_come_from_settings(self, settings, personas):
        settings.VILLAGE_PASSWORD_RESET_PER_EMAIL = 1
        self.ask(personas.rivera.email)
        self.ask(personas.rivera.email)
        assert len(mail.outbox) == 1

    def test_an_hour_later_the_address_may_ask_again(self, personas):
        import time_machine
        from django.utils import timezone

        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _n in range(4):
                self.ask(personas.rivera.email)
            clock.shift(3601)
            self.ask(personas.rivera.email)
        assert len(mail.outbox) == 4

    def test_addresses_of_one_ipv6_slash_64_count_as_one_client(self, personas):
        people = ["rivera", "chen", "sam", "jordan", "nguyen", "priya", "park", "olga", "eve"]
        addresses = [getattr(personas, name).email for name in people] * 2
        for number, email in enumerate(addresses):
            self.ask(email, ip=f"2001:db8:9:9::{number + 1:x}")
        assert len(mail.outbox) == 10
        self.ask(personas.rivera.email, ip="2001:db8:9:a::1")
        assert len(mail.outbox) == 11


@pytest.fixture
def file_counters(settings, tmp_path):
    """The throttle cache as Village configures it out of the box: files, in this test's own
    directory."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            **settings.CACHES["throttle"],  # the configured lifetime: only where it is kept changes
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "throttle"),
        },
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("file_counters")
class TestThrottleWindow:
    """The limits count per clock hour, with the file cache Village uses out of the box."""

    def ask_at(self, clock, minute: int, email: str) -> None:
        clock.move_to(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minute))
        Client().post(RESET, {"email": email}, REMOTE_ADDR="203.0.113.7")

    def test_a_fourth_request_is_refused_all_hour_and_allowed_the_next(self, personas):
        import time_machine

        email = personas.rivera.email
        with time_machine.travel(
            dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC), tick=False
        ) as clock:
            for _n in range(3):
                self.ask_at(clock, 0, email)
            assert len(mail.outbox) == 3
            self.ask_at(clock, 6, email)
            assert len(mail.outbox) == 3
            self.ask_at(clock, 59, email)
            assert len(mail.outbox) == 3
            self.ask_at(clock, 61, email)
            assert len(mail.outbox) == 4

    def test_the_per_client_limit_holds_all_hour_too(self, settings, personas):
        import time_machine

        settings.VILLAGE_PASSWORD_RESET_PER_CLIENT = 2
        with time_machine.travel(
            dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC), tick=False
        ) as clock:
            self.ask_at(clock, 0, personas.rivera.email)
            self.ask_at(clock, 0, personas.chen.email)
            self.ask_at(clock, 30, personas.sam.email)
            assert len(mail.outbox) == 2
            self.ask_at(clock, 60, personas.sam.email)
            assert len(mail.outbox) == 3


def test_requests_counted_at_the_same_moment_are_all_counted(monkeypatch, file_counters):
    """The file cache reads a counter and writes it back; requests served side by side must
    not both write the same count."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import caches
    from django.core.cache.backends.filebased import FileBasedCache

    from village.accounts import services

    assert isinstance(caches["throttle"], FileBasedCache)
    read = FileBasedCache.get

    def slow_get(self, *args, **kwargs):
        value = read(self, *args, **kwargs)
        time.sleep(0.02)  # another request reads the same count meanwhile
        return value

    monkeypatch.setattr(FileBasedCache, "get", slow_get)
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _n: services.count_in_window("side-by-side"), range(16)))
    assert sorted(counts) == list(range(1, 17))
