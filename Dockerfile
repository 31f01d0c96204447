# Roundtable's production image: gunicorn for the web, the same image for the
# Celery worker and beat (see docker-compose.yml).
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false \
    VAR_DIR=/app/var

# pg_dump and pg_restore of the compose stack's PostgreSQL (17), from the PostgreSQL project's
# own Debian repository, for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential curl ca-certificates gnupg \
    && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc | gpg --dearmor -o /usr/share/keyrings/pgdg.gpg \
    && echo "deb [signed-by=/usr/share/keyrings/pgdg.gpg] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 roundtable

WORKDIR /app
COPY requirements.txt constraints-build.txt ./
RUN PIP_CONSTRAINT=constraints-build.txt pip install --require-hashes -r requirements.txt \
    && pip check

COPY . .
# collectstatic needs settings that load; these values exist only for this step.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    ALLOWED_HOSTS=build EMAIL_HOST=build python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/backups && chown -R roundtable /app/var

USER roundtable
EXPOSE 8000
CMD ["gunicorn", "coordination.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
