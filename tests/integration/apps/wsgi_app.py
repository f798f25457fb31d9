"""A WSGI app for gunicorn's sync and gthread workers: each request makes one LLM call (a plain httpx
request in OpenAI's wire format to ``LLM_BASE_URL``). Nothing about telemetry; run under
``opentelemetry-instrument gunicorn wsgi_app:app``.
"""

import json
import os

import httpx

LLM_BASE_URL = os.environ["LLM_BASE_URL"]


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        body = b'{"status": "ok"}'
    else:
        response = httpx.post(f"{LLM_BASE_URL}/openai/v1/chat/completions",
                              headers={"authorization": "Bearer sk-test"},
                              json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        body = json.dumps({"status": response.status_code}).encode()
    start_response("200 OK", [("content-type", "application/json"), ("content-length", str(len(body)))])
    return [body]
