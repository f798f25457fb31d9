"""An OTLP/HTTP receiver that accepts every export and keeps nothing: the local receiver of
``stack_overhead.py``. It reads each request body, counts the bytes per signal and answers 200 with
an empty (valid) protobuf response over a kept-alive connection, so the exporters do all of their
work (encoding, compression, the HTTP round trip) at almost no CPU cost of its own.

Run alone: .venv/bin/python benchmarks/otlp_sink.py  (prints "otlp sink listening on URL")
"""

from __future__ import annotations

import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a collector serves the exporters

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"otlp sink listening on http://{host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
