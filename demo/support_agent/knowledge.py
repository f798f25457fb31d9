"""The shop's FAQ and a small search over it.

The FAQ is bundled (``faq.json``: id, title, keywords, text). A search scores each document by how
much of the question it covers: the IDF-weighted share of the question's words that occur in the
document. Scores run from 0 (nothing in common) to 1 (every word found), so agentotel's retrieval
hit threshold (0.5 by default) reads as "the best document covers half of what was asked".
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

FAQ_FILE = Path(__file__).with_name("faq.json")

#: Weight of a question word that no document contains. Lower than any document word's IDF, so one
#: stray word does not sink a good match, yet a question made of unknown words scores low.
UNKNOWN_WEIGHT = 0.6
#: Share of a word's weight earned when it occurs only in a document's body, not in its title or
#: keywords: the title and keywords say what a document is about, the body mentions more.
BODY_ONLY_WEIGHT = 0.75
#: Documents scoring below this are not returned at all.
MIN_SCORE = 0.1

_STOPWORDS = frozenset("""
a about after again all also am an and any are as at be been before but by can could did do does
doing for from get got had has hasn have haven having he her hi hello hey here how i if in into is
it its just me more my no not now of on or our out please so some still than thank thanks that the
their them then there these they this to too up us very was wasn we were what which who why will
with would yet you your yours already want need know tell ok okay
""".split())
_WORD = re.compile(r"[a-z]+")


def _stem(word: str) -> str:
    """A deliberately tiny stemmer: plural, -ed and -ing endings, doubled final consonants."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The searchable words of a text: lower-cased, stemmed, without stop words and numbers."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    terms: frozenset
    key_terms: frozenset


@dataclass(frozen=True)
class Hit:
    """A search result: what agentotel's retrieval records (``id``, ``score``) and the text."""

    id: str
    score: float
    title: str
    text: str


class KnowledgeBase:
    def __init__(self, docs: list[dict]):
        self.docs = []
        for d in docs:
            key_terms = frozenset(terms(" ".join([d["title"], *d.get("keywords", [])])))
            self.docs.append(Doc(d["id"], d["title"], d["text"], key_terms | frozenset(terms(d["text"])), key_terms))
        n = len(self.docs)
        df: dict[str, int] = {}
        for doc in self.docs:
            for term in doc.terms:
                df[term] = df.get(term, 0) + 1
        self.idf = {term: math.log((n + 1) / (count + 1)) + 1.0 for term, count in df.items()}

    @classmethod
    def bundled(cls) -> "KnowledgeBase":
        return cls(json.loads(FAQ_FILE.read_text(encoding="utf-8")))

    def score(self, question_terms: set[str], doc: Doc) -> float:
        total = sum(self.idf.get(t, UNKNOWN_WEIGHT) for t in question_terms)
        if total == 0:
            return 0.0
        found = sum(self.idf[t] * (1.0 if t in doc.key_terms else BODY_ONLY_WEIGHT) for t in question_terms & doc.terms)
        return found / total

    def search(self, question: str, top_k: int = 3) -> list[Hit]:
        """The ``top_k`` best documents for ``question``, best first (ties by id, for stable order)."""
        question_terms = set(terms(question))
        scored = [(self.score(question_terms, doc), doc) for doc in self.docs]
        scored = [(s, d) for s, d in scored if s >= MIN_SCORE]
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        return [Hit(d.id, round(s, 4), d.title, d.text) for s, d in scored[:top_k]]
