"""Fetching a user-given URL without reaching into this machine or its network.

A URL upload makes the engine a client: left alone, any web page could have it fetch
``http://127.0.0.1:<port>/…`` or a router's admin page and learn from the answer which ports
answer. So before every connection — the first and each redirect hop — the host name is
resolved and every address it resolves to must be public: loopback, private, shared (CGNAT),
link-local, multicast, reserved and unspecified addresses are refused (``ipaddress``'s
classes; IPv4-mapped IPv6 addresses are judged as their IPv4 address). The connection then
goes to the address that was checked (the name stays in Host and TLS SNI), so a second DNS
answer cannot swap in an internal one. Proxies from the environment are not used: a proxy
would resolve names itself, past the check.

``NEMODESK_URL_UPLOAD_ALLOW`` (comma-separated IP addresses) is the explicit opt-in for
tests that fetch from their own loopback server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

ALLOW_ENV = "NEMODESK_URL_UPLOAD_ALLOW"
MAX_REDIRECTS = 5


class Refused(Exception):
    """The URL, or a hop it redirects to, is not a public http(s) address."""


def _allowed() -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    out = set()
    for item in os.environ.get(ALLOW_ENV, "").split(","):
        try:
            out.add(ipaddress.ip_address(item.strip()))
        except ValueError:
            continue
    return out


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


async def resolve_public(host: str, port: int) -> str:
    """The address to connect to for ``host``; Refused unless every address it resolves to
    is public (or opted in)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(host) from None
    allowed = _allowed()
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            raise Refused(host) from None
    if not addresses or any(not is_public(a) and a not in allowed for a in addresses):
        raise Refused(host)
    return str(addresses[0])


@asynccontextmanager
async def get(url: str, *, timeout_s: float) -> AsyncIterator[httpx.Response]:
    """GET ``url`` (streamed), following up to MAX_REDIRECTS redirects, each hop checked."""
    async with httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=timeout_s
    ) as http:
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            if target.scheme not in ("http", "https") or not target.host:
                raise Refused(str(target))
            address = await resolve_public(
                target.host, target.port or (443 if target.scheme == "https" else 80)
            )
            request = http.build_request(
                "GET",
                target.copy_with(host=address),
                headers={"Host": target.netloc.decode("ascii")},
                extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
            )
            response = await http.send(request, stream=True)
            if response.is_redirect and "location" in response.headers:
                await response.aclose()
                target = target.join(response.headers["location"])
                continue
            try:
                yield response
            finally:
                await response.aclose()
            return
        raise Refused("too many redirects")
