"""Requests are counted per API token (per login for the session, per address for anonymous
callers), with the rates in settings.ROSTER: API_RATE and API_ANON_RATE ("300/min" and the like).
The counts live in the cache (Redis in production, shared by every web process)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import token_of


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.ROSTER["API_RATE"]

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        self.rate = settings.ROSTER["API_RATE"] if signed_in else settings.ROSTER["API_ANON_RATE"]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = token_of(request)
        if token is not None:
            ident = f"token:{token.pk}"
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return f"throttle_api_{ident}"
