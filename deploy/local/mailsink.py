"""The local stack's outgoing mail server: every message accepted becomes an .eml file.

    python deploy/local/mailsink.py [--host 127.0.0.1] [--port 1025] [--folder .local/mail]

Nothing is relayed anywhere. Each file starts with two added headers that hold the SMTP
envelope (X-Sink-Mail-From, X-Sink-Rcpt-To), so a test can see Bcc recipients too. Files
are named by arrival time and written under a temporary name first, so a reader polling the
folder never sees half a message.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class EmlFolder:
    """aiosmtpd handler that stores each message in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.store(envelope.mail_from, envelope.rcpt_tos, envelope.original_content or b"")
        return "250 Message accepted for delivery"

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        final = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        envelope_headers = (
            f"X-Sink-Mail-From: {mail_from}\r\nX-Sink-Rcpt-To: {', '.join(rcpt_tos)}\r\n"
        ).encode()
        partial = final.with_suffix(".partial")
        partial.write_bytes(envelope_headers + content)
        os.replace(partial, final)
        return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    local_dir = Path(os.environ.get("LOCAL_DIR", ".local"))
    parser.add_argument("--folder", type=Path, default=local_dir / "mail")
    args = parser.parse_args(argv)

    args.folder.mkdir(parents=True, exist_ok=True)
    # The platform sends plain messages; 26 MB leaves room for an attachment or two.
    controller = Controller(
        EmlFolder(args.folder),
        hostname=args.host,
        port=args.port,
        data_size_limit=26 * 1024 * 1024,
    )
    controller.start()
    print(f"mail sink on {args.host}:{args.port}, messages in {args.folder}", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
