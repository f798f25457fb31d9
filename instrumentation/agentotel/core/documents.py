"""Documents from what a retriever returned, whatever library returned them.

``documents_of`` reads agentotel ``Document``s, dicts or objects with an ``id``, LangChain
``Document``s and ``(Document, score)`` pairs, and LlamaIndex ``NodeWithScore``s: each document's own
id and score, never its text as an id (the text is kept as content, emitted only with content
capture on). A result it does not understand is None (outcome ``unknown``), never an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .records import Document

#: Metadata keys under which retrievers put a LangChain Document's score.
_SCORE_KEYS = ("score", "relevance_score", "similarity_score")


def document_of(item: Any) -> Document | None:
    """One returned document: an agentotel ``Document``, a dict or object with an ``id``, a
    LangChain ``(Document, score)`` pair or a LlamaIndex ``NodeWithScore``. Its id is the document's
    own id (None when it has none), never its text; the text is kept as content, emitted only with
    content capture on. None: a shape not understood."""
    if isinstance(item, Document):
        return item
    if isinstance(item, dict):
        if "id" not in item:
            return None
        return Document(_id(item["id"]), _score(item.get("score")), _text(item.get("content")))
    if isinstance(item, tuple):
        if len(item) != 2 or _score(item[1]) is None:
            return None
        inner = document_of(item[0])
        if inner is None:
            if not isinstance(item[0], (str, int)):
                return None
            return Document(str(item[0]), _score(item[1]))  # (id, score)
        inner.score = _score(item[1])
        return inner
    node = getattr(item, "node", None)
    if node is not None and hasattr(item, "score"):  # LlamaIndex NodeWithScore
        node_id = getattr(node, "node_id", None) or getattr(node, "id_", None)
        return Document(_id(node_id), _score(item.score), None)
    if hasattr(item, "page_content"):  # a LangChain Document: an id or none, never its text
        metadata = getattr(item, "metadata", None) or {}
        score = next((_score(metadata[k]) for k in _SCORE_KEYS if k in metadata), None)
        return Document(_id(getattr(item, "id", None)), score, _text(item.page_content))
    if hasattr(item, "id"):
        return Document(_id(item.id), _score(getattr(item, "score", None)), _text(getattr(item, "content", None)))
    return None


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _score(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def documents_of(value: Any) -> list[Document] | None:
    """Documents from what a retrieval returned (see ``document_of``), or None when the result's
    shape is not understood (the retrieval's outcome is then ``unknown``, never a miss)."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        return None  # an iterator is the app's to consume, not ours
    docs = []
    for item in value:
        doc = document_of(item)
        if doc is None:
            return None
        docs.append(doc)
    return docs
