"""A stand-in webhook receiver for the docker-compose stack: prints each Alertmanager notification.

Alertmanager POSTs ``{"receiver", "status", "groupLabels", "alerts": [...]}`` to the receiver's
URL (deploy/alertmanager/alertmanager.yml). This server prints one line per alert, so that
``docker compose logs -f alert-sink`` shows what a real receiver (a chat or paging bridge)
would get. Standard library only; listens on port 5001 (``WEBHOOK_SINK_PORT``).
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def describe(path: str, notification: dict[str, Any]) -> list[str]:
    """One line per alert of an Alertmanager webhook notification."""
    lines = []
    for alert in notification.get("alerts", []):
        labels = alert.get("labels", {})
        summary = alert.get("annotations", {}).get("summary", "")
        lines.append(
            f"{path} {alert.get('status', '?').upper()} {labels.get('alertname', '?')} "
            f"severity={labels.get('severity', '?')} {summary}"
        )
    return lines


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            notification = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self.send_response(400)
            self.end_headers()
            return
        for line in describe(self.path, notification):
            print(line, flush=True)
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:  # health check
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    port = int(os.environ.get("WEBHOOK_SINK_PORT", "5001"))
    print(f"webhook sink listening on :{port}", file=sys.stderr, flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
