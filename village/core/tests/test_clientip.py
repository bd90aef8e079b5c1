"""The client's address: REMOTE_ADDR unless a trusted proxy says otherwise, and nobody outside
the trusted proxies chooses their own address with X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from village.core.clientip import client_ip


def request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    built = RequestFactory().get("/")
    built.META.update(headers)
    return built


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.VILLAGE_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_used(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"


def test_a_client_behind_the_proxy_cannot_choose_its_address(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    # The client wrote "1.2.3.4"; the proxy appended the address it really came from.
    assert client_ip(request("10.0.0.2", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"


def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request("203.0.113.7", "10.0.0.2, 1.2.3.4")) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    forwarded = "9.9.9.9, 203.0.113.7, 10.1.1.1, fd00::5"
    assert client_ip(request("10.0.0.2", forwarded)) == "203.0.113.7"


def test_garbage_in_the_header_is_not_believed(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request("10.0.0.2", "203.0.113.7, not-an-address")) == "10.0.0.2"
    assert client_ip(request("10.0.0.2")) == "10.0.0.2"


def test_a_bad_setting_fails_loudly(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="VILLAGE_TRUSTED_PROXIES"):
        client_ip(request("10.0.0.2", "203.0.113.7"))
