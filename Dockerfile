# syntax=docker/dockerfile:1
# One image for every process of the app: `web` (ASGI, HTTP and WebSocket), `worker` (the
# sharing worker), `migrate` and `manage …` (deploy/entrypoint.sh). Built by CI, run on ECS
# Fargate (deploy/cdk). Build: docker build -t stratospheric-todo .
FROM python:3.11-slim-bookworm

# UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN: ECS sends SIGTERM and kills after the task's stopTimeout
# (30 s for web); uvicorn closes WebSockets still open after 20 s so that it exits cleanly first.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHON=python \
    PORT=8000 \
    UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=20

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

# Dependencies in their own layer: it is rebuilt only when pyproject.toml changes. Only the
# runtime dependencies; the dev/local extras (moto, pytest, CDK) stay out of the image.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install --no-compile -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code belongs to root and is only readable by the app user: a compromised process
# cannot rewrite it.
COPY . .

# Static files are collected (hashed and compressed) at build time; whitenoise serves them.
# The key only satisfies the settings' check: collectstatic signs nothing.
RUN SECRET_KEY=collectstatic-only-not-a-secret DEBUG=false \
    python manage.py collectstatic --no-input --verbosity 0

USER app
EXPOSE 8000

# For `docker run` of the web process. ECS ignores an image's HEALTHCHECK: there the ALB's
# target-group health check on /health decides (deploy/cdk). The worker has no HTTP port,
# so run it with --no-healthcheck outside ECS.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]

# exec form, and the entrypoint execs the server: SIGTERM reaches uvicorn or the worker
# directly, which both shut down gracefully.
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
