"""A provider that answers every request with the same recorded response, at almost no CPU cost.

``capture_overhead.py --canned`` runs it as a child process: on a 2-core machine the fake provider
(a Python HTTP server doing real work per request) competes for the cores with the client and
agentotel's worker, which a remote provider does not; this one only writes bytes it has ready. The
response is the fake provider's own answer to the benchmark's request, recorded at start-up.

Run alone: .venv/bin/python benchmarks/canned_provider.py  (prints "canned provider listening on URL")
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from demo.fake_provider import start_fake_provider  # noqa: E402

REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Where is my order A-1001?"}],
           "temperature": 0.2}


def record_response() -> bytes:
    """The fake provider's answer to the benchmark's chat request."""
    fake = start_fake_provider()
    try:
        request = urllib.request.Request(f"{fake.base_url}/v1/chat/completions", data=json.dumps(REQUEST).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()
    finally:
        fake.stop()


async def serve(body: bytes) -> None:
    head = (f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            "connection: keep-alive\r\n\r\n").encode()
    answer = head + body

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                headers = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in headers.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                writer.write(answer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"canned provider listening on http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(serve(record_response()))
    except KeyboardInterrupt:
        pass
