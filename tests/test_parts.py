"""A file that holds several documents one after another (a compilation): each is a part of the
file, and a question naming one part is answered from that part alone."""
from __future__ import annotations

from index.build import ingest_files
from index.parts import find_parts
from index.text import normalize
from rag.query import analyse

COMPILATION = """# Kết luận số 12-KL/TW

Kết luận số 12-KL/TW ngày 05/03/2023 của Ban Bí thư về tăng cường phát triển thư viện số.

1. Các tỉnh ủy chỉ đạo xây dựng thư viện số cấp tỉnh, hoàn thành trong năm 2024.

2. Ban Tuyên giáo Trung ương hướng dẫn, kiểm tra việc thực hiện Kết luận này.

| | T/M BAN BÍ THƯ (Đã ký) Lương Cường |
| :---- | :---- |

# Chỉ thị số 34-CT/TW

Chỉ thị số 34-CT/TW ngày 20/08/2022 của Bộ Chính trị về đẩy mạnh số hóa tài liệu lưu trữ.

1. Các bộ, ngành số hóa toàn bộ tài liệu lưu trữ lịch sử, hoàn thành trước năm 2030.

| | T/M BỘ CHÍNH TRỊ (Đã ký) Võ Văn Thưởng |
| :---- | :---- |

# Ghi chú của người biên soạn

Hai văn bản trên cùng bàn về chuyển đổi số trong lĩnh vực văn hóa.
"""


def test_parts_are_the_documents_a_file_holds():
    text = normalize(COMPILATION)
    parts = find_parts(text)
    assert [(p["doc_type"], p["number"], p["date"], p["issuer"], p["signer"]) for p in parts] == [
        ("Kết luận", "12-KL/TW", "2023-03-05", "Ban Bí thư", "Lương Cường"),
        ("Chỉ thị", "34-CT/TW", "2022-08-20", "Bộ Chính trị", "Võ Văn Thưởng")]
    assert text[parts[1]["end"]:].lstrip().startswith("# Ghi chú")     # the compiler's note is no part
    assert text[slice(*parts[0]["field_spans"]["signer_role"])] == "T/M BAN BÍ THƯ"


def test_a_file_holding_one_document_has_no_parts():
    one = COMPILATION.split("# Chỉ thị")[0]
    assert find_parts(normalize(one)) == []
    # a heading naming another document inside a plan is not a second part
    assert find_parts(normalize("# Kế hoạch số 5/KH-UBND\n\nThực hiện Chỉ thị số 34-CT/TW của Bộ Chính trị.")) == []


def test_a_question_naming_a_part_scopes_to_it():
    text = normalize(COMPILATION)
    meta = {"id": "tong-hop", "title": "", "number": "", "doc_type": "", "issuer": "", "parts": find_parts(text)}
    docs = {"tong-hop": meta, "ke-hoach": {"id": "ke-hoach", "number": "7/KH-UBND", "issuer": "UBND tỉnh"}}
    q = analyse("Chỉ thị 34-CT/TW yêu cầu số hóa tài liệu nào?", docs)
    kl, ct = meta["parts"]
    assert q.scope == ["tong-hop"] and q.parts == {"tong-hop": [(ct["start"], ct["end"])]}
    assert "34" not in q.terms and "chi" not in q.terms        # its name is not the topic
    assert analyse("Kết luận 12-KL/TW do ai ký?", docs).parts == {"tong-hop": [(kl["start"], kl["end"])]}
    assert analyse("Kế hoạch 7/KH-UBND giao việc gì?", docs).scope == ["ke-hoach"]


def test_a_part_is_answered_from_its_own_text_and_header(fresh_home, fresh_engine, tmp_path):
    f = tmp_path / "tong-hop-van-ban.md"
    f.write_text(COMPILATION, encoding="utf-8")
    assert ingest_files(fresh_home, [f], fresh_engine.embedder)[0].status == "added"
    signed = fresh_engine.ask("Kết luận 12-KL/TW do ai ký?")
    assert not signed.abstained and "Lương Cường" in signed.answer and "Võ Văn Thưởng" not in signed.answer
    assert all(c.quote in COMPILATION for c in signed.citations)
    assert {c.number for c in signed.citations} == {"12-KL/TW"}       # cited as the part, not the file
    dated = fresh_engine.ask("Chỉ thị số 34-CT/TW ban hành ngày nào?")
    assert "20/08/2022" in dated.answer or "20/8/2022" in dated.answer, dated.answer
    due = fresh_engine.ask("Theo Chỉ thị 34-CT/TW, việc số hóa tài liệu lưu trữ phải hoàn thành khi nào?")
    assert "2030" in due.answer and "2024" not in due.answer, due.answer


def test_a_passage_of_a_compilation_is_labelled_and_cited_as_its_own_document():
    from rag.answer import part_at, plan_label

    text = normalize(COMPILATION)
    meta = {"id": "tong-hop", "title": "", "number": "", "doc_type": "", "parts": find_parts(text)}
    pos = text.index("số hóa toàn bộ tài liệu")
    assert part_at(meta, pos)["number"] == "34-CT/TW"
    assert plan_label(meta, pos) == "Chỉ thị 34-CT/TW (Bộ Chính trị, 2022)"
    assert plan_label(meta, text.index("Hai văn bản")) == "Văn bản"         # the compiler's note: the file
    assert plan_label(meta) == "Văn bản"
