"""The LangChain retriever returns real chunks with PlanQA's metadata."""
from __future__ import annotations

from rag.langchain import PlanQARetriever


def test_retriever_returns_documents_with_spans(engine):
    docs = PlanQARetriever(engine=engine, k=3).invoke("thoi han thanh lap ban chi dao")
    assert 0 < len(docs) <= 3
    snap = engine.snapshot()
    for d in docs:
        m = d.metadata
        assert {"doc_id", "section", "start", "end", "score", "kind"} <= set(m)
        assert snap.document_text(m["doc_id"])[m["start"]:m["end"]] == d.page_content
    assert any("Ban Chỉ đạo" in d.page_content for d in docs)


def test_retriever_filters_by_plan(engine):
    doc_id = next(iter(engine.snapshot().primary_documents()))
    docs = PlanQARetriever(engine=engine, k=5, filters={"doc_id": [doc_id]}).invoke("chuyển đổi số")
    assert docs and {d.metadata["doc_id"] for d in docs} == {doc_id}
