import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def behind_proxies(app, hops: int):
    """`app` with REMOTE_ADDR taken from X-Forwarded-For, `hops` entries from its end (Werkzeug's
    ProxyFix), when `hops` reverse proxies stand in front of it and each appends the address it
    received the request from. Only the address: X-Forwarded-Proto is read by Django itself
    (SECURE_PROXY_SSL_HEADER). With 0, the header is ignored and a client cannot choose its address."""
    if hops <= 0:
        return app
    from werkzeug.middleware.proxy_fix import ProxyFix

    return ProxyFix(app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)


def build():
    from django.conf import settings

    return behind_proxies(get_wsgi_application(), settings.TRUSTED_PROXY_HOPS)


application = build()
