"""A script that forks ``multiprocessing`` children in a loop while a thread of its own keeps making
LLM calls (plain httpx requests in OpenAI's wire format), as batch jobs do. Run under ``opentelemetry-instrument python fork_children.py ROUNDS``.

Each round runs a fork-context ``Pool`` of two workers over ``TASKS`` calls, left by its ``with``
block (``Pool.terminate``: SIGTERM to workers still on their way out), then one ``Process`` making
one call. ``LLM_BASE_URL`` is the fake provider. Prints ``{"children": n, "parent": m}``: the calls
made in children and in the parent.
"""

import json
import multiprocessing
import os
import sys
import threading

import httpx

LLM_BASE_URL = os.environ["LLM_BASE_URL"]
TASKS = 2


_clients: dict[int, httpx.Client] = {}


def ask(tag: str) -> str:
    """One chat call over OpenAI's wire format, with an HTTP client of this process's own (made
    once: making one enters OpenSSL, whose locks a fork must not catch held)."""
    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = httpx.Client()
    response = client.post(f"{LLM_BASE_URL}/openai/v1/chat/completions", headers={"authorization": "Bearer sk-test"},
                           json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": tag}]})
    response.raise_for_status()
    return tag


def main(rounds: int) -> None:
    context = multiprocessing.get_context("fork")
    stop = threading.Event()
    parent_calls = [0]

    def keep_calling():
        while not stop.wait(0.002):
            ask("parent")
            parent_calls[0] += 1

    # One call first, on this thread: whatever the SDKs import lazily is imported before any fork (a
    # child forked while another thread imports a module would wait for that import forever).
    ask("parent")
    parent_calls[0] += 1
    busy = threading.Thread(target=keep_calling, name="parent-calls")
    busy.start()
    children = 0
    try:
        for round_number in range(rounds):
            with context.Pool(2) as pool:
                done = pool.map(ask, [f"pool-{round_number}-{task}" for task in range(TASKS)])
            children += len(done)
            process = context.Process(target=ask, args=(f"process-{round_number}",))
            process.start()
            process.join()
            children += process.exitcode == 0
    finally:
        stop.set()
        busy.join()
    print(json.dumps({"children": children, "parent": parent_calls[0]}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
