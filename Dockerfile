# syntax=docker/dockerfile:1
# One image for every process of the app: `web` (ASGI, HTTP and WebSocket), `worker` (the
# sharing worker), `migrate` and `manage …` (deploy/entrypoint.sh). Built by CI, run on ECS
# Fargate (deploy/cdk). Build: docker build -t stratospheric-todo .
# The base image: Python 3.11 on Debian 12. It is pinned by tag only: no registry of images
# is reachable where this was written, so its digest could not be looked up. To pin (and
# later bump) it, take the digest of the multi-platform index and append it, e.g.
#   docker buildx imagetools inspect python:3.11-slim-bookworm --format '{{json .Manifest.Digest}}'
#   FROM python:3.11-slim-bookworm@sha256:<that digest>
# and rebuild; bump it the same way when Debian or Python publish security fixes.
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

# Dependencies in their own layer: it is rebuilt only when the lock file changes. Only the
# runtime dependencies, at the versions and hashes of requirements/app.txt (`make lock`); the
# local stand-ins and the dev tools stay out of the image. pip byte-compiles them here, so no
# process start pays for it (the code is read-only at run time).
COPY requirements/app.txt /tmp/requirements.txt
RUN pip install --require-hashes --no-deps -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code belongs to root and is only readable by the app user: a compromised process
# cannot rewrite it, nor write its bytecode, so it is compiled here (about 0.5 s less per
# process start).
COPY . .
RUN python -m compileall -q -j 0 /app

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
