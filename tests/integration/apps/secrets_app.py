"""An app whose errors and logs carry API keys, as real ones do: a provider's 401 body echoing the
key (OpenAI and Azure shapes), an unhandled exception quoting a key, an app exception quoting one
inside a span and logged with ``logging.exception``, INFO logging of a Gemini ``?key=`` URL, and a
prompt that contains keys. Run under ``opentelemetry-instrument uvicorn secrets_app:app``.

``ECHO_URL`` is a provider stand-in that answers 401 with the key it was sent, and 200 to Gemini;
``LLM_BASE_URL`` the fake provider (a normal answer). The keys come from ``APP_KEY_*`` variables.
"""

import logging
import os

import httpx
from fastapi import FastAPI
from openai import AuthenticationError, AzureOpenAI, OpenAI
from opentelemetry import trace

ECHO_URL = os.environ["ECHO_URL"]
LLM_BASE_URL = os.environ["LLM_BASE_URL"]
OPENAI_KEY = os.environ["APP_KEY_OPENAI"]
AZURE_KEY = os.environ["APP_KEY_AZURE"]
ANTHROPIC_KEY = os.environ["APP_KEY_ANTHROPIC"]
GOOGLE_KEY = os.environ["APP_KEY_GOOGLE"]

logging.getLogger().setLevel(logging.INFO)  # the app logs at INFO, httpx's request lines included
log = logging.getLogger("secrets_app")
tracer = trace.get_tracer("secrets_app")
refusing_openai = OpenAI(base_url=f"{ECHO_URL}/openai/v1", api_key=OPENAI_KEY, max_retries=0)
refusing_azure = AzureOpenAI(azure_endpoint=f"{ECHO_URL}/azure", api_key=AZURE_KEY, api_version="2024-06-01",
                             max_retries=0)
answering_openai = OpenAI(base_url=f"{LLM_BASE_URL}/openai/v1", api_key=OPENAI_KEY, max_retries=0)
app = FastAPI()


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.post("/openai-401")
def openai_401():
    try:
        refusing_openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    except AuthenticationError:
        log.exception("OpenAI refused the call")
        return {"refused": True}
    return {"refused": False}


@app.post("/azure-401")
def azure_401():
    try:
        refusing_azure.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    except AuthenticationError:
        log.exception("Azure OpenAI refused the call")
        return {"refused": True}
    return {"refused": False}


@app.post("/crash")
def crash():
    raise RuntimeError(f"upstream rejected api key {ANTHROPIC_KEY}")


@app.post("/app-error")
def app_error():
    try:
        with tracer.start_as_current_span("vault lookup"):
            raise PermissionError(f"vault refused key {OPENAI_KEY} (azure api-key {AZURE_KEY})")
    except PermissionError:
        log.exception("lookup failed")
    return {"logged": True}


@app.post("/gemini")
def gemini():
    response = httpx.post(f"{ECHO_URL}/v1beta/models/gemini-2.0-flash:generateContent?key={GOOGLE_KEY}",
                          json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    return {"status": response.status_code}


@app.post("/prompt-with-keys")
def prompt_with_keys():
    reply = answering_openai.chat.completions.create(model="gpt-4o-mini", messages=[
        {"role": "user", "content": f"My key is {OPENAI_KEY} and my Azure api key is {AZURE_KEY}; "
                                    f"the Gemini one is {GOOGLE_KEY}. Which works?"}])
    return {"answer": reply.choices[0].message.content}
