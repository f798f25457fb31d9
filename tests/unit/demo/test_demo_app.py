"""The support agent's HTTP API: turns, feedback, ending a conversation, validation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from demo.support_agent.agent import SupportAgent
from demo.support_agent.app import app

from .test_demo_agent import SETTINGS, FakeModels

HEADERS = {"x-conversation-id": "c-10", "x-user-id": "u-1", "x-tenant-id": "acme"}


@pytest.fixture
def client(telemetry):
    with TestClient(app) as client:
        app.state.agent = SupportAgent(SETTINGS, FakeModels())
        yield client


def test_chat_turn_answers_with_intent_tools_and_sources(client):
    """POST /chat answers one turn and reports intent, tools and FAQ sources."""
    response = client.post("/chat", json={"message": "Where is my order #48213?"}, headers=HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"] == "c-10" and body["intent"] == "order_status"
    assert body["tools"] == ["lookup_order"] and body["reply"] and not body["escalated"]


def test_conversation_from_the_body_or_a_new_id(client):
    """Without headers the body names the conversation; without either a new id is made."""
    named = client.post("/chat", json={"message": "How long does shipping take?", "conversation_id": "c-body", "tenant": "globex"})
    fresh = client.post("/chat", json={"message": "How long does shipping take?"})
    assert named.json()["conversation_id"] == "c-body"
    assert fresh.json()["conversation_id"].startswith("c-")


def test_end_then_further_turns_are_refused(client, telemetry):
    """After POST /end the conversation is counted with its outcome and accepts no more turns."""
    client.post("/chat", json={"message": "How long does shipping take?"}, headers=HEADERS)
    assert client.post("/end", json={"outcome": "resolved"}, headers=HEADERS).status_code == 200
    assert client.post("/chat", json={"message": "hello again"}, headers=HEADERS).status_code == 409
    assert client.post("/end", json={"outcome": "abandoned"}, headers=HEADERS).status_code == 409
    (attrs, point), = telemetry.points("agentotel.conversations")
    assert attrs["agentotel.conversation.outcome"] == "resolved" and attrs["agentotel.tenant.id"] == "acme"
    assert point.value == 1


def test_escalated_conversation_accepts_no_more_turns(client):
    """An escalated conversation is with a human: further turns are refused."""
    first = client.post("/chat", json={"message": "Can I speak to a real person please?"}, headers=HEADERS)
    assert first.json()["escalated"] and first.json()["escalation_reason"] == "human_requested"
    assert client.post("/chat", json={"message": "hello?"}, headers=HEADERS).status_code == 409


def test_feedback_is_recorded_and_validated(client, telemetry):
    """CSAT 1-5 is recorded as the feedback metric; out-of-range scores and missing ids are rejected."""
    client.post("/chat", json={"message": "How long does shipping take?"}, headers=HEADERS)
    assert client.post("/feedback", json={"score": 4, "comment": "quick"}, headers=HEADERS).status_code == 200
    assert client.post("/feedback", json={"score": 6}, headers=HEADERS).status_code == 422
    assert client.post("/feedback", json={"score": 3}).status_code == 400
    (attrs, point), = telemetry.points("agentotel.feedback.score")
    assert point.sum == 4 and point.count == 1 and attrs["agentotel.tenant.id"] == "acme"


def test_healthz(client):
    """GET /healthz answers while the app runs."""
    assert client.get("/healthz").json() == {"status": "ok"}
