"""The floor's page through Django alone: the same raw SQL query for the same 25 rows, through Django's
database connection, written as the same HTML table by a Django template; no middleware, no app, no
session, no ORM. `manage.py bench_pages --full` serves it with gunicorn beside the floor (bench/floor.py),
in the same run: what Django's request handling and template engine cost for the floor's page, before
anything of the app's. The app's pages can only be slower.

    BENCH_FLOOR_DSN=postgres://... gunicorn -w 2 bench.django_floor:app

The database connection is configured as the app's: kept between requests (CONN_MAX_AGE, with health
checks), JIT off and server-side prepared statements (config.settings.base).
"""

import os
import secrets

from django.template import Context, Engine

from .floor import QUERY

# bench.floor.page's table, as a Django template (the values escaped by the engine, as html.escape does there)
TEMPLATE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head><body>'
    "<table><thead><tr><th>id</th><th>reference</th><th>title</th><th>status</th><th>closes</th></tr></thead>"
    "<tbody>{% for record in records %}<tr>{% for value in record %}<td>{{ value|stringformat:'s' }}</td>"
    "{% endfor %}</tr>{% endfor %}</tbody></table></body></html>"
)
_template = None


def table(records) -> str:
    """The floor's page for `records`, rendered by Django's template engine."""
    global _template
    if _template is None:
        _template = Engine().from_string(TEMPLATE)
    return _template.render(Context({"records": records}))


def settings_for(dsn: str) -> dict:
    """The least Django needs to serve the page: one URL, no middleware, no app; the database as the app
    has it."""
    import environ

    database = environ.Env.db_url_config(dsn)
    database.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True, OPTIONS={
        "options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 5,
    })
    return {
        "DEBUG": False, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "ROOT_URLCONF": __name__, "MIDDLEWARE": [], "INSTALLED_APPS": [], "DATABASES": {"default": database},
        "USE_TZ": True, "LOGGING_CONFIG": None,
    }


def page(request):
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute(QUERY)
        records = cursor.fetchall()
    return HttpResponse(table(records))


urlpatterns = []


def build_app(dsn: str):
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    settings.configure(**settings_for(dsn))
    urlpatterns.append(path("", page))
    return get_wsgi_application()


def __getattr__(name):
    """`app`, built on first use (by gunicorn), so that importing this module configures nothing."""
    if name == "app":
        globals()["app"] = application = build_app(os.environ["BENCH_FLOOR_DSN"])
        return application
    raise AttributeError(name)
