"""Optional LLM rephrasing: accepted only when citations survive and no number is invented."""
from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.llm import acceptable, rephrase
from rag.types import Answer, Citation


def make_answer() -> Answer:
    c = Citation(1, "kh-a", "Kế hoạch A", "1/KH", "PL1", "Văn phòng Sở\tTháng 4/2026", 10, 35, 0.9)
    return Answer("Ai chủ trì?", "Chủ trì: Văn phòng Sở; thời hạn: Tháng 4/2026 [1]", False, [c])


def test_rephrasing_is_used_when_safe():
    model = FakeListChatModel(responses=["Văn phòng Sở chủ trì, hạn chót tháng 4/2026 [1]."])
    out = rephrase(make_answer(), model=model)
    assert out.answer.startswith("Văn phòng Sở chủ trì") and "[1]" in out.answer


def test_rephrasing_rejected_when_citation_dropped():
    model = FakeListChatModel(responses=["Văn phòng Sở chủ trì, hạn tháng 4/2026."])
    assert rephrase(make_answer(), model=model).answer.endswith("[1]")
    assert rephrase(make_answer(), model=model).answer.startswith("Chủ trì:")


def test_rephrasing_rejected_when_number_invented():
    model = FakeListChatModel(responses=["Văn phòng Sở chủ trì với kinh phí 500 triệu, hạn 4/2026 [1]."])
    assert rephrase(make_answer(), model=model).answer.startswith("Chủ trì:")
    assert not acceptable(make_answer(), "Hạn chót năm 2027 [1]")


def test_no_model_configured_changes_nothing(monkeypatch):
    monkeypatch.delenv("PLANQA_LLM_URL", raising=False)
    a = make_answer()
    assert rephrase(a).answer == "Chủ trì: Văn phòng Sở; thời hạn: Tháng 4/2026 [1]"
