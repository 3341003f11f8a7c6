#!/usr/bin/env python3
"""A local HTTP server that answers like the GitHub and GitLab REST APIs and a download site.

Usage: python3 fake_forge.py [--fixtures FILE] [--token TOKEN]

Binds 127.0.0.1 on a free port and prints the port alone on stdout's first line, then serves
until killed. Standard library only.

URLs are /<mode>/<api path>: a test uses http://127.0.0.1:<port>/<mode> as the API base URL.
The API paths understood under every mode:
  GET  /repos/<owner>/<name>/releases[?per_page=N&page=P]             GitHub releases
  GET  /projects/<url-encoded path>/repository/tags[?per_page=&page=]  GitLab tags
  GET  /projects/<url-encoded path>/repository/tags/<url-encoded tag>  one GitLab tag (or 404)
  HEAD/GET /<anything else>                                            a download: "files" table
Pages hold min(per_page, page_size) entries and carry a Link header (rel="next", "prev",
"first", "last" as absolute URLs to this server). An unknown repository or project is a 404
with GitHub's/GitLab's JSON error body.

Modes (what the first path segment does before or instead of the normal answer):
  api              the normal answer
  private          the normal answer only with the token (--token, default "test-token") as
                   "Authorization: Bearer" (GitHub) or "PRIVATE-TOKEN" (GitLab), else 401
  ratelimit-short  rate limited until 2 s after the first request to that path, then normal
                   (GitHub: 403 + x-ratelimit-remaining: 0 + x-ratelimit-reset; GitLab: 429 +
                   RateLimit-Remaining: 0 + RateLimit-Reset, no Retry-After)
  ratelimit-long   always rate limited, resetting in one hour
  ratelimit-past   the first request to a path is rate limited with a reset time in the past
  429              the first request to a path is a 429 with Retry-After: 1
  500              the first request to a path is a 500
  forbidden        a 403 that is not a rate limit
  malformed        200 with a body that is not JSON
  object           200 with a JSON object instead of an array
  missing-name     200 with an array whose second entry lacks tag_name / name
  truncated        200 whose Content-Length is larger than what is sent, then the connection closes
  huge             200 with a 40 MiB JSON array, streamed
  loop             a page whose Link rel="next" points to itself
  endless          pages without end (each links to the next)
Counters are per mode+path (query excluded).

Test helpers:
  GET  /_requests  every request so far: [{"method","path","headers":{lower-case name: value}}]
  POST /_reset     forget requests and counters

Data: built-in (BUILTIN below) or --fixtures FILE, a JSON object of the same shape:
  {"page_size": 2,
   "github": {"owner/name": [release objects as GitHub returns them]},
   "gitlab": {"group/sub/name": [tag objects as GitLab returns them]},
   "files":  {"/path": 200 | 404 | "redirect:/other/path"}}
"""

import argparse
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _sha(n):
    return ("%040x" % (0xA11CE0000 + n))


BUILTIN = {
    "page_size": 2,
    "github": {
        # Newest first, as GitHub lists them.
        "mattermost/mattermost": [
            {"tag_name": "v10.7.0", "draft": True, "prerelease": False, "target_commitish": "master"},
            {"tag_name": "v10.6.0-rc1", "draft": False, "prerelease": True, "target_commitish": _sha(1)},
            {"tag_name": "v10.5.1", "draft": False, "prerelease": False, "target_commitish": _sha(2)},
            {"tag_name": "v10.5.0", "draft": False, "prerelease": False, "target_commitish": "release-10.5"},
            {"tag_name": "v10.4.3", "draft": False, "prerelease": False, "target_commitish": _sha(3)},
            {"tag_name": "desktop-v5.10", "draft": False, "prerelease": False, "target_commitish": "master"},
            {"tag_name": "v9.11.8", "draft": False, "prerelease": False, "target_commitish": _sha(4).upper()},
        ],
        "outline/outline": [
            {"tag_name": "v0.82.0", "draft": False, "prerelease": False, "target_commitish": "main"},
            {"tag_name": "0.81.1", "draft": False, "prerelease": False, "target_commitish": "main"},
            {"tag_name": "v0.81.0", "draft": False, "prerelease": False, "target_commitish": "main"},
            {"tag_name": "v0.80.0-beta", "draft": False, "prerelease": False, "target_commitish": "main"},
        ],
    },
    "gitlab": {
        "framasoft/framateam/mostlymatter": [
            {"name": "v10.5.1-limitless", "commit": {"id": _sha(12)}},
            {"name": "v10.5.0-limitless", "commit": {"id": _sha(11)}},
            {"name": "v10.4.3-limitless", "commit": {"id": _sha(10)}},
            {"name": "v9.11.8-limitless", "commit": {"id": _sha(9)}},
            {"name": "v9.11.8", "commit": {"id": _sha(8)}},
            {"name": "experiment", "commit": {"id": _sha(7)}},
        ],
    },
    "files": {
        "/projects/mostlymatter/mostlymatter-amd64-v10.5.1": 200,
        "/projects/mostlymatter/mostlymatter-arm64-v10.5.1": "redirect:/storage/mostlymatter-arm64-v10.5.1",
        "/storage/mostlymatter-arm64-v10.5.1": 200,
        "/projects/mostlymatter/mostlymatter-amd64-v10.5.0": 200,
        "/projects/mostlymatter/mostlymatter-arm64-v10.5.0": 404,
        "/projects/mostlymatter/mostlymatter-amd64-v10.4.3": 200,
        "/projects/mostlymatter/mostlymatter-arm64-v10.4.3": 200,
        "/projects/mostlymatter/mostlymatter-amd64-v9.11.8": 200,
        "/projects/mostlymatter/mostlymatter-arm64-v9.11.8": 200,
    },
}

MODES = {"api", "private", "ratelimit-short", "ratelimit-long", "ratelimit-past", "429", "500", "forbidden",
         "malformed", "object", "missing-name", "truncated", "huge", "loop", "endless"}
HUGE_BYTES = 40 << 20


class State:
    def __init__(self, data, token):
        self.data = data
        self.token = token
        self.lock = threading.Lock()
        self.requests = []
        self.counters = {}     # mode+path -> requests so far
        self.first_seen = {}   # mode+path -> time of the first request

    def hit(self, key):
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            self.first_seen.setdefault(key, time.time())
            return self.counters[key], self.first_seen[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-forge/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    # --- plumbing -------------------------------------------------------------------------
    @property
    def state(self):
        return self.server.state

    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def send(self, status, body=b"", headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def record(self):
        entry = {"method": self.command, "path": self.path,
                 "headers": {k.lower(): v for k, v in self.headers.items()}}
        with self.state.lock:
            self.state.requests.append(entry)

    def do_POST(self):
        if self.path == "/_reset":
            with self.state.lock:
                self.state.requests.clear()
                self.state.counters.clear()
                self.state.first_seen.clear()
            return self.send(200, {"ok": True})
        self.send(405, {"message": "method not allowed"})

    def do_HEAD(self):
        self.handle_any()

    def do_GET(self):
        if self.path == "/_requests":
            with self.state.lock:
                return self.send(200, list(self.state.requests))
        self.handle_any()

    # --- routing ---------------------------------------------------------------------------
    def handle_any(self):
        self.record()
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/", 2)  # ["", mode, rest]
        if len(parts) < 3 or parts[1] not in MODES:
            return self.send(404, {"message": "Not Found", "hint": "paths are /<mode>/<api path>"})
        mode, rest = parts[1], "/" + parts[2]
        query = urllib.parse.parse_qs(url.query)
        kind, target = self.classify(rest)
        key = mode + rest
        count, first = self.state.hit(key)
        if kind == "file":
            return self.file(mode, rest)
        if self.before(mode, kind, count, first, rest):
            return
        if kind == "github":
            entries = self.state.data.get("github", {}).get(target)
            if entries is None:
                return self.send(404, {"message": "Not Found",
                                       "documentation_url": "https://docs.github.com/rest/releases/releases"})
        elif kind == "gitlab":
            entries = self.state.data.get("gitlab", {}).get(target)
            if entries is None:
                return self.send(404, {"message": "404 Project Not Found"})
        else:  # gitlab-tag
            project, tag = target
            tags = self.state.data.get("gitlab", {}).get(project)
            if tags is None:
                return self.send(404, {"message": "404 Project Not Found"})
            for t in tags:
                if t.get("name") == tag:
                    return self.send(200, t)
            return self.send(404, {"message": "404 Tag Not Found"})
        self.page(mode, rest, kind, entries, query)

    @staticmethod
    def classify(rest):
        segs = rest.split("/")
        # /repos/<owner>/<name>/releases
        if len(segs) == 5 and segs[1] == "repos" and segs[4] == "releases":
            return "github", segs[2] + "/" + segs[3]
        # /projects/<encoded>/repository/tags[/<encoded tag>]
        if len(segs) >= 5 and segs[1] == "projects" and segs[3] == "repository" and segs[4] == "tags":
            project = urllib.parse.unquote(segs[2])
            if len(segs) == 5:
                return "gitlab", project
            if len(segs) == 6:
                return "gitlab-tag", (project, urllib.parse.unquote(segs[5]))
        return "file", rest

    # Failure modes; True when the request was answered.
    def before(self, mode, kind, count, first, rest):
        github = kind == "github"
        now = time.time()
        if mode == "private":
            h = self.headers
            ok = (h.get("Authorization") == "Bearer " + self.state.token) if github else \
                 (h.get("PRIVATE-TOKEN") == self.state.token)
            if not ok:
                self.send(401, {"message": "Bad credentials" if github else "401 Unauthorized"})
                return True
            return False
        limited, reset = False, 0
        if mode == "ratelimit-short":
            reset = int(first) + 3  # 2..3 s after the first request, on a whole second
            limited = now < reset
        elif mode == "ratelimit-long":
            limited, reset = True, int(now) + 3600
        elif mode == "ratelimit-past":
            limited, reset = count == 1, int(now) - 10
        if limited:
            if github:
                self.send(403, {"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                                           "Authenticated requests get a higher rate limit.)"},
                          {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0",
                           "x-ratelimit-used": "60", "x-ratelimit-reset": str(reset)})
            else:
                self.send(429, "Retry later\n", {"RateLimit-Limit": "600", "RateLimit-Remaining": "0",
                                                 "RateLimit-Reset": str(reset)}, "text/plain")
            return True
        if mode == "429" and count == 1:
            self.send(429, {"message": "slow down"}, {"Retry-After": "1"})
            return True
        if mode == "500" and count == 1:
            self.send(500, {"message": "Server Error"})
            return True
        if mode == "forbidden":
            self.send(403, {"message": "Resource not accessible by integration"})
            return True
        if mode == "malformed":
            self.send(200, '[{"tag_name": "v1.0.0", "draft": fal')
            return True
        if mode == "object":
            self.send(200, {"message": "this is not a list"})
            return True
        if mode == "truncated":
            body = b'[{"tag_name": "v1.0.0", "draft": false, "prerelease": false}, {"tag_name": "v1.1'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return True
        if mode == "huge":
            self.huge(kind)
            return True
        return False

    def huge(self, kind):
        key = "tag_name" if kind == "github" else "name"
        item = json.dumps({key: "v1.0.0", "draft": False, "prerelease": False, "body": "x" * 900}).encode() + b","
        count = HUGE_BYTES // len(item)
        last = json.dumps({key: "v1.0.1"}).encode()
        total = 1 + count * len(item) + len(last) + 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        try:
            self.wfile.write(b"[")
            chunk = item * 64
            for _ in range(count // 64):
                self.wfile.write(chunk)
            self.wfile.write(item * (count % 64))
            self.wfile.write(last + b"]")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def page(self, mode, rest, kind, entries, query):
        def qint(name, default):
            try:
                return max(1, int(query.get(name, [default])[0]))
            except ValueError:
                return default
        size = min(qint("per_page", 30), int(self.state.data.get("page_size", 100)))
        number = qint("page", 1)
        if mode == "missing-name":
            key = "tag_name" if kind == "github" else "name"
            entries = [{key: "v1.0.0"}, {"id": 2}]
        pages = max(1, (len(entries) + size - 1) // size)
        if mode == "endless":
            pages = number + 1
        body = entries[(number - 1) * size:number * size] if mode != "endless" else []

        def link(n):
            q = dict((k, v[0]) for k, v in query.items())
            q["per_page"] = str(size)
            q["page"] = str(n)
            return "%s/%s%s?%s" % (self.base(), mode, rest, urllib.parse.urlencode(q))
        links = []
        if mode == "loop":
            links.append('<%s>; rel="next"' % link(number))
        elif number < pages:
            links.append('<%s>; rel="next"' % link(number + 1))
        if number > 1:
            links.append('<%s>; rel="prev"' % link(number - 1))
        links.append('<%s>; rel="first"' % link(1))
        if mode != "endless":
            links.append('<%s>; rel="last"' % link(pages))
        headers = {"Link": ", ".join(links)}
        if kind == "github":
            headers.update({"x-ratelimit-limit": "60", "x-ratelimit-remaining": "59",
                            "x-ratelimit-reset": str(int(time.time()) + 3600)})
        else:
            # No x-total-pages: GitLab omits it for large collections; clients must follow Link.
            headers.update({"x-page": str(number), "x-per-page": str(size),
                            "RateLimit-Remaining": "599", "RateLimit-Reset": str(int(time.time()) + 60)})
            if number < pages:
                headers["x-next-page"] = str(number + 1)
        self.send(200, body, headers)

    def file(self, mode, rest):
        entry = self.state.data.get("files", {}).get(rest, 404)
        if isinstance(entry, str) and entry.startswith("redirect:"):
            return self.send(302, b"", {"Location": "%s/%s%s" % (self.base(), mode, entry[len("redirect:"):])},
                             "text/plain")
        status = int(entry)
        body = b"binary\n" if status == 200 else b"not found\n"
        self.send(status, body, {}, "application/octet-stream" if status == 200 else "text/plain")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", help="JSON file with github/gitlab/files data (default: built-in)")
    ap.add_argument("--token", default="test-token", help="the token the 'private' mode requires")
    args = ap.parse_args()
    data = BUILTIN
    if args.fixtures:
        with open(args.fixtures, encoding="utf-8") as f:
            data = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(data, args.token)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
