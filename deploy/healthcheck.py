"""The web container's healthcheck (docker-compose.yml): GET /healthz from gunicorn, with a Host header
that the production settings accept (the first usable entry of ALLOWED_HOSTS; Django answers 400 to
any other). Exits 0 on a 200, 1 otherwise (an error, a redirect to HTTPS, a timeout)."""

import os
import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/healthz"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer other than 200: unhealthy


def host_header(allowed_hosts: str) -> str:
    """The first entry of ALLOWED_HOSTS that names a host ('.example.org' stands for example.org)."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check(url: str = URL, allowed_hosts: str | None = None, timeout: float = 8.0) -> bool:
    if allowed_hosts is None:
        allowed_hosts = os.environ.get("ALLOWED_HOSTS", "")
    request = urllib.request.Request(url, headers={"Host": host_header(allowed_hosts)})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return False


if __name__ == "__main__":
    sys.exit(0 if check(os.environ.get("HEALTHCHECK_URL", URL)) else 1)
