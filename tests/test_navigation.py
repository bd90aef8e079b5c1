"""The navigation: a row of links and an account menu on wide screens, a "Menu" disclosure on
phones that works without JavaScript; both offer the same links."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def header_of(client, user) -> str:
    user.refresh_from_db(fields=["password"])
    client.force_login(user)
    return client.get("/").content.decode().split("</header>", 1)[0]


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


def test_the_phone_menu_is_a_details_disclosure_with_the_same_links(client, personas):
    header = header_of(client, personas.sam)
    wide = header.split('class="main-nav nav-wide"', 1)[1].split("</nav>", 1)[0]
    menu = header.split('<details class="nav-compact">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Menú</summary>" in menu  # Sam reads Village in Spanish
    account = header.split('<details class="account-menu nav-wide">', 1)[1].split("</details>", 1)[
        0
    ]
    # On wide screens Profile sits in the account menu, behind Sam's name, with Sign out.
    assert links(wide) + links(account) == links(menu)
    assert links(account) == ["/accounts/profile/"]
    assert "Sam Okoye</summary>" in account
    assert "Cerrar sesión" in account
    assert links(menu) == [
        "/",
        "/family/calendar/",
        "/families/pair/",
        "/messages/",
        "/announcements/",
        "/accounts/profile/",
    ]
    assert "Cerrar sesión" in menu
    assert "<script" not in menu


def test_a_students_menu_in_english(client, personas):
    header = header_of(client, personas.ada)
    menu = header.split('<details class="nav-compact">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Menu</summary>" in menu
    assert "/work/" in links(menu)


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client):
    from django.contrib.staticfiles import finders

    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/village/img/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/village/img/favicon.svg"
    icon = finders.find("village/img/favicon.svg")
    assert icon
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")
