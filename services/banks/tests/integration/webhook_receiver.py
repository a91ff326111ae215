"""A bank's webhook receiver, as a bank's integration team would write one: a plain HTTP server in its own process
that verifies each delivery with the Standard Webhooks library and the endpoint's secret, and writes what it got
(one JSON line per request) for the test to read.

    python webhook_receiver.py PORT SECRET OUT.jsonl
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PORT, SECRET, OUT = int(sys.argv[1]), sys.argv[2], sys.argv[3]
VERIFIER = Webhook(SECRET)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            VERIFIER.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        with open(OUT, "a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {"id": headers.get("webhook-id"), "verified": verified, "headers": headers, "body": body.decode()}
                )
                + "\n"
            )
        self.send_response(204 if verified else 400)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
