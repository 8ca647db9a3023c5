# The production image (docker-compose.yml builds it once, as roster:local, and runs web, worker, beat
# and the one-shot migrate from it). Two stages:
# - builder: the locked dependencies (requirements.lock, with hashes; `make lock` regenerates it from
#   pyproject.toml) installed into a virtualenv, in a layer that changes only with the lock; then the
#   code (.dockerignore keeps out .venv, var/, .git, .env and test output) and collectstatic;
# - runtime: python slim with the virtualenv and the code copied in, no pip cache, no build files,
#   running as the non-root user roster.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, from the lock alone: code changes reuse this layer.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps --only-binary=:all: -r requirements.lock
# Then the code, and the static files collected once, at build (hashed names for whitenoise).
COPY . .
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    STATIC_ROOT=/app/staticfiles PYTHONPATH=/app python manage.py collectstatic --noinput

FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles PRIVATE_MEDIA_ROOT=/app/var/private
RUN groupadd --system --gid 10001 roster \
    && useradd --system --uid 10001 --gid roster --home-dir /app --no-create-home --shell /usr/sbin/nologin roster
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
# The writable paths, created and owned by roster before USER: a named volume mounted on one of them
# (docker-compose.yml: private-media on /app/var/private) starts with this ownership, so roster can
# write uploads there. /app/var/beat holds beat's schedule; /app/var/metrics the metric files web and
# worker share (PROMETHEUS_MULTIPROC_DIR). The code itself stays root's, read-only.
RUN mkdir -p /app/var/private /app/var/beat /app/var/metrics \
    && chown -R roster:roster /app/var \
    && chmod 0750 /app/var/private
# "Date modified" on every page (site_pages.release): the image has no git history to read it from.
ARG ROSTER_RELEASE_DATE=""
ENV ROSTER_RELEASE_DATE=${ROSTER_RELEASE_DATE}
USER roster
EXPOSE 8000
# gunicorn's settings (bind, workers from WEB_CONCURRENCY, the access log on stdout): deploy/gunicorn.conf.py.
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "config.wsgi:application"]
