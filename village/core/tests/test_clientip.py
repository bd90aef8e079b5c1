"""The client's address: REMOTE_ADDR unless a trusted proxy says otherwise, and nobody outside
the trusted proxies chooses their own address with X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from village.core.clientip import UNKNOWN_CLIENT, client_key
from village.core.env import env_networks


def request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    built = RequestFactory().get("/")
    built.META.update(headers)
    return built


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.VILLAGE_TRUSTED_PROXIES = []
    assert client_key(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_used(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_key(request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"


def test_a_client_behind_the_proxy_cannot_choose_its_address(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    # The client wrote "1.2.3.4"; the proxy appended the address it really came from.
    assert client_key(request("10.0.0.2", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"


def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("203.0.113.7", "10.0.0.2, 1.2.3.4")) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    forwarded = "9.9.9.9, 203.0.113.7, 10.1.1.1, fd00::5"
    assert client_key(request("10.0.0.2", forwarded)) == "203.0.113.7"


def test_garbage_in_the_header_is_not_believed(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("10.0.0.2", "203.0.113.7, not-an-address")) == "10.0.0.2"
    assert client_key(request("10.0.0.2")) == "10.0.0.2"


def test_a_bad_setting_fails_loudly(monkeypatch):
    monkeypatch.setenv("VILLAGE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match="VILLAGE_TRUSTED_PROXIES"):
        env_networks("VILLAGE_TRUSTED_PROXIES")
    monkeypatch.setenv("VILLAGE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, fd00::/8")
    assert env_networks("VILLAGE_TRUSTED_PROXIES") == ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]


# --- what the proxy may write ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.5:4711", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::"),  # an IPv6 client counts as its /64
        ("[2001:db8::1]", "2001:db8::"),
        ("9.9.9.9, 203.0.113.5:4711", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("203.0.113.5, ", "203.0.113.5"),
    ],
)
def test_ports_and_mapped_addresses_written_by_the_proxy_are_understood(
    settings, forwarded, client
):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("10.0.0.2", forwarded)) == client


def test_a_proxy_connecting_over_ipv6_with_its_ipv4_address_is_recognised(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("::ffff:10.0.0.2", "203.0.113.5")) == "203.0.113.5"


def test_an_empty_header_is_no_header(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("10.0.0.2", "")) == client_key(request("10.0.0.2")) == "10.0.0.2"


# --- the key rate limits count by ------------------------------------------------------------


def test_an_ipv6_client_is_its_slash_64(settings):
    settings.VILLAGE_TRUSTED_PROXIES = []
    one = client_key(request("2001:db8:1:2::1"))
    assert one == "2001:db8:1:2::"
    assert client_key(request("2001:db8:1:2:ffff:ffff:ffff:fffe")) == one
    assert client_key(request("2001:db8:1:3::1")) != one


def test_an_ipv4_client_is_its_own_address(settings):
    settings.VILLAGE_TRUSTED_PROXIES = []
    assert client_key(request("203.0.113.5")) == "203.0.113.5"
    assert client_key(request("203.0.113.6")) == "203.0.113.6"
    assert client_key(request("::ffff:203.0.113.5")) == "203.0.113.5"


def test_the_key_of_a_forwarded_ipv6_client_is_its_slash_64(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_key(request("10.0.0.2", "[2001:db8:0:7::99]:443")) == "2001:db8:0:7::"


@pytest.mark.parametrize("remote", ["", "unix:/run/village.sock", "not-an-address"])
def test_a_client_without_an_address_still_gets_a_shared_key(settings, remote):
    settings.VILLAGE_TRUSTED_PROXIES = []
    assert client_key(request(remote)) == UNKNOWN_CLIENT
    assert client_key(request(remote)) != client_key(request("203.0.113.5"))


# --- the system check ------------------------------------------------------------------------


def trusted_proxy_warnings():
    return [message for message in checks.run_checks() if message.id == "village.W001"]


@pytest.mark.parametrize("network", ["0.0.0.0/0", "10.0.0.0/8", "::/0", "2001:db8::/32"])
def test_trusting_a_huge_network_is_warned_about(settings, network):
    settings.VILLAGE_TRUSTED_PROXIES = ["127.0.0.1", network]
    warnings = trusted_proxy_warnings()
    assert len(warnings) == 1
    assert network in warnings[0].msg
    assert warnings[0].level == checks.WARNING


def test_trusting_the_proxies_themselves_is_not_warned_about(settings):
    settings.VILLAGE_TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16", "fd00:1:2::/48"]
    assert trusted_proxy_warnings() == []
