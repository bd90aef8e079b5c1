"""A calendar subscribed under two host names shows each event once: UIDs name the site
(``VILLAGE_SITE_DOMAIN``), not the host name a request used."""

from __future__ import annotations

import pytest
from django.test import Client

from village.calendar.tests.calendar_data import (
    assignment,
    feed_for,
    feed_path,
    in_english,
    read_events,
)

pytestmark = pytest.mark.django_db


def test_uids_are_the_same_under_every_host_name(personas, settings):
    settings.VILLAGE_SITE_DOMAIN = "village.example.org"
    settings.ALLOWED_HOSTS = ["village.example.org", "village-old.example.org"]
    in_english(personas.sam)
    assignment(personas.homeroom5, title="Essay: my summer")
    _feed, token = feed_for(personas.sam)
    uids = []
    for host in ("village.example.org", "village-old.example.org"):
        text = Client().get(feed_path(token), HTTP_HOST=host).content.decode()
        uids.append(sorted(event["UID"] for event in read_events(text)))
    assert uids[0] == uids[1]
    assert uids[0]
    assert all(uid.endswith("@village.example.org") for uid in uids[0])
