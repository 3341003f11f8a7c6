#!/usr/bin/env python3
"""A local HTTP server that records what `mirrorgraph run --notify URL` posts.

Usage: python3 notify_sink.py

Binds 127.0.0.1 on a free port and prints the port alone on stdout's first line, then serves
until killed. Standard library only.

  POST /fail...    answers 500 (after recording the request)
  POST /<other>    answers 204
  GET  /_requests  every POST so far: [{"method","path","headers":{lower-case name: value},"body"}]
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
REQUESTS = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("notify_sink: " + (fmt % args) + "\n")

    def _answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length).decode("utf-8", "replace")
        with LOCK:
            REQUESTS.append({
                "method": "POST",
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            })
        self._answer(500 if self.path.startswith("/fail") else 204)

    def do_GET(self):
        if self.path == "/_requests":
            with LOCK:
                data = json.dumps(REQUESTS).encode()
            self._answer(200, data)
        else:
            self._answer(404)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
