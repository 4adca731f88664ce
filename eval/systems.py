"""The systems compared side by side on the same questions, machine and index.

- ``bm25`` / ``dense`` / ``hybrid``: PlanQA's retrieval with one method or both; the answer
  is the top chunk (what a retrieval-only system can offer).
- ``naive``: a textbook LangChain RAG — RecursiveCharacterTextSplitter over each plan's
  text, the same e5 model in a flat FAISS index, the top chunk as the answer, never abstains.
- ``full``: PlanQA (question analysis, hybrid retrieval, evidence selection, composition,
  abstention).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Output:
    answer: str
    abstained: bool
    citations: list[dict] = field(default_factory=list)
    chunks: list[tuple[str, str]] = field(default_factory=list)   # ranked (doc_id, text)
    timings_ms: dict[str, float] = field(default_factory=dict)


class RetrievalOnly:
    def __init__(self, engine, methods: tuple[str, ...]):
        self.engine, self.methods = engine, methods

    def run(self, question: str) -> Output:
        t = time.perf_counter()
        hits = self.engine.search(question, k=10, methods=self.methods)
        ms = (time.perf_counter() - t) * 1000
        chunks = [(h.doc_id, h.text) for h in hits]
        top = hits[0] if hits else None
        cites = [{"doc_id": top.doc_id, "quote": top.text}] if top else []
        return Output(top.text if top else "", False, cites, chunks, {"total": ms})


class Full:
    def __init__(self, engine):
        self.engine = engine

    def run(self, question: str) -> Output:
        ans = self.engine.ask(question)
        hits = ans.evidence
        return Output(ans.answer, ans.abstained, [c.to_dict() for c in ans.citations],
                      [(h["doc_id"], h["text"]) for h in hits], ans.timings_ms)


class NaiveLangChain:
    """RecursiveCharacterTextSplitter + FAISS + top chunk as the answer."""

    def __init__(self, engine, chunk_size: int = 800, overlap: int = 100):
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.engine = engine
        snap = engine.snapshot()
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
        self.docs: list[tuple[str, str]] = []
        for doc_id in snap.primary_documents():
            for piece in splitter.split_text(snap.document_text(doc_id)):
                self.docs.append((doc_id, piece))
        vecs = engine.embedder.encode_passages([t for _, t in self.docs])
        self.index = faiss.IndexFlatIP(vecs.shape[1])
        self.index.add(np.ascontiguousarray(vecs, dtype=np.float32))

    def run(self, question: str) -> Output:
        t = time.perf_counter()
        q = self.engine.embedder.encode_queries([question])
        _, idx = self.index.search(q, 10)
        chunks = [self.docs[i] for i in idx[0] if i >= 0]
        ms = (time.perf_counter() - t) * 1000
        top = chunks[0] if chunks else ("", "")
        return Output(top[1], False, [{"doc_id": top[0], "quote": top[1]}], chunks, {"total": ms})


SYSTEMS = ("bm25", "dense", "naive", "hybrid", "full")


def make_system(name: str, engine):
    if name == "bm25":
        return RetrievalOnly(engine, ("bm25_word", "bm25_fold"))
    if name == "dense":
        return RetrievalOnly(engine, ("dense",))
    if name == "hybrid":
        return RetrievalOnly(engine, ("bm25_word", "bm25_fold", "dense"))
    if name == "naive":
        return NaiveLangChain(engine)
    if name == "full":
        return Full(engine)
    raise ValueError(f"Unknown system {name!r}. Choose from: {', '.join(SYSTEMS)}")
