"""The manual API on what real retrievers return: document ids and scores, never their text."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document as LCDocument

import agentotel
from agentotel.config import Settings

SECRET_TEXT = "Card 4111 1111 1111 1111, mail jane@example.com"


class NodeWithScore:
    """LlamaIndex's ``NodeWithScore`` shape: ``.node`` (with ``node_id``) and ``.score``."""

    class Node:
        def __init__(self, node_id, text):
            self.node_id = node_id
            self.id_ = node_id
            self.text = text

    def __init__(self, node_id, score, text=SECRET_TEXT):
        self.node = self.Node(node_id, text)
        self.score = score


class TestLangChainPairs:
    def test_ids_and_scores_never_content(self, telemetry):
        """``similarity_search_with_score`` pairs record each Document's id and score, not its text."""
        @agentotel.retrieval("kb")
        def search(query):
            return [(LCDocument(page_content=SECRET_TEXT, id="doc-1"), 0.91),
                    (LCDocument(page_content="shipping policy", id="doc-2"), 0.42)]

        result = search("refund")
        assert result[0][1] == 0.91  # the app's value, unchanged
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.document.ids"] == ("doc-1", "doc-2")
        assert a["agentotel.retrieval.document.scores"] == (0.91, 0.42)
        assert a["agentotel.retrieval.outcome"] == "hit"
        assert not any(SECRET_TEXT in str(v) for v in a.values())

    def test_documents_without_ids_record_no_ids(self, telemetry):
        """Documents that have no id: count and scores are recorded, ids and text are not."""
        @agentotel.retrieval("kb")
        def search(query):
            return [(LCDocument(page_content=SECRET_TEXT), 0.8)]

        search("refund")
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.document_count"] == 1
        assert "agentotel.retrieval.document.ids" not in a
        assert a["agentotel.retrieval.top_score"] == 0.8
        assert not any(SECRET_TEXT in str(v) for v in a.values())

    def test_plain_documents(self, telemetry):
        """A list of Documents (``similarity_search``) records their ids; no score, so a hit by count."""
        @agentotel.retrieval("kb")
        def search(query):
            return [LCDocument(page_content=SECRET_TEXT, id="doc-9")]

        search("refund")
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.document.ids"] == ("doc-9",)
        assert a["agentotel.retrieval.outcome"] == "hit"

    def test_content_only_with_capture_on(self, make_telemetry):
        """With content capture on, the documents' text goes to gen_ai.retrieval.documents, redacted."""
        telemetry = make_telemetry(Settings(capture_content="span"))

        @agentotel.retrieval("kb")
        def search(query):
            return [(LCDocument(page_content=SECRET_TEXT, id="doc-1"), 0.9)]

        search("refund")
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.document.ids"] == ("doc-1",)
        documents = a["gen_ai.retrieval.documents"]
        assert "doc-1" in documents and "4111 1111 1111 1111" not in documents


class TestLlamaIndexNodes:
    def test_node_ids_and_scores(self, telemetry):
        """A ``NodeWithScore`` list records the nodes' ids and scores, and a hit."""
        @agentotel.retrieval("kb")
        def retrieve(query):
            return [NodeWithScore("node-a", 0.77), NodeWithScore("node-b", 0.31)]

        retrieve("refund")
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.document.ids"] == ("node-a", "node-b")
        assert a["agentotel.retrieval.document.scores"] == (0.77, 0.31)
        assert a["agentotel.retrieval.outcome"] == "hit"
        assert not any(SECRET_TEXT in str(v) for v in a.values())


class TestUnknownShapes:
    @pytest.mark.parametrize("result", [
        "a plain string", {"answer": 1}, [object()], [("x", "not a score")], 42,
    ], ids=["str", "dict", "objects", "bad-pairs", "int"])
    def test_unknown_is_not_a_miss(self, telemetry, result):
        """A result of a shape agentotel does not understand is outcome ``unknown``, never a miss."""
        @agentotel.retrieval("kb")
        def search(query):
            return result

        assert search("q") is result
        a = telemetry.span("retrieval kb").attributes
        assert a["agentotel.retrieval.outcome"] == "unknown"
        assert "agentotel.retrieval.document_count" not in a
        searches = telemetry.points("agentotel.retrieval.searches")
        assert [attributes["agentotel.retrieval.outcome"] for attributes, _ in searches] == ["unknown"]

    def test_iterator_is_left_to_the_app(self, telemetry):
        """A returned iterator is not consumed by telemetry: the app still reads every item."""
        @agentotel.retrieval("kb")
        def search(query):
            return iter([{"id": "d1", "score": 0.9}])

        assert [d["id"] for d in search("q")] == ["d1"]
        assert telemetry.span("retrieval kb").attributes["agentotel.retrieval.outcome"] == "unknown"

    def test_empty_list_is_a_miss(self, telemetry):
        """An empty list is understood: no document, a miss."""
        @agentotel.retrieval("kb")
        def search(query):
            return []

        search("q")
        assert telemetry.span("retrieval kb").attributes["agentotel.retrieval.outcome"] == "miss"
