"""A mock OpenAI-compatible model for gateway tests: ``python -m tests.servers.mock_llm PORT``.

``POST /v1/chat/completions`` answers at once with ``max_tokens`` completion tokens (default
50) of filler text and a usage block (prompt tokens: a quarter of the request's characters),
as a JSON body or, with ``"stream": true``, as server-sent events with the usage in the last
chunk. Nothing is logged. It stands in for the model behind LiteLLM and nginx.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without this, Nagle's algorithm holds the
    # body until the client's delayed ACK, 40 ms later.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # health check
        self._send(200, b'{"ok": true}', "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, b'{"error": "not JSON"}', "application/json")
            return
        tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or 50)
        usage = {
            "prompt_tokens": max(1, len(raw) // 4),
            "completion_tokens": tokens,
            "total_tokens": max(1, len(raw) // 4) + tokens,
        }
        finish = "length" if body.get("max_tokens") else "stop"
        common = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "created": int(time.time()),
                  "model": body.get("model", "mock")}  # fmt: skip
        text = "ok " * min(tokens, 4000)
        if body.get("stream"):
            chunks = [
                {**common, "object": "chat.completion.chunk",
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": text},
                              "finish_reason": None}]},
                {**common, "object": "chat.completion.chunk",
                 "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage},
            ]  # fmt: skip
            out = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
            self._send(200, out + b"data: [DONE]\n\n", "text/event-stream")
            return
        answer = {**common, "object": "chat.completion", "usage": usage,
                  "choices": [{"index": 0, "finish_reason": finish,
                               "message": {"role": "assistant", "content": text}}]}  # fmt: skip
        self._send(200, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
