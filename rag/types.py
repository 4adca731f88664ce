"""Small typed results of the read side; they serialize straight into the public contract."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Hit:
    """One retrieved chunk with its fused score and the score of each method."""
    row: int
    chunk_id: str
    doc_id: str
    kind: str
    section_path: list[str]
    heading: str
    text: str
    start: int
    end: int
    score: float
    scores: dict[str, float] = field(default_factory=dict)   # bm25_word, bm25_fold, dense
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    number: str
    section: str
    quote: str          # verbatim slice of the document's normalized text
    start: int
    end: int
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str = ""
    intents: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    confidence: float = 0.0

    def to_dict(self, with_evidence: bool = True) -> dict:
        d = {"id": self.id, "question": self.question, "answer": self.answer, "abstained": self.abstained,
             "citations": [c.to_dict() for c in self.citations], "timings_ms": self.timings_ms,
             "intents": self.intents, "scope": self.scope, "confidence": round(self.confidence, 4)}
        if with_evidence:
            d["evidence"] = self.evidence
        return d
