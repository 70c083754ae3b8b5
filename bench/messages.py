"""Outgoing SMS throughput: N SMS queued and sent by the message worker to the local test SMSC over SMPP.

1. N messages queued in the outbox (each its own number, Chinese text, one SMS part): seconds.
2. A real `xiuhua send_messages --channel sms` process sends them to the test SMSC (notify.testing.smsc) on a
   loopback port: messages per second at the SMSC (first to last submit), seconds from the worker's start to
   the last delivery receipt recorded in the database, and the worker's peak memory (max RSS).
3. Baseline in the same run: a bare smpplib loop (bind, submit N one after another, wait for every receipt)
   against a fresh SMSC of the same kind: the SMSC's own rate.

Prints one JSON object. Examples:
    .venv/bin/python bench/messages.py --count 10000
    .venv/bin/python bench/messages.py --count 10000 --database-url postgres://…/xiuhua_bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The bench measures sending, not pacing: its messages have no recipient account, so quiet hours would hold them
# until 08:00 when run at night. Off here and in the worker it starts (which inherits the environment).
os.environ["XIUHUA_MESSAGE_QUIET_HOURS"] = ""
os.environ["XIUHUA_MESSAGE_HOURLY_CEILING"] = "0"
from django_setup import configure  # noqa: E402

TEXT = "【数字城管】案卷 20261207-{n:04d} 已派遣至您单位，请于 2 小时内处置并回复。"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100, help="worker's --batch-size")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    return parser.parse_args()


def queue_messages(count: int) -> float:
    from django.db import connection, transaction

    from xiuhua.notify import outbox
    from xiuhua.notify.models import Message, MessagePart

    with connection.cursor() as cursor:  # rows of an earlier run are under another data key: no ORM delete
        for model in (MessagePart, Message):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    started = time.perf_counter()
    with transaction.atomic():
        for n in range(count):
            outbox.queue(outbox.Draft(channel="sms", kind="task", text=TEXT.format(n=n), address=f"139{n:08d}"))
    return time.perf_counter() - started


def through_worker(args, smsc) -> dict:
    from django.conf import settings
    from django.db.models import Count

    from xiuhua.notify.models import Message, MessageStatus

    env = {
        **os.environ,
        "XIUHUA_MESSAGE_CHANNELS": json.dumps({"sms": "xiuhua.notify.channels.sms.SmppChannel"}),
        "XIUHUA_MESSAGE_POLL_SECONDS": "0.2",
        "XIUHUA_SMPP_HOST": smsc.host,
        "XIUHUA_SMPP_PORT": str(smsc.port),
        "XIUHUA_SMPP_SYSTEM_ID": smsc.system_id,
        "XIUHUA_SMPP_PASSWORD": smsc.password,
        "XIUHUA_VAR_DIR": str(settings.VAR_DIR),
    }
    command = [sys.executable, "-m", "xiuhua.platform.cli", "send_messages", "--channel", "sms"]
    started = time.perf_counter()
    worker = subprocess.Popen([*command, "--batch-size", str(args.batch_size)], env=env)
    first_submit = None
    try:
        while time.perf_counter() - started < args.timeout:
            if first_submit is None and smsc.submits:
                first_submit = time.perf_counter()
            if len(smsc.submits) >= args.count:
                done = Message.objects.filter(status__in=[MessageStatus.DELIVERED, MessageStatus.FAILED]).count()
                if done >= args.count:
                    break
            time.sleep(0.05)
        last_receipt = time.perf_counter()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    submit_times = smsc.submit_times
    sending = submit_times[-1] - submit_times[0] if len(submit_times) > 1 else 0.0
    statuses = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    return {
        "messages": args.count,
        "delivered": statuses.get("delivered", 0),
        "failed": statuses.get("failed", 0),
        "at_smsc": len(smsc.submits),
        "worker_start_to_first_submit_s": round((first_submit or last_receipt) - started, 2),
        "messages_per_second": round(len(submit_times) / sending, 1) if sending else None,
        "start_to_last_receipt_s": round(last_receipt - started, 2),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def bare_smpplib(count: int) -> dict:
    """The SMSC's own rate: one smpplib client, submits one after another (each answered), then receipts."""
    import smpplib.client
    import smpplib.consts as c
    import smpplib.gsm

    from xiuhua.notify.testing.smsc import Smsc

    with Smsc() as smsc:
        client = smpplib.client.Client(smsc.host, smsc.port, timeout=10, allow_unknown_opt_params=True)
        answered, receipts = [], []
        client.set_message_sent_handler(lambda pdu: answered.append(pdu.message_id))
        client.set_message_received_handler(lambda pdu: receipts.append(pdu.receipted_message_id))
        client.connect()
        client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as SmppChannel does
        client.bind_transceiver(system_id=smsc.system_id, password=smsc.password)
        started = time.perf_counter()
        for n in range(count):
            [part], coding, esm = smpplib.gsm.make_parts(TEXT.format(n=n), encoding=c.SMPP_ENCODING_ISO10646)
            client.send_message(
                source_addr="10690001",
                destination_addr=f"139{n:08d}",
                short_message=part,
                data_coding=coding,
                esm_class=esm,
                registered_delivery=1,
            )
            while len(answered) <= n:
                client.read_once()
        sent = time.perf_counter() - started
        while len(receipts) < count:
            client.read_once()
        last_receipt = time.perf_counter() - started
        client.unbind()
        client.disconnect()
    return {
        "messages": count,
        "messages_per_second": round(count / sent, 1),
        "start_to_last_receipt_s": round(last_receipt, 2),
    }


def main() -> None:
    args = parse_args()
    configure("messages", args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from xiuhua.notify.testing.smsc import Smsc

    call_command("migrate", verbosity=0)
    out = {"database": connection.vendor, "count": args.count, "batch_size": args.batch_size}
    out["queue_seconds"] = round(queue_messages(args.count), 2)
    connection.close()  # SQLite: no lock held while the worker writes
    with Smsc() as smsc:
        out["worker"] = through_worker(args, smsc)
    out["bare_smpplib"] = bare_smpplib(args.count)
    out["worker_vs_bare"] = round(out["bare_smpplib"]["messages_per_second"] / out["worker"]["messages_per_second"], 1)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
