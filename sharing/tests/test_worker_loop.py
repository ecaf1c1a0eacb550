"""The worker's loop: it survives what SQS does and stops when told."""

import threading

from deploy.local.moto_server import free_port
from sharing.worker import SharingWorker


def test_the_loop_logs_an_unreachable_sqs_and_keeps_going(db, settings, caplog):
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    worker = SharingWorker(wait_time_s=0)
    try:
        worker.run(threading.Event(), once=True)  # no exception escapes
    finally:
        worker.close()
    assert "sharing worker loop failed" in caplog.text


def test_the_loop_stops_after_max_idle_empty_polls(db, sharing_queues, caplog):
    worker = SharingWorker(wait_time_s=0)
    try:
        worker.run(threading.Event(), max_idle=3)
    finally:
        worker.close()
    assert "failed" not in caplog.text


def test_a_stop_request_ends_the_loop_before_the_next_poll(db, sharing_queues):
    stop = threading.Event()
    stop.set()
    worker = SharingWorker(wait_time_s=20)
    try:
        worker.run(stop)  # returns at once instead of long-polling for 20 s
    finally:
        worker.close()
