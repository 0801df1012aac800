"""Where a webhook may point: an http(s) URL whose host is on the public internet.

An admin types the URL, but Parley's server makes the request, from inside the
company's network: an endpoint at 127.0.0.1, 10.x, 169.254.169.254 (a cloud's metadata
service) or any other private address would let the admin page reach what the internet
cannot (server-side request forgery). So every address the host resolves to must be a
public one, checked when the URL is saved and again at each delivery, and the delivery
connects to the address that was checked (a name that resolves differently the second
time cannot slip a private address in). Redirects are never followed.

WEBHOOK_ALLOW_PRIVATE_ADDRESSES turns the address check off, for a receiver on the same
network (and the tests' receiver on 127.0.0.1); the scheme check stays.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

URL_MAX = 2000


class UnsafeAddress(ValueError):
    """The URL may not be a webhook endpoint; the message says why, for the admin."""


def check_url(url: str) -> str:
    """The URL, tidied, if it can be an endpoint's; UnsafeAddress saying why not."""
    url = (url or "").strip()
    if len(url) > URL_MAX:
        raise UnsafeAddress(f"That address is too long: at most {URL_MAX} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeAddress("That is not a web address, like https://example.com/hook.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeAddress("The address must start with https:// (or http://).")
    if not parts.hostname:
        raise UnsafeAddress("The address needs a host name, like https://example.com/hook.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeAddress(
            "Leave the user name and password out of the address: receivers check the "
            "signature instead."
        )
    if parts.fragment:
        raise UnsafeAddress("Leave out the #fragment: it is never sent.")
    if port == 0:
        raise UnsafeAddress("That port cannot be used.")
    return url


def public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, once every one
    it resolves to is public. UnsafeAddress if it resolves to none or to a private one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeAddress(f"The host name {host} could not be found.") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeAddress(f"The host name {host} could not be found.")
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]:
        for address in addresses:
            if not is_public(address):
                raise UnsafeAddress(
                    f"{host} is a private or local address ({address}): Parley only sends "
                    "webhooks to the public internet (WEBHOOK_ALLOW_PRIVATE_ADDRESSES "
                    "allows others)."
                )
    return addresses[0]


# IPv6 prefixes that carry an IPv4 address a gateway may forward to: that one counts.
_CARRIES_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_public(address: str) -> bool:
    """Whether an address is on the public internet (not loopback, private, link-local,
    shared, reserved, multicast...), an IPv4 one inside IPv6 judged as itself."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in net for net in _CARRIES_IPV4):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded.is_global and ip.is_global
    return ip.is_global


def check_endpoint_url(url: str) -> str:
    """check_url(), and the host must resolve to public addresses (unless allowed)."""
    url = check_url(url)
    parts = urlsplit(url)
    public_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return url
