"""The floor: a bare WSGI app (no Django) that runs one raw SQL query for 25 rows and writes them as
an HTML table. `manage.py bench_pages --full` serves it with gunicorn, with the same number of
workers as the app, in the same run: a page cannot be served faster than this on this machine,
with this database, so each page's rate reads as a percentage of it.

    BENCH_FLOOR_DSN=postgres://... gunicorn -w 2 bench.floor:app

One connection per worker process, opened on the first request and kept (autocommit). With
`?connect=1` each request opens and closes its own connection instead, as Django does with
CONN_MAX_AGE=0 (production's default): the difference is what a connection costs.
"""

import html
import os

import psycopg

QUERY = (
    "SELECT id, reference, title_en, status, closes_at FROM missions_bulletin "
    "ORDER BY id DESC LIMIT 25"
)
_connection = None


def rows(*, fresh=False):
    global _connection
    if fresh:
        with psycopg.connect(os.environ["BENCH_FLOOR_DSN"], autocommit=True) as connection:
            return connection.execute(QUERY).fetchall()
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_FLOOR_DSN"], autocommit=True)
    with _connection.cursor() as cursor:
        cursor.execute(QUERY)
        return cursor.fetchall()


def page(records) -> bytes:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in record) + "</tr>" for record in records
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head><body>'
        "<table><thead><tr><th>id</th><th>reference</th><th>title</th><th>status</th><th>closes</th></tr></thead>"
        f"<tbody>{cells}</tbody></table></body></html>"
    ).encode()


def app(environ, start_response):
    body = page(rows(fresh="connect=1" in environ.get("QUERY_STRING", "")))
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
