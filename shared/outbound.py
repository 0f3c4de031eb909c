"""Where a service may send a request someone else chose: webhook receivers.

A webhook URL is typed in by an HR user; without a rule the service would POST wherever it
says — the cloud metadata address, the database's admin port, another service's internal
route (server-side request forgery). The rule, checked when the URL is registered and
again, on the resolved addresses, before every delivery (a name can be re-pointed after it
was accepted):

- never link-local (169.254.0.0/16 — most clouds' metadata services —, fe80::/10), the
  other known metadata addresses (100.100.100.200, fd00:ec2::254), multicast, unspecified
  or reserved addresses, also when wrapped (IPv4-mapped, 6to4, Teredo);
- no user-info (`user@host`) or backslash in the URL, which parsers read differently;
- `HR_WEBHOOK_HOSTS` (comma-separated: `hr-events.bank.internal`, `*.bank.internal`,
  `10.20.0.0/16`) lists where receivers may be; a host must match one entry by name or by
  every address it resolves to;
- unset, development allows any other address (so `make run` and the tests can use a local
  receiver), and production allows none: an operator lists the receivers.

`post_pinned` delivers to the very address it checked (resolving once, connecting to that
address, with the URL's host name for `Host` and TLS): a name that answers an allowed address
to the check and another to the connection (DNS rebinding) cannot move the request.
"""

from __future__ import annotations

import fnmatch
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any
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


#: Metadata services outside link-local: Alibaba Cloud's, AWS's IPv6 one.
METADATA = (ipaddress.ip_network("100.100.100.200/32"), ipaddress.ip_network("fd00:ec2::254/128"))


def _never(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.version == 6:
        teredo = address.teredo
        for wrapped in (address.ipv4_mapped, address.sixtofour, teredo[1] if teredo else None):
            if wrapped is not None and _never(wrapped):
                return True
    if any(address in network for network in METADATA):
        return True
    if address.is_loopback:  # ::1 sits inside IPv6's reserved ::/8; loopback is its own rule
        return False
    return (address.is_link_local or address.is_multicast or address.is_unspecified
            or address.is_reserved)


def check_destination(url: str, *, allowed: Iterable[str], production: bool,
                      resolver: Resolver = resolve, must_resolve: bool = False) -> list[str]:
    """The addresses `url`'s host has now, once checked; `DestinationRefused` unless `url`
    may receive requests (see the module).

    A name that does not resolve now is judged by name alone at registration (DNS may be
    down for a moment); before a delivery (`must_resolve`) it is refused."""
    if "\\" in url or any(ord(c) < 33 for c in url):
        raise DestinationRefused("A webhook URL may not hold backslashes, spaces or controls.")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise DestinationRefused("Only http(s) URLs with a host can receive webhooks.")
    if "@" in parts.netloc:
        raise DestinationRefused("A webhook URL may not carry user-info (user@host).")
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
    found = [str(a) for a in addresses]
    if not entries:
        if production:
            raise DestinationRefused("No webhook receivers are allowed: the operator lists "
                                     "them in HR_WEBHOOK_HOSTS.")
        return found
    if any(not _is_network(e) and fnmatch.fnmatchcase(host, e) for e in entries):
        return found
    networks = [ipaddress.ip_network(e, strict=False) for e in entries if _is_network(e)]
    if addresses and networks and all(any(a in n for n in networks) for a in addresses):
        return found
    raise DestinationRefused(f"{host} is not among the allowed webhook receivers "
                             "(HR_WEBHOOK_HOSTS).")


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


def post_pinned(url: str, body: bytes, headers: dict[str, str], *, allowed: Iterable[str],
                production: bool, timeout: float = 3.0, resolver: Resolver = resolve) -> int:
    """POST `body` to `url` at an address just checked, and only there; the HTTP status.
    Raises `DestinationRefused` (not allowed) or `OSError` (unreachable, timed out)."""
    address = check_destination(url, allowed=allowed, production=production,
                                resolver=resolver, must_resolve=True)[0]
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    # The connection goes to the checked address; TLS and Host still name the URL's host.
    conn._create_connection = (  # type: ignore[attr-defined]
        lambda _addr, timeout=timeout, source_address=None: socket.create_connection(
            (address, port), timeout, source_address))
    try:
        conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                     body=body, headers=headers)
        return conn.getresponse().status
    except (http.client.HTTPException, ssl.SSLError) as exc:
        raise OSError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()


def check_receiver(url: str, settings: Any, **kw: Any) -> list[str]:
    """`check_destination` under a service's settings (`HR_WEBHOOK_HOSTS`, `HR_ENV`)."""
    return check_destination(url, allowed=settings.webhook_hosts,
                             production=settings.is_production, **kw)


def post_to_receiver(url: str, body: bytes, headers: dict[str, str], settings: Any, *,
                     timeout: float = 3.0, resolver: Resolver = resolve) -> int:
    """`post_pinned` under a service's settings."""
    return post_pinned(url, body, headers, allowed=settings.webhook_hosts,
                       production=settings.is_production, timeout=timeout, resolver=resolver)
