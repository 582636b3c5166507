#!/usr/bin/env python3
"""Static file server for the benchmark: one JSON line per request with the bytes sent.

Behaves like a plain static host (GitHub Pages): HTTP/1.1 keep-alive, Last-Modified and ETag with
304 answers, `Cache-Control: max-age=600`, gzip on the fly for text types and WebAssembly when the
client accepts it (GitHub Pages compresses application/wasm too; other types, such as the disk
chunks and boot files, go out as they are). It adds no COOP/COEP headers unless --isolation is given (the site's service worker adds them).

Usage: serve.py ROOT --log FILE [--isolation] [--no-gzip] [--max-age N]
Prints the port on the first line of stdout once listening on 127.0.0.1 (ephemeral port).
Log line: {"t": seconds since epoch, "method", "path", "status", "body": bytes, "header": bytes}
"""
import argparse
import email.utils
import gzip
import json
import os
import posixpath
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
    ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm",
    ".txt": "text/plain", ".svg": "image/svg+xml", ".ico": "image/x-icon", ".png": "image/png",
    ".meta": "text/plain", ".map": "application/json",
}
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml", "application/wasm")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-static"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def serve(self, head):
        opts = self.server.opts
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        rel = posixpath.normpath(path).lstrip("/")
        if rel.startswith(".."):
            return self.reply(403, b"forbidden\n", "text/plain", head)
        full = os.path.join(opts.root, rel)
        if os.path.isdir(full):
            if not path.endswith("/"):
                return self.reply(301, b"", "text/plain", head, {"Location": path + "/"})
            full = os.path.join(full, "index.html")
        if not os.path.isfile(full):
            return self.reply(404, b"not found\n", "text/plain", head)
        st = os.stat(full)
        etag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
        ctype = TYPES.get(os.path.splitext(full)[1], "application/octet-stream")
        headers = {
            "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True),
            "ETag": etag,
            "Cache-Control": "max-age=%d" % opts.max_age,
        }
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, b"", None, head, headers)
        with open(full, "rb") as f:
            body = f.read()
        if (opts.gzip and ctype.startswith(COMPRESSIBLE)
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, 6, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.reply(200, body, ctype, head, headers)

    def reply(self, status, body, ctype, head, extra=None):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if self.server.opts.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        header_bytes = sum(len(h) for h in self._headers_buffer) + 2
        self.end_headers()
        sent = 0
        if not head and status not in (304,):
            self.wfile.write(body)
            sent = len(body)
        self.server.record({"t": round(time.time(), 4), "method": self.command, "path": self.path,
                            "status": status, "body": sent, "header": header_bytes})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--log", required=True)
    ap.add_argument("--isolation", action="store_true")
    ap.add_argument("--no-gzip", dest="gzip", action="store_false")
    ap.add_argument("--max-age", type=int, default=600)
    opts = ap.parse_args()
    opts.root = os.path.abspath(opts.root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.opts = opts
    lock = threading.Lock()
    log = open(opts.log, "a", buffering=1)

    def record(entry):
        with lock:
            log.write(json.dumps(entry) + "\n")
    server.record = record
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
