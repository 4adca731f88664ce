"""LangChain integration: PlanQA's hybrid search as a ``BaseRetriever`` for the portal's chains."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class PlanQARetriever(BaseRetriever):
    """Returns the top-``k`` chunks as LangChain ``Document``s with PlanQA's metadata
    (doc id, plan title/number, section path, kind, span in the normalized text, scores)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    engine: Any
    k: int = 5
    filters: dict | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        snap = self.engine.snapshot()
        out = []
        for h in self.engine.search(query, k=self.k, filters=self.filters):
            meta = snap.documents.get(h.doc_id, {})
            out.append(Document(page_content=h.text, metadata={
                "doc_id": h.doc_id, "title": meta.get("title", ""), "number": meta.get("number", ""),
                "section": " > ".join(h.section_path), "kind": h.kind, "start": h.start, "end": h.end,
                "score": h.score, "scores": h.scores, "chunk_id": h.chunk_id}))
        return out
