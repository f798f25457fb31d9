"""A small support agent as a team would write it: FastAPI, the official OpenAI and Anthropic SDKs,
and nothing about telemetry. Run under ``opentelemetry-instrument uvicorn agent_app:app``.

``LLM_BASE_URL`` points both SDKs at one server (``{LLM_BASE_URL}/openai/v1`` and
``{LLM_BASE_URL}/anthropic``); ``DOWNSTREAM_URL`` is a service the agent notifies after answering.
"""

import logging
import os

import httpx
from anthropic import AsyncAnthropic
from fastapi import FastAPI
from openai import OpenAI
from pydantic import BaseModel

LLM_BASE_URL = os.environ["LLM_BASE_URL"]
DOWNSTREAM_URL = os.environ["DOWNSTREAM_URL"]
OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-haiku-4-5"

log = logging.getLogger("support_agent")
openai_client = OpenAI(base_url=f"{LLM_BASE_URL}/openai/v1", api_key="sk-test-not-a-real-key", max_retries=0)
anthropic_client = AsyncAnthropic(base_url=f"{LLM_BASE_URL}/anthropic", api_key="sk-ant-test", max_retries=0)
app = FastAPI()


class Question(BaseModel):
    message: str


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


def classify(message: str) -> str:
    """Intent classification with OpenAI's sync client (FastAPI runs it in a worker thread)."""
    reply = openai_client.chat.completions.create(
        model=OPENAI_MODEL,
        messages=[{"role": "system", "content": "Classify the request in one word."},
                  {"role": "user", "content": message}],
        temperature=0,
    )
    return reply.choices[0].message.content


@app.post("/chat")
async def chat(question: Question):
    from starlette.concurrency import run_in_threadpool

    intent = await run_in_threadpool(classify, question.message)
    log.warning("classified request as %r", intent)
    answer = await anthropic_client.messages.create(
        model=ANTHROPIC_MODEL,
        max_tokens=200,
        messages=[{"role": "user", "content": question.message}],
    )
    async with httpx.AsyncClient() as client:
        await client.post(DOWNSTREAM_URL, json={"answered": True})
    return {"intent": intent, "answer": answer.content[0].text}
