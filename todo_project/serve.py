"""The production web command: uvicorn's own command line (`python -m todo_project.serve
todo_project.asgi:application --workers N …`, see deploy/entrypoint.sh), ending with exit
status 0 on SIGTERM.

uvicorn catches SIGTERM, shuts down gracefully (requests drained, then the lifespan
shutdown, which writes the buffered breadcrumbs), and then raises the signal once more
against the handler that was in place before it started. Left at the default, that kills a
single-process server with -15 (ECS reports a failed exit) before any exit hook runs. The
handler installed here ends the process normally instead. With several workers, uvicorn's
supervisor handles the signal itself and exits 0; each worker has flushed in its lifespan
shutdown before it goes.
"""

import signal
import sys
from types import FrameType

from uvicorn.main import main as uvicorn_main


def _exit_normally(signum: int, frame: FrameType | None) -> None:
    # Also reached if SIGTERM arrives before uvicorn has installed its own handler: the
    # process then simply exits, as it should.
    sys.exit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_normally)
    uvicorn_main()


if __name__ == "__main__":
    main()
