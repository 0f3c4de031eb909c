"""Webhook receivers (`shared.outbound`): never a link-local address such as the cloud
metadata service, only listed receivers in production, checked on the addresses a name
resolves to at the moment of delivery."""

from __future__ import annotations

import pytest

from shared.outbound import DestinationRefused, check_destination


def resolver(table):
    def resolve(host):
        if host not in table:
            raise DestinationRefused(f"{host} does not resolve")
        return table[host]
    return resolve


DNS = resolver({"hr-events.bank.internal": ["10.20.1.5"], "evil.example": ["169.254.169.254"],
                "partner.example": ["203.0.113.9"], "localhost": ["127.0.0.1", "::1"]})


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://evil.example/x",
    "http://[::ffff:169.254.169.254]/x", "http://[2002:a9fe:a9fe::1]/x",
    "http://100.100.100.200/latest/meta-data/", "http://[fd00:ec2::254]/x",
    "http://evil.example\\@hr-events.bank.internal/x", "http://user@hr-events.bank.internal/x",
    "http://hr-events.bank.internal/a b",
    "http://224.0.0.1/x", "http://0.0.0.0/x", "ftp://hr-events.bank.internal/x", "http:///x"])
def test_never_link_local_multicast_unspecified_or_not_http(url):
    with pytest.raises(DestinationRefused):
        check_destination(url, allowed=[], production=False, resolver=DNS)
    with pytest.raises(DestinationRefused):
        check_destination(url, allowed=["*"], production=True, resolver=DNS)


def test_development_allows_other_addresses_production_none_until_listed():
    check_destination("http://localhost:9000/hook", allowed=[], production=False, resolver=DNS)
    with pytest.raises(DestinationRefused, match="HR_WEBHOOK_HOSTS"):
        check_destination("https://hr-events.bank.internal/leave", allowed=[], production=True,
                          resolver=DNS)


@pytest.mark.parametrize(("entry", "url", "ok"), [
    ("hr-events.bank.internal", "https://hr-events.bank.internal/leave", True),
    ("*.bank.internal", "https://hr-events.bank.internal/leave", True),
    ("10.20.0.0/16", "https://hr-events.bank.internal/leave", True),
    ("10.20.0.0/16", "https://partner.example/leave", False),
    ("*.bank.internal", "https://partner.example/leave", False),
    ("*.bank.internal", "https://localhost/leave", False),
])
def test_listed_receivers_match_by_name_pattern_or_range(entry, url, ok):
    if ok:
        check_destination(url, allowed=[entry], production=True, resolver=DNS)
    else:
        with pytest.raises(DestinationRefused):
            check_destination(url, allowed=[entry], production=True, resolver=DNS)


def test_a_name_that_does_not_resolve_is_judged_by_name_until_delivery():
    check_destination("https://new.bank.internal/x", allowed=["*.bank.internal"],
                      production=True, resolver=DNS)
    with pytest.raises(DestinationRefused, match="does not resolve"):
        check_destination("https://new.bank.internal/x", allowed=["*.bank.internal"],
                          production=True, resolver=DNS, must_resolve=True)


def test_a_listed_name_re_pointed_at_the_metadata_service_is_refused():
    repointed = resolver({"hr-events.bank.internal": ["169.254.169.254"]})
    with pytest.raises(DestinationRefused, match="never receives"):
        check_destination("https://hr-events.bank.internal/leave",
                          allowed=["*.bank.internal"], production=True, resolver=repointed)
