#!/usr/bin/env python3
"""An HTTP reverse proxy that injects faults between mirrorgraph and a registry, for tests.

Usage: python3 fault_proxy.py --upstream 127.0.0.1:PORT [--seed N] [--rate R]
                              [--mode faults|slow-uploads|off] [--events FILE] [--max-seconds S]

Binds 127.0.0.1 on a free port, prints the port alone on stdout's first line, then forwards every
request to the upstream (plain HTTP, the Host header unchanged, so the registry's Location headers
name the proxy) until killed, until --max-seconds pass, or until its parent process exits.
Standard library only.

Modes:
  faults        each request draws a fault with probability --rate (default 0.2):
                  500      answered 500 without forwarding
                  429      answered 429 with Retry-After: 1 without forwarding
                  reset    the connection is reset (RST) without forwarding
                  lost     forwarded, then the connection is reset instead of answering
                  slow     forwarded after a 1.5 s pause
                The draw is a hash of (seed, method, path with upload-session ids and the query
                removed, the how-many-th such request it is), so a run meets the same faults
                whatever the order of concurrent requests.
  slow-uploads  PATCH and PUT of blob upload sessions wait 3 s before they are forwarded; each
                writes "upload <METHOD> <path>" to --events first (the sign for a kill test that
                an upload is in flight)
  off           forwards everything

Every request is also logged to --events as "<fault or ok> <METHOD> <path>" when it completes.

Test helpers (answered by the proxy itself):
  GET  /_proxy/stats   {"requests": N, "faults": {"500": n, ...}}
  POST /_proxy/mode?m=MODE   switches the mode
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ["500", "429", "reset", "lost", "slow"]
SESSION = re.compile(r"(/blobs/uploads/)[^/?]+")


class State:
    def __init__(self, args):
        self.upstream = args.upstream
        self.seed = args.seed
        self.rate = args.rate
        self.mode = args.mode
        self.lock = threading.Lock()
        self.seen = {}
        self.requests = 0
        self.faults = {f: 0 for f in FAULTS}
        self.events = open(args.events, "a", buffering=1) if args.events else None

    def event(self, line):
        if self.events is not None:
            with self.lock:
                self.events.write(line + "\n")
                self.events.flush()

    def draw(self, method, path):
        """The fault for this request, or None."""
        key = method + " " + SESSION.sub(r"\1S", path.split("?", 1)[0])
        with self.lock:
            self.requests += 1
            n = self.seen.get(key, 0)
            self.seen[key] = n + 1
            if self.mode != "faults":
                return None
        h = hashlib.sha256(f"{self.seed}|{key}|{n}".encode()).digest()
        u, v = struct.unpack(">QQ", h[:16])
        if u / 2.0**64 >= self.rate:
            return None
        fault = FAULTS[v % len(FAULTS)]
        with self.lock:
            self.faults[fault] += 1
        return fault


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main

    def log_message(self, fmt, *args):  # quiet
        pass

    def _reset(self):
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _answer(self, status, headers, body, head_only=False, length=None):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if body and not head_only:
            self.wfile.write(body)

    def _helper(self):
        st = self.state
        if self.path == "/_proxy/stats":
            with st.lock:
                body = json.dumps({"requests": st.requests, "faults": st.faults}).encode()
            self._answer(200, [("Content-Type", "application/json")], body)
        elif self.path.startswith("/_proxy/mode?m="):
            st.mode = self.path.split("=", 1)[1]
            self._answer(200, [], b"")
        else:
            self._answer(404, [], b"")

    def _handle(self):
        if self.path.startswith("/_proxy/"):
            return self._helper()
        st = self.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        method = self.command
        path = self.path
        fault = st.draw(method, path)
        if fault == "500":
            self._answer(500, [("Content-Type", "application/json")],
                         b'{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}')
        elif fault == "429":
            self._answer(429, [("Retry-After", "1"), ("Content-Type", "application/json")],
                         b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected fault"}]}')
        elif fault == "reset":
            self._reset()
        else:
            if fault == "slow":
                time.sleep(1.5)
            if st.mode == "slow-uploads" and method in ("PATCH", "PUT") and "/blobs/uploads/" in path:
                st.event(f"upload {method} {path.split('?', 1)[0]}")
                time.sleep(3)
            conn = http.client.HTTPConnection(st.upstream, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            conn.request(method, path, body=body if body or method in ("POST", "PUT", "PATCH") else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            resp_headers = [(k, v) for k, v in resp.getheaders()
                            if k.lower() not in ("content-length", "connection", "keep-alive", "transfer-encoding")]
            conn.close()
            if fault == "lost":
                self._reset()
            else:
                head = method == "HEAD"
                self._answer(resp.status, resp_headers, data, head_only=head,
                             length=resp.getheader("Content-Length", "0") if head else None)
        st.event(f"{fault or 'ok'} {method} {path.split('?', 1)[0]}")

    def do_GET(self):
        try:
            self._handle()
        except (OSError, http.client.HTTPException):
            self.close_connection = True

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=float, default=0.2)
    p.add_argument("--mode", default="faults", choices=["faults", "slow-uploads", "off"])
    p.add_argument("--events", default="")
    p.add_argument("--max-seconds", type=float, default=3600)
    args = p.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    parent = os.getppid()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.5)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
