import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sharing.worker import SharingWorker
from tracing.dynamo import stop_writer

logger = logging.getLogger("sharing.worker")


class Command(BaseCommand):
    help = (
        "Emails collaboration invitations: long-polls the sharing queue in SQS, sends each "
        "invitation through SES and deletes the message. SIGTERM finishes the batch in hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait-time",
            type=int,
            default=20,
            choices=range(21),
            metavar="0-20",
            help="SQS long poll, seconds",
        )
        parser.add_argument(
            "--max-messages",
            type=int,
            default=10,
            choices=range(1, 11),
            metavar="1-10",
            help="messages per receive",
        )
        parser.add_argument(
            "--email-threads", type=int, default=None, help="parallel SES sends per batch"
        )
        parser.add_argument(
            "--consumers",
            type=int,
            default=2,
            help="receive loops in parallel (each with its own batch in hand)",
        )
        parser.add_argument("--once", action="store_true", help="process one batch and exit")
        parser.add_argument(
            "--max-idle", type=int, default=None, help="exit after this many empty polls in a row"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            logger.info("signal %s: finishing the batch in hand, then exiting", signum)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        worker = SharingWorker(
            wait_time_s=options["wait_time"],
            max_messages=options["max_messages"],
            email_threads=options["email_threads"],
            consumers=options["consumers"],
        )
        logger.info("sharing worker started")
        try:
            worker.run(stop, once=options["once"], max_idle=options["max_idle"])
        finally:
            worker.close()
            stop_writer()  # breadcrumbs this process holds, bounded by the shutdown budget
        logger.info("sharing worker stopped")
