"""Behind Caddy, the client's address is the one Caddy received the request from (config/wsgi.py), so
the sign-in lockout, the rate limits and the audit trail count each client apart, not the proxy."""

import importlib

from config.wsgi import behind_proxies


def seen_address(app_hops: int, environ: dict) -> str:
    seen = {}

    def inner(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        start_response("200 OK", [])
        return [b""]

    app = behind_proxies(inner, app_hops)
    app({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http", "SERVER_NAME": "web",
         "SERVER_PORT": "8000", **environ}, lambda *a: None)
    return seen["addr"]


CADDY = "172.18.0.9"


def test_behind_one_proxy_the_address_is_the_client_the_proxy_saw():
    assert seen_address(1, {"REMOTE_ADDR": CADDY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}) == "203.0.113.7"


def test_an_address_a_client_puts_in_the_header_itself_is_not_believed():
    # the client sent "X-Forwarded-For: 127.0.0.1"; a proxy that appends puts the real one last
    header = "127.0.0.1, 203.0.113.7"
    assert seen_address(1, {"REMOTE_ADDR": CADDY, "HTTP_X_FORWARDED_FOR": header}) == "203.0.113.7"


def test_with_no_proxy_trusted_the_header_changes_nothing():
    assert seen_address(0, {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}) == "203.0.113.7"


def test_a_request_without_the_header_keeps_its_address():
    """Prometheus and the healthcheck reach web directly, without the proxy."""
    assert seen_address(1, {"REMOTE_ADDR": "172.18.0.4"}) == "172.18.0.4"


def test_the_wsgi_application_follows_the_setting(settings):
    import config.wsgi

    try:
        settings.TRUSTED_PROXY_HOPS = 1
        assert importlib.reload(config.wsgi).application.__class__.__name__ == "ProxyFix"
        settings.TRUSTED_PROXY_HOPS = 0
        assert importlib.reload(config.wsgi).application.__class__.__name__ == "WSGIHandler"
    finally:
        importlib.reload(config.wsgi)


def test_the_container_stack_trusts_exactly_caddy():
    import yaml
    from django.conf import settings

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["environment"]
    assert web["ROSTER_TRUSTED_PROXIES"] == "${ROSTER_TRUSTED_PROXIES:-1}"
    assert "reverse_proxy web:8000" in (settings.BASE_DIR / "deploy" / "Caddyfile").read_text()
