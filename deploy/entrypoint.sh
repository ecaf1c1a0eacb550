#!/usr/bin/env bash
# The container's one entrypoint. Subcommands:
#   web       the ASGI server (HTTP and WebSocket) on $PORT (8000)
#   worker    the sharing worker (SQS -> SES)
#   migrate   apply database migrations
#   manage …  any manage.py command
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}

case "${1:-web}" in
  web)
    # HTTP runs Django's WSGI handler on a thread pool inside uvicorn (todo_project/asgi.py).
    # Keep-alive outlasts the ALB's 60 s idle timeout, or the ALB reuses connections that
    # uvicorn already closed and answers 502. todo_project.serve is uvicorn's command line,
    # exiting 0 on SIGTERM after its graceful shutdown (which flushes breadcrumbs). No
    # per-message compression on WebSockets: its zlib state costs ~35 KB a socket, for events
    # of a few hundred bytes.
    exec "$PYTHON" -m todo_project.serve todo_project.asgi:application \
      --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}" \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
      --timeout-keep-alive "${KEEP_ALIVE_S:-65}" \
      --ws-per-message-deflate false \
      --no-access-log --no-server-header --lifespan on
    ;;
  worker)
    exec "$PYTHON" manage.py run_sharing_worker
    ;;
  migrate)
    exec "$PYTHON" manage.py migrate --no-input
    ;;
  manage)
    shift
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    echo "usage: $0 {web|worker|migrate|manage …}" >&2
    exit 64
    ;;
esac
