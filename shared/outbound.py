"""Where a service may send a request someone else chose: webhook receivers.

A webhook URL is typed in by an HR user; without a rule the service would POST wherever it
says — the cloud metadata address, the database's admin port, another service's internal
route (server-side request forgery). The rule, checked when the URL is registered and
again, on the resolved addresses, before every delivery (a name can be re-pointed after it
was accepted):

- never link-local (169.254.0.0/16 — the metadata services —, fe80::/10), multicast,
  unspecified or reserved addresses;
- `HR_WEBHOOK_HOSTS` (comma-separated: `hr-events.bank.internal`, `*.bank.internal`,
  `10.20.0.0/16`) lists where receivers may be; a host must match one entry by name or by
  every address it resolves to;
- unset, development allows any other address (so `make run` and the tests can use a local
  receiver), and production allows none: an operator lists the receivers.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Resolver = Callable[[str], list[str]]


class DestinationRefused(ValueError):
    """The URL may not receive this service's requests; the message says why."""


def resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DestinationRefused(f"{host} does not resolve") from exc
    return sorted({info[4][0] for info in infos})


def _never(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:169.254.169.254 is the same
    if mapped is not None:
        return _never(mapped)
    if address.is_loopback:  # ::1 sits inside IPv6's reserved ::/8; loopback is its own rule
        return False
    return (address.is_link_local or address.is_multicast or address.is_unspecified
            or address.is_reserved)


def check_destination(url: str, *, allowed: Iterable[str], production: bool,
                      resolver: Resolver = resolve, must_resolve: bool = False) -> None:
    """Raise `DestinationRefused` unless `url` may receive requests (see the module).

    A name that does not resolve now is judged by name alone at registration (DNS may be
    down for a moment); before a delivery (`must_resolve`) it is refused."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise DestinationRefused("Only http(s) URLs with a host can receive webhooks.")
    entries = [e.strip().lower() for e in allowed if e.strip()]
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host)]
        except DestinationRefused:
            if must_resolve:
                raise
            addresses = []
    for address in addresses:
        if _never(address):
            raise DestinationRefused(f"{host} resolves to {address}, which never receives "
                                     "webhooks (link-local, multicast or reserved).")
    if not entries:
        if production:
            raise DestinationRefused("No webhook receivers are allowed: the operator lists "
                                     "them in HR_WEBHOOK_HOSTS.")
        return
    if any(not _is_network(e) and fnmatch.fnmatchcase(host, e) for e in entries):
        return
    networks = [ipaddress.ip_network(e, strict=False) for e in entries if _is_network(e)]
    if addresses and networks and all(any(a in n for n in networks) for a in addresses):
        return
    raise DestinationRefused(f"{host} is not among the allowed webhook receivers "
                             "(HR_WEBHOOK_HOSTS).")


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True
