"""The fake provider's ``tool_call`` scenario: a tool call on the first turn, the answer once the
request carries the tool's result (as an agent loop sends it)."""

from __future__ import annotations

from demo.fake_provider import OPENAI_USAGE
from demo.fake_provider.openai_wire import has_tool_result, response

USER = {"role": "user", "content": "Where is A-1001? [scenario:tool_call]"}
CALL = {"role": "assistant", "tool_calls": [{"id": "call_fake_1", "type": "function",
                                             "function": {"name": "lookup_order", "arguments": "{}"}}]}
RESULT = {"role": "tool", "tool_call_id": "call_fake_1", "content": "shipped"}


def test_chat_completions_turns():
    """Chat Completions: a tool message after the last user message is the second turn."""
    assert not has_tool_result({"messages": [USER]}, "chat")
    assert has_tool_result({"messages": [USER, CALL, RESULT]}, "chat")
    assert not has_tool_result({"messages": [USER, CALL, RESULT, USER]}, "chat")  # a new question


def test_responses_turns_have_their_own_ids():
    """Responses: a function_call_output item is the second turn, answered with a new response id."""
    first = {"input": [{"role": "user", "content": USER["content"]}]}
    second = {"input": [*first["input"], {"type": "function_call", "call_id": "call_fake_1"},
                        {"type": "function_call_output", "call_id": "call_fake_1", "output": "shipped"}]}
    assert not has_tool_result(first, "responses") and has_tool_result(second, "responses")
    ids = {response(body, "/v1/responses", "ok", OPENAI_USAGE)["id"]
           for body in (first, second)}
    assert ids == {"resp_fake_1", "resp_fake_2"}


def test_server_answers_the_second_turn(fake_provider):
    """Over HTTP, the tool_call scenario answers with text once the tool's result is in."""
    import json
    import urllib.request

    def post(messages):
        body = json.dumps({"model": "gpt-4o-mini", "messages": messages, "tools": [
            {"type": "function", "function": {"name": "lookup_order", "parameters": {}}}]}).encode()
        request = urllib.request.Request(f"{fake_provider.base_url}/v1/chat/completions", data=body,
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())["choices"][0]

    assert post([USER])["finish_reason"] == "tool_calls"
    second = post([USER, CALL, RESULT])
    assert second["finish_reason"] == "stop" and "canned answer" in second["message"]["content"]
