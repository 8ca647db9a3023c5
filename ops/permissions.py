"""Who may read /metrics: a client address in ROSTER_METRICS_ALLOWED_IPS (addresses or networks,
e.g. "10.0.0.0/8"), reached directly, or a caller presenting ROSTER_METRICS_TOKEN as a bearer token.

A request that came through a reverse proxy (it carries X-Forwarded-For or Forwarded) is never let
in by address: the proxy's own address may be in an allowed network, the client's is unknown."""

import hmac
import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _networks(values) -> list:
    networks = []
    for value in values or ():
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            logger.warning("ROSTER_METRICS_ALLOWED_IPS: not an address or network: %r", value)
    return networks


def address_allowed(request) -> bool:
    if any(request.META.get(h) for h in PROXY_HEADERS):
        return False
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if getattr(client, "ipv4_mapped", None):
        client = client.ipv4_mapped
    return any(client in network for network in _networks(settings.ROSTER_METRICS_ALLOWED_IPS))


def token_allowed(request) -> bool:
    token = getattr(settings, "ROSTER_METRICS_TOKEN", "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def can_read_metrics(request) -> bool:
    return bool(getattr(settings, "ROSTER_METRICS_ENABLED", False)) and (
        token_allowed(request) or address_allowed(request)
    )
