"""What the answers say and which plan a question is about.

Engine-level tests ask the real engine over the seed corpus and read the expected values
from the plan files themselves (their "Nơi nhận" block, a cited document's date), never
from the engine's output; the scope tests use small hand-made document metadata.
"""
from __future__ import annotations

import re

from rag.answer import _with_unit
from tests.conftest import CORPUS


def _recipients_in_file(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    block = text[text.index("Nơi nhận"):].split("\n\n", 2)
    lines = [ln.strip(" -;") for part in block[:2] for ln in part.splitlines() if ln.strip().startswith("-")]
    return [ln for ln in lines if not ln.lower().startswith("lưu")]


def test_who_a_plan_is_sent_to_comes_from_its_recipient_block(engine):
    items = _recipients_in_file("vpubnd-kh-2026-trien-khai-nq71-nq57.txt")
    assert len(items) >= 3
    ans = engine.ask("Kế hoạch của Văn phòng UBND tỉnh được gửi tới những cơ quan, đơn vị nào?")
    assert not ans.abstained, ans.answer
    for item in items:
        assert item in ans.answer, (item, ans.answer)
    assert not re.search(r"\bLưu\b", ans.answer)
    assert len(ans.citations) == 1 and items[0] in ans.citations[0].quote
    # the plan named by its whole title before "được gửi tới": still its recipients
    titled = engine.ask("Kế hoạch của Văn phòng UBND tỉnh về triển khai Nghị quyết 71/NQ-CP và Nghị quyết 57 "
                        "được gửi tới những sở nào?")
    assert titled.answer == ans.answer, titled.answer


def test_where_a_plan_is_filed_comes_from_its_luu_line(engine):
    from rag.query import detect_intents

    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    filed = re.search(r"(?m)^\s*-\s*Lưu:\s*(.+?)\.?\s*$", text).group(1)
    ans = engine.ask("Bản lưu kế hoạch thực hiện NQ57 của UBND xã Nghĩa Đàn được lưu ở bộ phận nào?")
    assert not ans.abstained and filed in ans.answer, ans.answer
    assert len(ans.citations) == 1 and filed in ans.citations[0].quote
    assert "meta" not in detect_intents("phong nao luu tru ho so dien tu cua xa")      # archiving as a task


def test_sent_for_report_keeps_only_the_bc_recipients(engine):
    items = _recipients_in_file("xa-nghia-dan-kh-2025-thuc-hien-nq57.txt")
    reported = [i for i in items if "(b/c)" in i]
    assert reported and len(reported) < len(items)
    ans = engine.ask("UBND xã Nghĩa Đàn gửi kế hoạch này để báo cáo (b/c) cho ai?")
    assert not ans.abstained, ans.answer
    assert all(i in ans.answer for i in reported), ans.answer
    assert not any(i in ans.answer for i in items if i not in reported), ans.answer


def test_when_a_plan_was_signed_asks_its_date_not_its_signer():
    from rag.answer import _meta_fields
    from rag.query import detect_intents

    q = "ke hoach linh vuc noi vu duoc so noi vu ky ngay nao va mang so may"
    assert detect_intents(q) == ["meta"]
    assert [f for f, _ in _meta_fields(q)] == ["number", "date"]
    assert "signer" in [f for f, _ in _meta_fields("ke hoach do ai ky, ky ngay nao")]
    assert detect_intents("kh nq 57 cua xa nghia dan ban hanh thang may nam nao") == ["meta"]
    # "giai đoạn nào" asks a period, not which "đoàn" (a who noun it folds into)
    assert "who" not in detect_intents("chuong trinh dau tu cong de xuat la giai doan nao")


def test_a_header_field_the_question_states_is_not_answered_again(engine):
    """"Ông <người ký> ký … theo hình thức ký thay ai?": the signer is given; only the capacity
    he signs in is answered and cited."""
    from index.text import compact

    meta = engine.snapshot().documents["vpubnd-kh-2026-trien-khai-nq71-nq57"]
    assert meta.get("signer") and meta.get("signer_role")
    ans = engine.ask(f"Ông {meta['signer']} ký kế hoạch triển khai NQ57 của Văn phòng UBND tỉnh "
                     "theo hình thức ký thay ai?")
    assert compact(meta["signer"]) not in compact(ans.answer), ans.answer
    assert len(ans.citations) == 1 and compact(meta["signer_role"].split()[0]) in compact(ans.answer)


def test_meta_questions_phrased_another_way():
    from rag.answer import _meta_fields
    from rag.query import detect_intents

    assert detect_intents("kh 3469 la van ban cua co quan nao") == ["meta"]
    assert [f for f, _ in _meta_fields("kh 3469 la van ban cua co quan nao")] == ["issuer"]
    # "ai thay mặt UBND xã ký" asks the person: the capacity he signs in is what it states
    assert [f for f, _ in _meta_fields("ai thay mat ubnd xa ky ban hanh ke hoach")] == ["signer"]
    assert [f for f, _ in _meta_fields("ket luan 69 ban hanh ngay nao va ai ky thay mat bo chinh tri")] \
        == ["date", "signer"]
    assert "signer_role" in [f for f, _ in _meta_fields("ke hoach do ong x ky thay mat co quan nao")]
    # "ký thay ai" asks the capacity ("KT. Chánh Văn phòng") the signer signs in
    assert "signer_role" in [f for f, _ in _meta_fields("ong x ky ke hoach theo hinh thuc ky thay ai")]
    # "Giám đốc … ký các kế hoạch, tên là gì": a name, not the plan's title
    q = "giam doc so noi vu ky cac ke hoach ve khcn ten la gi"
    assert detect_intents(q) == ["meta"] and [f for f, _ in _meta_fields(q)] == ["signer"]
    assert "title" in [f for f, _ in _meta_fields("ten day du cua ke hoach la gi, ai ky")]
    # a plan given by its blank number ("Kế hoạch số /KH-VPUB") is not asked for its number
    q = "ke hoach so /kh-vpub trien khai nq 71 duoc ky boi nguoi giu chuc danh gi"
    assert [f for f, _ in _meta_fields(q)] == ["signer_role"]
    # "Kế hoạch số 3469 ký ngày 29/6/2025 … do cơ quan nào ban hành": the signing date is given
    q = "ke hoach so 3469 ky ngay 29/6/2025 do co quan nao ban hanh"
    assert [f for f, _ in _meta_fields(q)] == ["issuer"]
    q = "van ban so 3469/kh-snv de ngay 29 thang 6 nam 2025 la cua co quan nao ban hanh"
    assert [f for f, _ in _meta_fields(q)] == ["issuer"]
    # "do cơ quan nào phát hành", "được ban hành vào thời điểm nào"
    q = "ke hoach linh vuc noi vu ban hanh thang 6/2025 la do co quan nao phat hanh"
    assert detect_intents(q) == ["meta"] and [f for f, _ in _meta_fields(q)] == ["issuer"]
    q = "ke hoach cua xa nghia dan duoc ban hanh vao thoi diem nao"
    assert detect_intents(q) == ["meta"] and [f for f, _ in _meta_fields(q)] == ["date"]
    q = "ke hoach cua van phong ubnd tinh duoc danh so, ma hieu van ban nhu the nao"
    assert detect_intents(q) == ["meta"] and [f for f, _ in _meta_fields(q)] == ["number"]
    assert detect_intents("thang ban hanh ke hoach cua xa la thang may") == ["meta"]


def test_a_digital_noun_before_cua_ke_hoach_asks_no_number():
    """"chủ quyền số của Kế hoạch …" is a topic; "số của kế hoạch" alone asks its number."""
    from rag.query import detect_intents

    assert "meta" not in detect_intents("nhom nhiem vu chu quyen so cua ke hoach nam 2026 co ket qua du kien la gi")
    assert "meta" in detect_intents("cho biet so cua ke hoach nay")
    assert "meta" in detect_intents("so cua ke hoach la gi")


def test_a_word_toned_otherwise_than_a_question_word_asks_nothing(engine):
    """"… sang tiếng Anh, Nhật, Hàn, Trung nhằm mục đích gì": "Hàn" folds to "han" but is not
    "hạn" (a deadline); typed without accents, "han" / "nao" still ask."""
    from rag.query import analyse

    q = "Việc nâng cấp Cổng Thông tin điện tử dịch tự động sang tiếng Anh, Nhật, Hàn, Trung nhằm mục đích gì?"
    assert analyse(q).intents == ["open"]
    assert analyse("Thời hạn hoàn thành dịch sang tiếng Hàn là khi nào?").intents == ["when"]
    assert analyse("han hoan thanh dich sang tieng han la khi nao").intents == ["when"]
    assert analyse("Số hóa hồ sơ địa chính phải xong vào năm nao?").intents == ["when"]
    a = engine.ask(q)
    assert not a.abstained and "cung cấp thông tin chính thức" in a.answer and "Thời hạn" not in a.answer, a.answer


def test_the_outcome_of_a_procedure_is_a_topic_not_a_result_asked():
    """"Tỷ lệ số hóa hồ sơ, kết quả xử lý TTHC" names a thing; "kết quả dự kiến" asks a result.
    "Đặt mục đích" is no figure "đạt mức"."""
    from rag.query import analyse, detect_intents

    q = analyse("Năm 2025 tỷ lệ số hóa hồ sơ, kết quả xử lý TTHC là bao nhiêu?")
    assert q.intents == ["number"] and {"ket", "qua"} <= set(q.terms)
    assert detect_intents("ket qua du kien cua nhiem vu so hoa la gi") == ["result"]
    assert "number" not in detect_intents("so noi vu dat muc dich xay dung thanh co quan nhu the nao")
    assert "number" in detect_intents("ty le dat muc bao nhieu")


def test_the_plan_a_plan_implements_comes_from_the_sentence_naming_it(engine):
    """"… để thực hiện kế hoạch số mấy của UBND tỉnh": the plan the text says it implements,
    not the plan's own (blank) number."""
    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    number = re.search(r"Thực hiện (?:Thực hiện )?Kế hoạch số (\S+)", text).group(1)
    for asked in ("Kế hoạch NQ57 của xã Nghĩa Đàn được xây dựng để thực hiện kế hoạch số mấy của UBND tỉnh?",
                  # "trên cơ sở / dựa trên" say the same as "thực hiện"
                  "Kế hoạch NQ57 của xã Nghĩa Đàn được ban hành trên cơ sở kế hoạch nào của UBND tỉnh?",
                  "Kế hoạch NQ57 của xã Nghĩa Đàn dựa trên kế hoạch nào của UBND tỉnh?"):
        ans = engine.ask(asked)
        assert not ans.abstained and number in ans.answer, (asked, ans.answer)
        assert "số hiệu" not in ans.answer and number in ans.citations[0].quote


def test_which_document_a_plan_implements_asked_as_van_ban_nao(engine):
    """"… ban hành để thực hiện văn bản nào của Tỉnh ủy": "văn bản" is any kind of document (and
    "văn bản nào" no "Ban nào"), answered by the sentence naming the one the plan implements."""
    from rag.abstain import naming_units
    from rag.evidence import Unit
    from rag.query import detect_intents

    assert detect_intents("ke hoach duoc ban hanh de thuc hien van ban nao cua tinh uy") == ["meta"]
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    number = re.search(r"Thực hiện Kế hoạch số (\S+)", text).group(1)
    ans = engine.ask("Kế hoạch KHCN, chuyển đổi số năm 2026 của Sở Nội vụ được ban hành để thực hiện văn bản "
                     "nào của Tỉnh ủy?")
    assert not ans.abstained and number in ans.answer, ans.answer
    # a date written out in words dates the document named before it
    said = "Văn phòng Trung ương Đảng có văn bản số 15000-CV/VPTW ngày 23 tháng 5 năm 2025 gửi Đảng ủy."
    u = Unit("sentence", "d", 0, len(said), said, [])
    assert naming_units([u], [r"\bvan ban\b (so )?\d"], dated_within=40) == [u]


def test_figures_carry_their_unit_column():
    assert _with_unit("90", "%") == "90%"
    assert _with_unit("≥ 99", "% dân số") == "≥ 99% dân số"
    assert _with_unit("5", "Sàn dữ liệu") == "5 sàn dữ liệu"
    assert _with_unit("100%", "%") == "100%"            # already has it
    assert _with_unit("Hoàn thành", "%") == "Hoàn thành"   # not a bare figure


def test_instruction_verbs_and_framing_phrases_are_not_topic_terms():
    """"Xã yêu cầu / đề nghị gửi báo cáo …" asks about the report, not about requesting; "được
    xác định là", "giữ vai trò <role>", "bao lâu một lần", "nhắm tới" frame the question, they are not what
    the evidence must say."""
    from rag.query import analyse

    terms = analyse("Xã Nghĩa Đàn yêu cầu gửi báo cáo định kỳ qua phòng nào?").terms
    assert "bao" in terms and not {"yeu", "cau", "de", "nghi"} & set(terms)
    terms = analyse("Chính phủ muốn cơ quan nào chịu trách nhiệm theo dõi chỉ tiêu?").terms
    assert "doi" in terms and not {"muon", "chiu"} & set(terms)
    q = analyse("Việc chia sẻ dữ liệu với tỉnh được đặt mốc thời gian ra sao?")     # a when question
    assert q.intents == ["when"] and "lieu" in q.terms and not {"moc", "dat"} & set(q.terms)
    # "năm 2026 được xác định là bước chuyển …": what the year is called, not identifying
    terms = analyse("Năm 2026 được xác định là chuyển từ giai đoạn nào sang giai đoạn nào?").terms
    assert "giai" in terms and not {"xac", "dinh"} & set(terms)
    assert {"xac", "dinh"} <= set(analyse("Ai xác định danh mục dữ liệu dùng chung?").terms)
    # "giữ vai trò thường trực …" states the role asked about; "giữ vai trò gì" asks it
    terms = analyse("Bộ phận nào giữ vai trò thường trực Ban Chỉ đạo của Sở?").terms
    assert "thuong" in terms and not {"giu", "vai", "tro"} & set(terms)
    assert {"vai", "tro"} <= set(analyse("Văn phòng Sở giữ vai trò gì đối với Ban Chỉ đạo?").terms)
    # "bao lâu một lần" asks how often: its words are the question's form, not its topic
    terms = analyse("Các phòng phải báo cáo tiến độ kế hoạch bao lâu một lần?").terms
    assert "tien" in terms and not {"lau", "lan"} & set(terms)
    # "phải nhắm tới điều gì" asks what a thing aims at: the aiming is the question's form
    terms = analyse("Mỗi nhiệm vụ đưa vào kế hoạch phải nhắm tới điều gì?").terms
    assert "nhiem" in terms and "nham" not in terms


def test_a_besides_clause_states_what_is_given():
    """"Ngoài chế độ báo cáo định kỳ, …": the opening clause states what is given; its time word
    asks no time."""
    from rag.query import analyse

    assert analyse("Ngoài chế độ báo cáo định kỳ, Văn phòng còn phải báo cáo lên hệ thống nào?").intents == ["open"]
    assert analyse("Báo cáo định kỳ gửi về đâu?").intents == ["when"]


def test_words_naming_the_plan_are_not_topic_terms():
    from rag.query import _strip_scope, doc_aliases

    meta = {"number": "03/NQ-CP", "doc_type": "Nghị quyết", "issuer": "Chính phủ"}
    assert _strip_scope("theo nghi quyet 03/nq-cp, cac bo bao cao ve bo kh&cn", [(meta, doc_aliases(meta))]) == "theo , cac bo bao cao ve bo kh&cn"
    meta = {"number": "3469/KH-SNV", "doc_type": "Kế hoạch", "issuer": "Sở Nội vụ"}
    assert _strip_scope("kh 3469 cua so noi vu giao phong kh-tc viec gi", [(meta, doc_aliases(meta))]) == "cua giao phong kh-tc viec gi"
    # named once more, the issuer is what is asked about: "… xây dựng Sở Nội vụ thành cơ quan …"
    assert _strip_scope("ke hoach cua so noi vu dat muc dich xay dung so noi vu thanh co quan nhu the nao",
                        [(meta, doc_aliases(meta))]).split() == \
        "cua dat muc dich xay dung so noi vu thanh co quan nhu the nao".split()


def test_a_polite_opening_is_not_topic():
    """"Nhờ chị xem giúp, …", "Em muốn hỏi …", "Đề nghị cho biết …" ask nothing about the plans:
    their words neither scope nor weigh the question."""
    from rag.query import analyse, without_courtesy

    for opening in ("Nhờ chị xem giúp,", "Em muốn hỏi", "Đề nghị cho biết", "Anh/chị cho biết", "Cho mình hỏi,"):
        q = analyse(f"{opening} kinh phí được bố trí từ những nguồn nào?")
        assert q.terms == analyse("Kinh phí được bố trí từ những nguồn nào?").terms, (opening, q.terms)
    assert without_courtesy("chi tieu ty le") == "chi tieu ty le"      # "chỉ tiêu" is no "chị"


def test_issued_in_which_month_of_a_plan_typed_kh_asks_its_date():
    from rag.query import detect_intents

    assert "meta" in detect_intents("kh cua vp ubnd tinh trien khai nq 71 ban hanh thang may?")


def test_a_restated_plan_title_is_not_topic():
    """"Theo KH phát triển KHCN, ĐMST và CĐS năm 2026 của Sở Nội vụ, …": the title's words
    (abbreviations count as what they stand for) right after "KH" name the plan."""
    from rag.query import _strip_scope, doc_aliases

    meta = {"number": "", "doc_type": "Kế hoạch", "issuer": "Sở Nội vụ",
            "title": "về phát triển khoa học, công nghệ, đổi mới sáng tạo chuyển đổi số trên địa bàn "
                     "tỉnh Nghệ An năm 2026 lĩnh vực Nội vụ"}
    q = "theo kh phat trien khcn, dmst va cds nam 2026 cua so noi vu, de an chuyen doi so hoan thanh khi nao"
    assert _strip_scope(q, [(meta, doc_aliases(meta))]).split() == \
        "theo cua , de an chuyen doi so hoan thanh khi nao".split()
    # title words that do not follow the kind word, or fewer than three of them, stay topic
    kept = "ke hoach 2026 cua so noi vu giao ai phat trien khoa hoc cong nghe"
    assert "khoa hoc cong nghe" in _strip_scope(kept, [(meta, doc_aliases(meta))])
    # the plan's year may come first: "kế hoạch năm 2026 của Sở Nội vụ về KHCN và chuyển đổi số"
    q = "theo ke hoach nam 2026 cua so noi vu ve khcn va chuyen doi so, giai doan nao bat dau"
    assert _strip_scope(q, [(meta, doc_aliases(meta))]).split() == "theo , giai doan nao bat dau".split()
    kept = "ke hoach nam 2026 cua so noi vu giao ai xay dung phan mem"
    assert "xay dung phan mem" in _strip_scope(kept, [(meta, doc_aliases(meta))])


def test_a_title_several_plans_share_restated_without_naming_one_is_not_topic():
    """"… kế hoạch thực hiện Nghị quyết 57 về khoa học, công nghệ, …" with no plan in scope: a
    long restatement of some plan's title (its resolution's number for the full symbol, its date
    and issuer left out) names a plan, not what is asked; a short one stays topic."""
    from rag.query import analyse

    title = ("Thực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển "
             "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia trên địa bàn xã A")
    docs = {d: {"number": n, "doc_type": "Kế hoạch", "issuer": i, "title": title, "date": "2025-05-01"}
            for d, n, i in (("a", "10/KH-UBND", "UBND xã A"), ("b", "20/KH-UBND", "UBND xã B"))}
    q = analyse("Ai theo dõi, đôn đốc việc triển khai kế hoạch thực hiện Nghị quyết 57 về khoa học, "
                "công nghệ, đổi mới sáng tạo và chuyển đổi số?", docs)
    assert q.scope == [] and {"don", "doc", "trien", "khai"} <= set(q.terms) and not {"khoa", "sang", "chuyen"} & set(q.terms), q.terms
    short = analyse("Ai chủ trì xây dựng kế hoạch chuyển đổi số?", docs)
    assert {"chuyen", "doi"} <= set(short.terms), short.terms


def test_an_open_question_is_answered_with_the_rest_of_its_sentences_list_item(engine):
    """The list item's next sentence often says what an open question asks ("… phải gắn kết với
    đề án nào?"): the answer and its citation go on to the end of the item, not of the sentence."""
    from index.text import compact

    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    item = text[text.index("- Xây dựng kế hoạch để mỗi người dân có danh tính số"):]
    item = item[:item.index("\n- ")]
    first, rest = item.split(". ", 1)
    assert rest.strip() and len(item) < 400
    ans = engine.ask("Các nhiệm vụ phục vụ chuyển đổi số để mỗi người dân có danh tính số, tài khoản số "
                     "phải gắn kết với đề án nào?")
    assert compact(rest) in compact(ans.answer), ans.answer
    assert compact(rest) in compact(ans.citations[0].quote)
    # … and so is a "những gì" (list) question's
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    item = text[text.index("- Lồng ghép các nội dung trong nghị quyết"):]
    rest = item[item.index(". ") + 2:item.index("\n- ")]
    assert rest.strip() and len(rest) < 400
    ans = engine.ask("Theo KH 3469, khi lồng ghép nghị quyết vào quy hoạch, kế hoạch phát triển kinh tế - xã hội "
                     "của ngành thì kế hoạch phải xác định rõ những gì?")
    assert compact(rest) in compact(ans.answer), ans.answer
    # a sentence that ends its line ends its item: the next paragraph is not quoted with it
    from rag.answer import Composer, Thresholds
    from rag.query import analyse

    doc = "snv-3469-kh-2025-trien-khai-nq71-nq57"
    text = engine.snapshot().document_text(doc)
    phrase = "đôn đốc việc triển khai thực hiện Kế hoạch này."
    end = text.index(phrase) + len(phrase)
    assert text[end:].lstrip(" ").startswith("\n")
    comp = Composer(engine.snapshot(), analyse("Ai theo dõi?"), Thresholds())
    assert comp.item_end(doc, end) == end
    assert comp.item_end(doc, end - 1) == end        # a unit that stops short of its full stop


def test_a_task_asked_in_a_question_restating_the_title_answers_from_its_row(engine):
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if "Đề án Chuyên đổi số" in ln).split("\t")
    ans = engine.ask("Theo KH phát triển KHCN, ĐMST và CĐS năm 2026 của Sở Nội vụ, Đề án chuyển đổi số "
                     "giai đoạn đến 2030 phải hoàn thành khi nào?")
    assert row[-2] in ans.answer and row[-2].startswith("Quý"), (row, ans.answer)


def test_an_issuers_plan_named_by_what_it_implements_is_that_plan():
    """"kế hoạch của Sở Nội vụ triển khai Nghị quyết 71/NQ-CP": of the issuer's two plans, the
    one whose title implements NQ 71."""
    from rag.query import detect_scope

    docs = {"kh3469": {"number": "", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch",
                       "title": "Triển khai thực hiện Nghị quyết số 71/NQ-CP và Kế hoạch hành động số 328-KH/TU"},
            "kh2026": {"number": "", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch",
                       "title": "về phát triển khoa học, công nghệ năm 2026"}}
    assert detect_scope("kinh phi ke hoach cua so noi vu trien khai nghi quyet 71/nq-cp lay tu dau", docs) == ["kh3469"]
    assert detect_scope("kinh phi ke hoach cua so noi vu lay tu dau", docs) == ["kh2026", "kh3469"]
    # a period the task plans for ("giai đoạn 2026 – 2030") is no plan's year; a plan's year is
    docs["kh3469"]["date"], docs["kh2026"]["date"] = "2025-06-29", "2026-02-14"
    period = "so noi vu trien khai nghi quyet 71/nq-cp giao ai xay dung chuong trinh dau tu cong giai doan 2026 – 2030"
    assert detect_scope(period, docs) == ["kh3469"]
    assert detect_scope("ke hoach nam 2026 cua so noi vu giao ai xay dung chuong trinh den nam 2030", docs) == ["kh2026"]


def test_a_document_a_plan_implements_does_not_scope_the_question_alone():
    from rag.query import detect_scope

    docs = {"nq57": {"number": "57-NQ/TW", "issuer": "Bộ Chính trị", "doc_type": "Nghị quyết"},
            "kh3260": {"number": "3260/KH-ĐĐQH", "issuer": "Đảng đoàn Quốc hội", "doc_type": "Kế hoạch"},
            "kh3469": {"number": "3469/KH-SNV", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch"},
            "kh2026": {"number": "", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch"}}
    assert detect_scope("nghi quyet 57 giao ai chu tri", docs) == ["nq57"]
    assert detect_scope("dang doan quoc hoi giao ai theo doi thuc hien nghi quyet 57", docs) == ["kh3260"]
    assert detect_scope("ai bao cao dang doan quoc hoi ve thuc hien nghi quyet 57", docs) == []    # addressed
    assert detect_scope("ai lo viec thuc hien nghi quyet 57", docs) == []
    # "thực hiện KH 3469 của Sở Nội vụ": the number still picks one of the issuer's plans
    assert detect_scope("kinh phi thuc hien kh 3469 cua so noi vu", docs) == ["kh3469"]
    # "kinh phí / kết quả thực hiện KH 3469": the funding or outcome of carrying that plan out
    assert detect_scope("kinh phi thuc hien kh 3469 lay tu nhung nguon nao", docs) == ["kh3469"]
    assert detect_scope("ket qua thuc hien nghi quyet 57 bao cao ai", docs) == ["nq57"]
    assert detect_scope("ke hoach thuc hien kh 3469 lay kinh phi tu dau", docs) == []
    # "chương trình hành động của Chính phủ về NQ 57": a programme about NQ 57 is not NQ 57
    assert detect_scope("ke hoach cua dang doan quoc hoi ve nq 57 giao ai chu tri", docs) == ["kh3260"]
    assert detect_scope("ai chu tri theo chuong trinh hanh dong ve nghi quyet so 57", docs) == []
    assert detect_scope("bao cao chuong trinh hanh dong nq 57 truoc ngay nao", docs) == []    # the plan implementing it


def test_a_document_the_plan_implements_is_no_topic_word():
    """"Kế hoạch của Sở Nội vụ triển khai Nghị quyết 71/NQ-CP và Kế hoạch 328-KH/TU, …": what the
    plan's own title says it implements names the plan, like its number, not what is asked."""
    from rag.query import _strip_implemented

    meta = {"title": "Triển khai thực hiện Nghị quyết số 71/NQ-CP và Kế hoạch hành động số 328-KH/TU"}
    q = "so noi vu trien khai nghi quyet 71/nq-cp va ke hoach 328-kh/tu, kinh phi lay tu nguon nao"
    assert _strip_implemented(q, meta).split() == "so noi vu kinh phi lay tu nguon nao".split()
    # a document it does not implement, or one named without "triển khai / thực hiện", stays
    assert "57" in _strip_implemented("so noi vu trien khai nghi quyet 57 the nao", meta)
    assert "71" in _strip_implemented("long ghep nghi quyet 71 vao quy hoach", meta)
    # the list of them left when the restated title took "thực hiện NQ" along: "… 71 và 328 (2025), …"
    assert _strip_implemented("theo muc dich cua 71 va 328 (2025), phan dau", meta).split() == \
        "theo muc dich cua (2025), phan dau".split()
    assert "328" in _strip_implemented("theo muc 328 cua ke hoach", meta)


def test_a_bare_number_names_a_document_only_as_its_number():
    """"NQ 03", "số 03", "03/NQ-CP" name Nghị quyết 03; "tối thiểu 03 cơ sở" is a quantity."""
    from rag.query import analyse, detect_scope

    docs = {"nq03": {"number": "03/NQ-CP", "issuer": "Chính phủ", "doc_type": "Nghị quyết"},
            "kh3469": {"number": "3469/KH-SNV", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch"}}
    for named in ("theo nq 03 bo nao chu tri", "nghi quyet so 03 giao ai", "03/nq-cp giao ai chu tri"):
        assert detect_scope(named, docs) == ["nq03"], named
    assert detect_scope("ai chon toi thieu 03 co so nghien cuu", docs) == []
    assert detect_scope("kh 3469 giao ai", docs) == ["kh3469"]
    assert analyse("Những trường nào được chọn trong tối thiểu 03 cơ sở nghiên cứu?").intents == ["open"]


def test_a_plan_is_named_by_its_issuer_level():
    """"Kế hoạch cấp xã" names the plans a commune's people's committee issued; "cấp" never
    precedes a place name, and a level word alone ("cán bộ cấp xã") names no plan."""
    from rag.query import detect_scope

    docs = {"xa": {"number": "", "issuer": "UBND xã Nghĩa Đàn", "doc_type": "Kế hoạch"},
            "snv": {"number": "3469/KH-SNV", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch"}}
    assert detect_scope("phu luc kem theo ke hoach cap xa co ten la gi", docs) == ["xa"]
    assert detect_scope("o cap xa, phong nao thuc hien chinh", docs) == ["xa"]
    assert detect_scope("ke hoach cap huyen giao ai chu tri", docs) == []
    assert detect_scope("so noi vu boi duong can bo cap xa the nao", docs) == ["snv"]
    assert detect_scope("can bo cap xa duoc boi duong the nao", docs) == []


def test_a_plan_is_named_by_the_field_its_title_names():
    """"Kế hoạch … lĩnh vực Nội vụ" names the plans whose title says that field; a year picks one."""
    from rag.query import detect_scope

    docs = {"snv25": {"number": "3469/KH-SNV", "issuer": "Sở Nội vụ", "date": "2025-06-29",
                      "title": "Triển khai Nghị quyết số 71/NQ-CP lĩnh vực Nội vụ"},
            "snv26": {"number": "", "issuer": "Sở Nội vụ", "date": "2026-02",
                      "title": "Về chuyển đổi số năm 2026 lĩnh vực Nội vụ"},
            "vp": {"number": "", "issuer": "Văn phòng UBND tỉnh", "date": "2026-02",
                   "title": "Triển khai Nghị quyết số 71/NQ-CP"}}
    assert detect_scope("ke hoach linh vuc noi vu giao phong nao", docs) == ["snv25", "snv26"]
    # of those, the one whose title implements NQ 71
    assert detect_scope("ke hoach trien khai nghi quyet 71 linh vuc noi vu giao phong nao", docs) == ["snv25"]
    assert detect_scope("ke hoach nam 2025 linh vuc noi vu giao phong nao", docs) == ["snv25"]
    assert detect_scope("linh vuc y te giao phong nao", docs) == []


def test_a_name_inside_a_longer_issuer_name_names_the_longer_one():
    from rag.query import detect_scope

    docs = {"nq03": {"number": "03/NQ-CP", "issuer": "Chính phủ", "doc_type": "Nghị quyết"},
            "cv402": {"number": "402-CV/VPĐU", "issuer": "Văn phòng Đảng ủy Chính phủ", "doc_type": "Công văn"}}
    assert detect_scope("theo bao cao cua dang uy chinh phu da thu hut bao nhieu chuyen gia", docs) == ["cv402"]
    assert detect_scope("chinh phu giao bo nao chu tri", docs) == ["nq03"]


def test_a_cited_document_is_dated_only_by_a_sentence_that_dates_it(engine):
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    date = re.search(r"31-KH/TU ngày (\d{1,2}/\d{1,2}/\d{4})", text).group(1)
    ans = engine.ask("Kế hoạch 31-KH/TU của Tỉnh ủy mà Sở Nội vụ thực hiện được ban hành ngày nào?")
    assert not ans.abstained and date in ans.answer, ans.answer
    assert "31-KH/TU" in ans.citations[0].quote
    # no plan gives the date of Nghị quyết 03/NQ-CP: its number is cited, never dated
    corpus = " ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt"))
    assert not re.search(r"03/NQ-CP[^;\n]{0,40}\d{1,2}/\d{1,2}/\d{4}", corpus)
    ans = engine.ask("Nghị quyết 03/NQ-CP mà xã Nghĩa Đàn dẫn chiếu được ban hành ngày nào?")
    assert ans.abstained, ans.answer
    # a sentence that dates the number answers even when it shares little else with the question
    xa = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    date = re.search(r"71/NQ-CP ngày (\d{1,2}/\d{1,2}/\d{4})", xa).group(1)
    ans = engine.ask("Nghị quyết 71/NQ-CP của Chính phủ mà kế hoạch xã Nghĩa Đàn căn cứ được ban hành ngày nào?")
    assert not ans.abstained and date in ans.answer, ans.answer


def test_a_cited_decree_named_by_number_and_year_is_dated_by_the_sentence_citing_it(engine):
    """"Nghị định 73/2023 … ký ngày mấy": a document named by number and year only (no code) is
    a cited one, dated by the text that cites it, never by the citing plan's own header."""
    from rag.abstain import foreign_documents

    assert foreign_documents("nghi dinh 73/2023 cua chinh phu ky ngay may", {}) == ["73"]
    assert foreign_documents("nghi dinh 73/2023/nd-cp ky ngay may", {}) == ["73"]
    assert foreign_documents("nam 2023 co 73 nhiem vu", {}) == []
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    date = re.search(r"73/2023/NĐ- ?CP ngày (\d{1,2}/\d{1,2}/\d{4})", text).group(1)
    ans = engine.ask("trong kh 3469, nghi dinh 73/2023 cua chinh phu ve khuyen khich can bo nang dong duoc ky ngay may")
    assert not ans.abstained and date in ans.answer, ans.answer


def test_which_document_a_plan_or_a_cited_plan_implements_is_quoted_from_the_text_naming_it(engine):
    """"… được ban hành để thực hiện kế hoạch nào" asks the document implemented, read from the
    text that names it — for a cited plan, its row's text, not the row's lead and deadline."""
    from rag.query import detect_intents

    assert "meta" in detect_intents("ke hoach cua xa duoc ban hanh de thuc hien ke hoach nao cua ubnd tinh")
    xa = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    implemented = re.search(r"Kế hoạch số (\d+/KH-UBND)", xa).group(1)
    ans = engine.ask("Kế hoạch thực hiện Nghị quyết 57 của xã Nghĩa Đàn được ban hành để thực hiện kế hoạch nào "
                     "của UBND tỉnh?")
    assert implemented in ans.answer, ans.answer
    snv = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    m = re.search(r"Kế hoạch số (\d+)/KH-UBND ngày (\S+) của UBND tỉnh về thực hiện Nghị quyết số (\d+/NQ-CP)", snv)
    ans = engine.ask(f"Kế hoạch {m.group(1)}/KH-UBND ngày {m.group(2)} của UBND tỉnh được ban hành để thực hiện "
                     "nghị quyết nào của Chính phủ?")
    assert m.group(3) in ans.answer, ans.answer


def test_a_short_section_whose_title_names_the_topic_lists_its_items(engine):
    """"Kinh phí … lấy từ những nguồn nào": the title "KINH PHÍ THỰC HIỆN" names half the
    question, its numbered items (the sources) the rest; they are the answer."""
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    section = re.search(r"KINH PHÍ THỰC HIỆN\n(.*?)\n[IVX]+\. ", text, re.S).group(1)
    items = [ln[3:30] for ln in section.splitlines() if re.match(r"\d\. ", ln)]
    assert len(items) >= 3
    ans = engine.ask("Kinh phí thực hiện kế hoạch của Sở Nội vụ triển khai NQ 71 lấy từ những nguồn nào?")
    assert all(item in ans.answer for item in items), (items, ans.answer)


def test_a_subjectless_sentence_is_answered_with_the_heading_naming_its_subject(engine):
    """"- Là cơ quan thường trực Ban Chỉ đạo …" under "2. Văn phòng Sở": whatever the question's
    type, the answer names the unit the heading gives, and the citation quotes it."""
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    before = text[:text.index("- Là cơ quan thường trực Ban Chỉ đạo")]
    unit = re.findall(r"^\d\. (.+)$", before, re.M)[-1].strip()
    ans = engine.ask("Cơ quan thường trực Ban Chỉ đạo của Sở Nội vụ?")
    assert unit in ans.answer and any(unit in c.quote for c in ans.citations), (unit, ans.answer)


def test_a_second_plan_is_quoted_only_when_it_matches_well(engine):
    """An unscoped question answered per plan: another plan's row joins the answer when it is
    nearly as good as the best (ratio) *and* a good match on its own (floor)."""
    from rag.evidence import Unit
    from rag.query import analyse

    def task(doc, match):       # each plan words its row its own way (a copied row: the next test)
        text = {"a": "Xây dựng cơ sở dữ liệu cán bộ", "b": "Xây dựng cơ sở dữ liệu về hội, quỹ của tỉnh"}[doc]
        u = Unit("task", doc, 0, 10, text, [], record={"content": "x", "span": [0, 10]})
        u.match = u.score = match
        return u

    th = engine.thresholds
    best = 0.85
    # "who": the other plan's row names its unit, a slightly lower floor
    for question, floor in (("Ai chủ trì xây dựng cơ sở dữ liệu?", th.other_plan_floor_who),
                            ("Khi nào hoàn thành xây dựng cơ sở dữ liệu?", th.other_plan_floor)):
        q = analyse(question)
        weak = floor - 0.02          # within the ratio of the best, below the floor
        assert weak >= th.other_plan * best
        assert [u.doc_id for u in engine.select(q, [task("a", best), task("b", weak)])] == ["a"], question
        assert [u.doc_id for u in engine.select(q, [task("a", best), task("b", floor + 0.01)])] == ["a", "b"]
    assert th.other_plan_floor_who < th.other_plan_floor
    # a weakly worded "who" question: another plan's row matching as well as the best one joins it
    who, when = analyse("Ai chủ trì xây dựng cơ sở dữ liệu?"), analyse("Khi nào hoàn thành xây dựng cơ sở dữ liệu?")
    assert [u.doc_id for u in engine.select(who, [task("a", 0.6), task("b", 0.6)])] == ["a", "b"]
    assert [u.doc_id for u in engine.select(who, [task("a", 0.6), task("b", 0.58)])] == ["a"]
    assert [u.doc_id for u in engine.select(when, [task("a", 0.6), task("b", 0.6)])] == ["a"]


def test_of_another_plans_rows_matching_alike_the_one_worded_as_the_best_joins(engine):
    """Two rows of another plan match the question alike (within ``near_tie``): the one that
    words the task as the best plan's row does is that task there, whatever their order."""
    from rag.evidence import Unit
    from rag.query import analyse

    def task(doc, match, text):
        u = Unit("task", doc, 0, 10, text, [], record={"content": text, "deadline_text": "Thường xuyên",
                                                       "span": [0, 10]})
        u.match = u.score = match
        return u

    th = engine.thresholds
    q = analyse("Việc bảo đảm mỗi cơ quan có ít nhất 01 cán bộ chuyên trách được đặt thời hạn thế nào?")
    best = task("a", 0.82, "Bố trí cán bộ có chuyên môn trong cơ quan, đảm bảo ít nhất 01 cán bộ chuyên trách")
    other = task("b", 0.79, "Xây dựng cơ chế chính sách bảo đảm mỗi cơ quan có ít nhất một cán bộ chuyên trách")
    alike = task("b", 0.79 - th.near_tie / 2, "Bố trí cán bộ có chuyên môn trong đội ngũ, đảm bảo ít nhất 01 cán bộ "
                                              "chuyên trách")
    assert engine.select(q, [best, other, alike]) == [best, alike]
    # one matching clearly less is another task's row, however it is worded
    alike.match = 0.79 - 2 * th.near_tie
    assert engine.select(q, [best, other, alike]) == [best, other]


def test_another_plan_joins_only_if_it_gives_what_is_asked(engine):
    """"Bao nhiêu cán bộ": a second plan's sentence on "50% cán bộ chuyên trách" states a share of
    them, not how many; it does not join the best plan's "ít nhất 01 cán bộ", while a second
    plan's count ("ít nhất 02 cán bộ") does."""
    from rag.evidence import Unit
    from rag.query import analyse

    def sentence(doc, match, text):
        u = Unit("sentence", doc, 0, len(text), text, [])
        u.match = u.score = match
        return u

    q = analyse("Mỗi cơ quan phải bố trí ít nhất bao nhiêu cán bộ chuyên trách về chuyển đổi số?")
    best = sentence("a", 0.93, "Phấn đấu bố trí ít nhất 01 cán bộ chuyên trách về chuyển đổi số mỗi cơ quan.")
    share = sentence("b", 0.90, "Phấn đấu có ít nhất 50% cán bộ chuyên trách về chuyển đổi số mỗi cơ quan được đào tạo.")
    assert engine.select(q, [best, share]) == [best]
    count = sentence("b", 0.90, "Mỗi cơ quan bố trí ít nhất 02 cán bộ chuyên trách về chuyển đổi số.")
    assert engine.select(q, [best, count]) == [best, count]


def test_a_unit_a_second_plan_names_for_the_same_task_joins_a_who_answer(engine):
    """"Đơn vị nào chủ trì … thanh toán không dùng tiền mặt": the xã's row and the Sở's section
    naming its unit ("Phòng Kế hoạch - Tài chính - Chủ trì tham mưu … thanh toán không dùng tiền
    mặt"), worded otherwise, are both quoted, each under its plan."""
    ans = engine.ask("Đơn vị nào chủ trì triển khai nhiệm vụ thúc đẩy thanh toán không dùng tiền mặt?")
    assert len({c.doc_id for c in ans.citations}) == 2, ans.answer
    assert all("không dùng tiền mặt" in c.quote for c in ans.citations), ans.answer


def test_a_passage_two_plans_share_answers_for_both(engine):
    """The same sentence in two plans (one copied from the other) is quoted per plan once it
    clears the abstain floor, though it is below the second-plan floor; a different sentence
    as weak is not."""
    from rag.evidence import Unit
    from rag.query import analyse

    th = engine.thresholds
    text = "Báo cáo tiến độ, kết quả thực hiện hàng tháng trước ngày 20 hàng tháng, gửi {} tổng hợp."

    def sentence(doc, match, unit):
        u = Unit("sentence", doc, 0, 10, text.format(unit), [])
        u.match = u.score = match
        return u

    q = analyse("Báo cáo tiến độ hằng tháng được gửi về đơn vị nào để tổng hợp?")
    best, weak = th.abstain + 0.09, th.abstain + 0.06
    assert weak < th.other_plan_floor and weak >= th.other_plan * best
    copy = sentence("b", weak, "Văn phòng Sở")
    assert [u.doc_id for u in engine.select(q, [sentence("a", best, "phòng Hành chính - Quản trị"), copy])] == ["a", "b"]
    other = Unit("sentence", "b", 0, 10, "Văn phòng Sở tổng hợp báo cáo tiến độ các nhiệm vụ được giao.", [])
    other.match = other.score = weak
    assert [u.doc_id for u in engine.select(q, [sentence("a", best, "phòng Hành chính - Quản trị"), other])] == ["a"]


def test_which_document_a_plan_cites_comes_from_its_text_not_its_header(engine):
    """"… thực hiện kế hoạch số mấy / căn cứ nghị định nào" asks for a document the plan
    names in its text; the plan's own number is not the answer."""
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    cited = re.search(r"Thực hiện Kế hoạch số (\d+)/KH", text).group(1)
    ans = engine.ask("Kế hoạch 3469 của Sở Nội vụ thực hiện kế hoạch số mấy của UBND tỉnh?")
    assert cited in ans.answer and "3469" not in ans.answer


def test_a_row_that_lists_the_items_asked_for_answers_alone_and_whole(engine):
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if "4 lớp" in ln and "(1)" in ln)
    items = [" ".join(m.split()[:3]) for m in re.findall(r"\(\d\)\s*([^.;(]+)", row)]
    assert len(items) >= 4
    ans = engine.ask("Mô hình bảo đảm an toàn thông tin 4 lớp trong kế hoạch năm 2026 của Sở Nội vụ gồm những lớp nào?")
    assert all(item in ans.answer for item in items), (items, ans.answer)
    assert len(ans.citations) == 1


def test_a_task_line_quotes_the_part_of_the_row_the_question_is_about(engine):
    """A deadline answer quotes the clause of the task the question names — here its
    condition, which sits past the row's first 90 characters."""
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if "mạng Lan" in ln)
    condition = re.search(r"sau khi [^.\t]+", row).group(0)
    assert row.index(condition) > 90
    assert condition in engine.ask("Bao giờ Sở Nội vụ nâng cấp hệ thống mạng LAN?").answer


def test_issued_in_which_month_asks_the_plans_date_only():
    """"Kế hoạch … ban hành tháng mấy": a meta question, answered with the date alone."""
    from rag.answer import _meta_fields
    from rag.query import analyse

    q = analyse("Phụ lục kế hoạch của xã Nghĩa Đàn ghi ban hành tháng mấy năm nào?")
    assert q.intents == ["meta"]
    assert [f for f, _ in _meta_fields(q.folded)] == ["date"]
    assert "meta" not in analyse("Quy chế hoạt động phải ban hành trong quý mấy?").intents
    q = analyse("Kế hoạch của Văn phòng UBND tỉnh được ban hành vào thời gian nào?")
    assert q.intents == ["meta"] and [f for f, _ in _meta_fields(q.folded)] == ["date"]


def test_a_who_answer_from_a_sections_heading_quotes_the_heading(engine):
    """"1.4. Phòng Thi đua khen thưởng / - Tham mưu …": the unit is in the heading, so the
    citation's verbatim quote starts at the heading, not at the sentence under it."""
    a = engine.ask("Trong kế hoạch 3469, phòng nào tham mưu đưa kết quả thực hiện NQ57 vào đánh giá, "
                   "xếp loại, thi đua khen thưởng cán bộ hàng năm?")
    assert not a.abstained and "Thi đua khen thưởng" in a.answer
    quote = a.citations[0].quote
    assert quote.startswith("1.4. Phòng Thi đua khen thưởng") and "xếp loại" in quote
    text = engine.snapshot().document_text(a.citations[0].doc_id)
    assert text[a.citations[0].start:a.citations[0].end] == quote


def test_a_heading_far_above_its_duty_is_quoted_with_it(engine):
    """"5.1. Các phòng chuyên môn thuộc Sở, …" heads several paragraphs: a duty further down is
    still quoted from the heading (which says who), in one verbatim passage longer than a
    sentence's quote may be."""
    from rag.answer import MAX_QUOTE

    a = engine.ask("Theo KH 3469, ai có trách nhiệm tăng cường kết nối, chia sẻ, sử dụng chung hạ tầng số "
                   "giữa địa phương, Ngành với Trung ương?")
    assert not a.abstained and "phòng chuyên môn" in a.answer
    c = a.citations[0]
    assert c.quote.startswith("5.1. Các phòng chuyên môn") and c.quote.rstrip().endswith("với các Ngành.")
    assert len(c.quote) > MAX_QUOTE
    assert engine.snapshot().document_text(c.doc_id)[c.start:c.end] == c.quote


def test_a_heading_line_joins_the_sentence_under_it():
    """"3. Về cung cấp dịch vụ công trực tuyến" alone answers nothing: it is read with the
    sentence that follows; a full sentence stays alone."""
    from rag.evidence import _merged_sentences

    text = ("3. Về cung cấp dịch vụ công trực tuyến\n* Tỷ lệ hồ sơ trực tuyến toàn trình đạt gần 40%.\n"
            "Nghị quyết này phổ biến đến chi bộ.\nCác bộ, ngành báo cáo định kỳ 6 tháng.")
    got = [text[s:e] for s, e in _merged_sentences(text, 0)]
    assert "Về cung cấp dịch vụ công trực tuyến\n* Tỷ lệ hồ sơ trực tuyến toàn trình đạt gần 40%." in got
    assert "Nghị quyết này phổ biến đến chi bộ." in got


def test_where_a_task_comes_from_is_its_note(engine):
    """"… được cập nhật bổ sung từ văn bản nào?": the row's Ghi chú cell answers, quoted first."""
    from rag.query import asks_source

    assert asks_source("nhiem vu nay duoc cap nhat bo sung tu van ban nao")
    assert asks_source("mo hinh 4 lop duoc lay tu ke hoach nao cua ban chi dao")
    assert not asks_source("ai chu tri mo hinh 4 lop")
    a = engine.ask("Nhiệm vụ xây dựng danh mục nhiệm vụ đột phá năm 2026 được cập nhật bổ sung từ văn bản nào?")
    assert not a.abstained and a.answer.startswith("Cập nhật bổ sung từ CTCT 02-CTr/BCĐTW")


def test_a_two_part_question_quotes_both_parts_of_a_long_row(engine):
    """"… theo cách nào, và … mã của cơ quan nào?": the quoted part of the row holds both."""
    from index.text import compact

    text = compact((CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8"))
    parts = [compact("từng lần bán hàng"), compact("mã xác thực của cơ quan Thuế")]
    assert all(p in text for p in parts)
    ans = engine.ask("Với cửa hàng bán lẻ xăng dầu, hóa đơn điện tử phải được phát hành theo cách nào, và hóa đơn "
                     "khởi tạo từ máy tính tiền phải có mã xác thực của cơ quan nào?")
    assert not ans.abstained, ans.answer
    assert all(p in compact(ans.answer) for p in parts), ans.answer


def test_which_tasks_are_due_at_a_time_lists_the_rows_with_that_deadline(engine):
    lines = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8").splitlines()
    for asked, cell in (("Quý IV/2026", "Quý IV/2026"), ("quy II/2026", "Quý II/2026")):
        due = [ln.split("\t")[1] for ln in lines if re.search(rf"\t{re.escape(cell)}(\t|$)", ln)]
        assert due, cell
        ans = engine.ask(f"Những nhiệm vụ nào trong Phụ lục 1 kế hoạch 2026 của Sở Nội vụ có thời hạn hoàn thành {asked}?")
        assert not ans.abstained, ans.answer
        assert len(ans.citations) == len(due), ans.answer
        for content in due:
            assert content[:40] in ans.answer, (content, ans.answer)


def test_a_figure_asked_comes_from_the_row_that_gives_it(engine):
    """The body sentence and the appendix row say the same, only the row gives the share:
    the row answers (the sentence alone would leave nothing to answer with)."""
    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    share = re.search(r"(\d+%) sản phẩm OCOP", text).group(1)
    ans = engine.ask("Theo kế hoạch xã Nghĩa Đàn, bao nhiêu phần trăm sản phẩm OCOP phải được bán trên sàn "
                     "thương mại điện tử?")
    assert not ans.abstained and share in ans.answer, ans.answer
    assert share in ans.citations[0].quote


def _appendix_block(name: str, number: int) -> str:
    text = (CORPUS / name).read_text(encoding="utf-8")
    start = text.index(f"PHỤ LỤC {number}")
    nxt = text.find(f"PHỤ LỤC {number + 1}", start)
    return text[start:nxt if nxt > 0 else len(text)]


def test_an_appendix_title_comes_from_its_heading(engine):
    block = _appendix_block("vpubnd-kh-2026-trien-khai-nq71-nq57.txt", 2)
    title = next(ln.strip() for ln in block.splitlines()[1:] if ln.strip())
    assert title.isupper() and len(title.split()) >= 3
    ans = engine.ask("Phụ lục 2 kèm kế hoạch của Văn phòng UBND tỉnh có tên gọi là gì?")
    assert not ans.abstained and title in ans.answer, ans.answer
    assert len(ans.citations) == 1 and title in ans.citations[0].quote
    # every appendix of the plan when none is numbered
    ans = engine.ask("Kế hoạch của Văn phòng UBND tỉnh kèm theo những phụ lục nào?")
    assert ans.answer.count("Phụ lục") == 2 and title in ans.answer, ans.answer


def test_how_many_rows_an_appendix_holds_is_counted_from_its_table(engine):
    rows = {n: len(re.findall(r"(?m)^\d+\t", _appendix_block("vpubnd-kh-2026-trien-khai-nq71-nq57.txt", n)))
            for n in (1, 2)}
    assert rows[1] > 5 and rows[2] > 5 and rows[1] != rows[2]
    ans = engine.ask("Phụ lục 2 kế hoạch của Văn phòng UBND tỉnh giao tổng cộng bao nhiêu nhiệm vụ?")
    assert re.search(rf"\b{rows[2]} nhiệm vụ", ans.answer), ans.answer
    ans = engine.ask("Phụ lục 1 kèm kế hoạch của Văn phòng UBND tỉnh có bao nhiêu chỉ tiêu?")
    assert re.search(rf"\b{rows[1]} chỉ tiêu", ans.answer), ans.answer
    assert len(ans.citations) == 1           # the last row counted
    # an appendix the plan does not have is not counted
    assert engine.ask("Phụ lục 3 kế hoạch của Văn phòng UBND tỉnh giao bao nhiêu nhiệm vụ?").abstained


def test_a_table_group_is_named_by_its_numeral_or_its_words():
    from rag.query import analyse
    from rag.structure import _named_group

    rows = [{"group": g} for g in ("I Nhóm nhiệm vụ về lãnh đạo, chỉ đạo", "V Chuyển đổi số > 5.1 Hạ tầng số",
                                   "V Chuyển đổi số > 5.2 Dữ liệu số",
                                   "VI Nhóm nhiệm vụ bảo đảm an ninh mạng và chủ quyền số")]
    assert _named_group(analyse("Mục VI của phụ lục có mấy nhiệm vụ?"), rows).startswith("VI ")
    assert _named_group(analyse("Nhóm bảo đảm an ninh mạng, chủ quyền số gồm mấy nhiệm vụ?"), rows).startswith("VI ")
    assert _named_group(analyse("Phần dữ liệu số trong nhóm chuyển đổi số có bao nhiêu nhiệm vụ?"),
                        rows).endswith("Dữ liệu số")
    assert _named_group(analyse("Nhóm nhiệm vụ về thanh tra có bao nhiêu nhiệm vụ?"), rows) == ""
    long = rows + [{"group": "II Công tác lãnh đạo, chỉ đạo; nâng cao nhận thức về phát triển khoa học, công nghệ"}]
    q = analyse("phu luc 2, muc cong tac lanh dao, chi dao, nang cao nhan thuc co bao nhieu nhiem vu")
    assert _named_group(q, long).startswith("II Công tác")       # the opening words of a long title


def test_a_units_tasks_are_listed_from_the_part_the_question_names():
    from rag.evidence import Unit
    from rag.query import analyse
    from rag.structure import in_named_part

    def row(content, path, group):
        return Unit("task", "d", 0, 10, content, [], record={"content": content, "lead": "Văn phòng Sở",
                                                            "section_path": [path], "group": group})
    rows = [row("Thành lập Ban Chỉ đạo", "PL1", "I Nhóm nhiệm vụ về lãnh đạo, chỉ đạo"),
            row("Triển khai Kế hoạch ứng phó sự cố", "PL1", "VI Nhóm nhiệm vụ bảo đảm an ninh mạng và chủ quyền số"),
            row("Thuê phần mềm lưu trữ", "PL2", "B Các nhiệm vụ đột phá cụ thể")]
    q = analyse("Trong nhóm nhiệm vụ bảo đảm an ninh mạng và chủ quyền số, Văn phòng Sở có những nhiệm vụ nào?")
    assert [u.text for u in in_named_part(q, rows)] == ["Triển khai Kế hoạch ứng phó sự cố"]
    q = analyse("Văn phòng Sở có những nhiệm vụ đột phá nào trong Phụ lục 2?")
    assert [u.text for u in in_named_part(q, rows)] == ["Thuê phần mềm lưu trữ"]
    assert in_named_part(analyse("Văn phòng Sở được giao những nhiệm vụ nào?"), rows) == rows
    assert in_named_part(analyse("Văn phòng Sở có những nhiệm vụ nào trong Phụ lục 3?"), rows) == rows


def test_which_appendix_a_sentence_points_to_is_no_title_question():
    from rag.structure import _TITLE_Q

    assert _TITLE_Q.search("phu luc 2 kem ke hoach co ten goi la gi")
    assert _TITLE_Q.search("ke hoach kem theo nhung phu luc nao")
    assert not _TITLE_Q.search("cac don vi duoc giao chu tri nhiem vu tai phu luc nao phai xay dung ke hoach")
    assert not _TITLE_Q.search("trong cac phu luc danh muc nhiem vu, don vi nao duoc giao chu tri bo tri can bo")


def test_a_codes_leading_parts_match_the_number_a_question_types():
    """"NĐ 179/2024" in a question finds the row that writes "Nghị định số 179/2024/NĐ-CP"."""
    from rag.evidence import _terms_of

    have, _ = _terms_of("Tham mưu triển khai Nghị định số 179/2024/NĐ-CP của Chính phủ")
    assert {"179/2024", "179", "179/2024/nd-cp"} <= have
    assert "2024" not in have       # only leading parts: a year alone is not the document


def test_asking_for_a_milestone_is_the_questions_form_not_its_topic():
    from rag.query import content_terms

    assert "moc" not in content_terms("to chuyen doi so duy tri den khi nao, co moc hoan thanh khong")


def test_a_question_naming_its_section_counts_the_sections_title(engine):
    """"Tại mục III.1 (Công tác lãnh đạo, chỉ đạo) …, phòng nào …": the title's words are in the
    unit's heading, and count as fully as its own words."""
    from rag.evidence import Unit, score_units
    from rag.query import analyse

    snap = engine.snapshot()

    def match(question):
        u = Unit("sentence", "d", 0, 10, "Phòng Thi đua khen thưởng tham mưu phát động phong trào thi đua.", [],
                 heading="1. Công tác lãnh đạo, chỉ đạo; nâng cao nhận thức và quyết tâm chính trị")
        return score_units(snap, analyse(question), [u])[0].match

    located = "Tại mục III.1 (Công tác lãnh đạo, chỉ đạo; nâng cao nhận thức) phòng nào phát động phong trào thi đua?"
    unlocated = "Trong công tác lãnh đạo, chỉ đạo; nâng cao nhận thức, phòng nào phát động phong trào thi đua?"
    assert match(located) > match(unlocated)


def test_a_question_naming_a_part_of_the_plan_is_answered_from_that_part():
    """"Theo phần Yêu cầu …, mỗi nhiệm vụ phải hướng tới điều gì": only the units under the part
    it names compete; a question naming no part, or a part no unit is under, keeps them all."""
    from rag.evidence import Unit, in_named_section
    from rag.query import analyse

    required = Unit("sentence", "d", 0, 10, "Mỗi nhiệm vụ phải giải quyết một điểm nghẽn.", [],
                    heading="KẾ HOẠCH › I. MỤC ĐÍCH, YÊU CẦU › 2. Yêu cầu")
    row = Unit("task", "d", 0, 10, "Phát động phong trào thi đua thực hiện nhiệm vụ", [])
    both = [row, required]
    assert in_named_section(analyse("Theo phần Yêu cầu của kế hoạch, mỗi nhiệm vụ phải hướng tới điều gì?"),
                            both) == [required]
    assert in_named_section(analyse("Mỗi nhiệm vụ phải hướng tới điều gì?"), both) == both
    assert in_named_section(analyse("Trong phần tổ chức thực hiện, nhiệm vụ nào do phòng thi đua làm?"),
                            both) == both


def test_how_often_is_read_from_prose_before_task_rows():
    """"… báo cáo tiến độ theo định kỳ nào": the organisation part says how often; a task row's
    deadline says when one task is due, and is preferred only for a plain "khi nào"."""
    from rag.engine import _preferred_kinds
    from rag.query import analyse

    assert _preferred_kinds(analyse("Các phòng báo cáo tiến độ gửi Văn phòng Sở theo định kỳ nào?"))[0] == "sentence"
    assert _preferred_kinds(analyse("Kết quả được báo cáo bao lâu một lần?"))[0] == "sentence"
    assert _preferred_kinds(analyse("Khi nào phải hoàn thành báo cáo tiến độ?"))[0] == "task"


def test_a_two_syllable_topic_is_matched_as_a_word(engine):
    """"… tổng kết 5 năm … vào năm nào": a sentence with "tổng hợp" and "kết quả" has both syllables
    but not the word, and matches below the floor; one with "tổng kết" matches fully."""
    from rag.evidence import Unit, score_units
    from rag.query import analyse

    snap = engine.snapshot()
    q = analyse("Sẽ tổng kết vào năm nào?")

    def match(text):
        return score_units(snap, q, [Unit("sentence", "d", 0, 10, text, [])])[0].match

    assert match("Tổng hợp, báo cáo kết quả thực hiện hằng năm.") < 0.5 <= match("Tổng kết vào năm 2030.")


def test_a_question_typed_with_accents_is_matched_with_its_tones(engine):
    """"Quỹ phát triển" is not "quy trình": typed with accents, a term the text has only as another
    word of the same letters counts part in the toned match; typed without accents, it cannot
    be told apart. A word the scan mis-accents beside a neighbour spelt as typed ("Đề án Chuyên
    đổi số") still counts whole."""
    from rag.evidence import Unit, score_units
    from rag.query import analyse

    snap = engine.snapshot()

    def matches(question, text):
        u = score_units(snap, analyse(question), [Unit("sentence", "d", 0, 10, text, [])])[0]
        return u.match, u.typed_match

    other_word = "Rà soát quy trình phát triển phần mềm của tỉnh."
    folded, toned = matches("Đơn vị nào quản lý quỹ phát triển phần mềm của tỉnh?", other_word)
    assert toned < folded
    assert matches("don vi nao quan ly quy phat trien phan mem cua tinh?", other_word)[1] == folded
    same_word = "Đơn vị quản lý quỹ phát triển phần mềm của tỉnh."
    assert len(set(matches("Đơn vị nào quản lý quỹ phát triển phần mềm của tỉnh?", same_word))) == 1
    assert len(set(matches("Đề án Chuyển đổi số hoàn thành khi nào?", "Xây dựng Đề án Chuyên đổi số."))) == 1
    # the engine answers only from a unit that clears the floor both ways
    q = analyse("Đơn vị nào quản lý quỹ phát triển phần mềm của tỉnh?")
    unit = score_units(snap, q, [Unit("sentence", "d", 0, 10, other_word, [])])[0]
    unit.match, unit.toned_match = 0.9, engine.thresholds.abstain - 0.01
    assert engine.select(q, [unit]) == []
    unit.toned_match = 0.9
    assert engine.select(q, [unit]) == [unit]
    # … and so must a second plan's copy of the answering passage
    text = "Văn phòng Sở quản lý quỹ phát triển phần mềm của tỉnh."
    best, copy = score_units(snap, q, [Unit("sentence", "d", 0, 10, text, []), Unit("sentence", "e", 0, 10, text, [])])
    best.match = best.toned_match = engine.thresholds.abstain + 0.05
    copy.match = copy.toned_match = engine.thresholds.abstain + 0.01
    assert engine.select(q, [best, copy]) == [best, copy]
    copy.toned_match = engine.thresholds.abstain - 0.01
    assert engine.select(q, [best, copy]) == [best]
    # … and units are ranked as typed: "điện tử" is not "diện rộng", "dùng chung" not "xây dựng"
    # (a row on the Party's "Mạng thông tin diện rộng … do Trung ương xây dựng" matches folded better)
    a = engine.ask("Khi Cổng Thông tin điện tử chủ trì triển khai các nền tảng số dùng chung theo danh mục "
                   "đã ban hành, đơn vị nào phối hợp?")
    assert not a.abstained and "diện rộng" not in a.answer, a.answer
    assert "nền tảng số dùng chung" in a.citations[0].quote and "Cổng Thông tin điện tử" in a.citations[0].quote


def test_an_indicator_row_is_named_by_its_unit_column_too(engine):
    """"Chỉ tiêu chi ngân sách (≥ 3% tổng chi NSNN) do cơ quan nào theo dõi": the row "Chi ngân sách
    hằng năm cho …" says "% tổng chi NSNN" in its unit column, not in its name."""
    from rag.evidence import Unit, score_units
    from rag.query import analyse

    snap = engine.snapshot()
    q = analyse("Chỉ tiêu chi ngân sách hằng năm (≥3% tổng chi NSNN) do cơ quan nào theo dõi?")
    name = "Chi ngân sách hằng năm cho phát triển khoa học, công nghệ"

    def match(unit):
        row = Unit("indicator", "d", 0, 10, name, [], record={"name": name, "unit": unit, "owner": "Bộ Tài chính"})
        return score_units(snap, q, [row])[0].match

    assert match("% tổng chi NSNN") > match("")


def test_sources_of_money_are_the_items_of_the_funding_section(engine):
    """"Kinh phí … lấy từ nguồn nào": every source the plan's funding section lists."""
    from rag.query import detect_intents

    assert "list" in detect_intents("kinh phi thuc hien ke hoach lay tu nguon nao")
    ans = engine.ask("kinh phi thuc hien kh 3469 so noi vu lay tu nguon nao")
    assert not ans.abstained and len(ans.citations) >= 2, ans.answer
    assert all("Nguồn" in c.quote or "nguồn" in c.quote for c in ans.citations), ans.answer


def test_funding_asked_in_any_words_is_read_from_the_funding_section(engine):
    """"Xã … lấy tiền ở đâu", "những nguồn vốn nào … bảo đảm kinh phí": the source sentences of
    the plan's "Kinh phí thực hiện" section, whatever words the question uses; naming no plan,
    every plan's, each under its name."""
    from rag.query import asks_funding

    assert asks_funding("xa nghia dan lay tien o dau de trien khai kh")
    assert asks_funding("nhung nguon von nao duoc su dung de bao dam kinh phi")
    assert not asks_funding("kinh phi thuc hien ke hoach do phong nao bao dam")
    assert not asks_funding("nguon nhan luc lay tu dau")
    for question in ("Xã Nghĩa Đàn lấy tiền ở đâu để triển khai kế hoạch?",
                     "Những nguồn vốn nào được sử dụng để bảo đảm kinh phí triển khai KH 3469 của Sở Nội vụ?"):
        ans = engine.ask(question)
        assert not ans.abstained and len({c.doc_id for c in ans.citations}) == 1, ans.answer
        for c in ans.citations:        # under the funding heading, naming a source
            text = engine.snapshot().document_text(c.doc_id).lower()
            heading = text.rfind("kinh phí thực hiện", 0, c.start + len("kinh phí thực hiện"))
            assert heading != -1 and c.start - heading < 600 and "nguồn" in c.quote.lower(), ans.answer
    ans = engine.ask("Kinh phí thực hiện kế hoạch được bố trí từ những nguồn nào?")
    assert len({c.doc_id for c in ans.citations}) >= 2, ans.answer
    items = [line for line in ans.answer.splitlines() if line.startswith("- ")]
    assert len(items) == len(ans.citations) and all(i.startswith("- Kế hoạch") for i in items), ans.answer


def test_a_question_naming_the_purpose_section_reads_that_section(engine):
    """"Theo mục đích của kế hoạch …": the sentence under the plan's "Mục đích" heading."""
    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    purpose = text[text.index("Mục đích"):text.index("Yêu cầu")]
    ans = engine.ask("Theo mục đích của kế hoạch xã Nghĩa Đàn về NQ 57, người đứng đầu cơ quan, đơn vị phải làm gì?")
    assert not ans.abstained and ans.citations, ans.answer
    first = " ".join(ans.citations[0].quote.split())
    assert first[:40] in " ".join(purpose.split()), ans.answer


def test_a_drafts_blank_number_or_day_answers_no_which_number_or_day(engine):
    """"Số: /KH-UBND ngày … tháng 7 năm 2025": the draft says its symbol and month, not its number
    nor its day; asked "số bao nhiêu / ký ngày mấy", the honest answer is "not found"."""
    from rag.answer import _blank_for

    assert _blank_for("number", "/KH-UBND", "ke hoach co so hieu bao nhieu")
    assert not _blank_for("number", "/KH-UBND", "ke hoach co ky hieu van ban la gi")
    assert not _blank_for("number", "3469/KH-SNV", "ke hoach mang so may")
    assert _blank_for("number", "/KH-UBND", "ke hoach co so hieu la gi")
    assert _blank_for("date", "2025-07", "ky ngay may") and not _blank_for("date", "2025-07", "ban hanh thang nao")
    assert _blank_for("date", "2025-07", "so hieu va ngay ban hanh cu the la gi")
    # "gửi tới những sở nào" asks departments, not the number
    from rag.answer import _meta_fields
    assert "number" not in [f for f, _ in _meta_fields("ai ky va gui toi nhung so nao")]
    assert engine.ask("ke hoach thuc hien nq57 cua ubnd xa nghia dan co so hieu bao nhieu").abstained
    symbol = engine.ask("ke hoach nq57 cua ubnd xa nghia dan co ky hieu van ban la gi")
    assert not symbol.abstained and "KH-UBND" in symbol.answer


def test_a_decision_named_by_what_it_sets_up_is_dated_only_by_text_naming_that(fresh_home, fresh_engine):
    """"Quyết định thành lập <X> … ký ngày nào": a report's sentence dating another decision of
    the same signer does not answer; one naming what the decision approves does."""
    import pytest

    from index.build import ingest_files
    from tests.conftest import SHARED

    report = SHARED / "data" / "govdocs" / "04_cv402-baocao-nq57-2025-05.md"
    if not report.exists():
        pytest.skip("../shared/data/govdocs not present")
    text = report.read_text(encoding="utf-8")
    assert "Ủy ban Dữ liệu quốc gia" not in text
    date = re.search(r"Quyết định số 768/QĐ-TTg ngày (\d{1,2}/\d{1,2}/\d{4}) phê duyệt", text).group(1)
    assert ingest_files(fresh_home, [report], fresh_engine.embedder)[0].status == "added"
    ans = fresh_engine.ask("Quyết định thành lập Ủy ban Dữ liệu quốc gia được Thủ tướng ký ngày nào?")
    assert ans.abstained, ans.answer
    ans = fresh_engine.ask("Quyết định phê duyệt Điều chỉnh Quy hoạch phát triển điện lực quốc gia được ký ngày nào?")
    assert not ans.abstained and date in ans.answer, ans.answer


def test_a_day_or_time_asked_of_a_row_without_one_comes_from_the_plans_text(engine):
    """"Khi nào … hơn 30% doanh nghiệp …": the row matching best states no 30%; the plan's target
    sentence that does, timed by its heading ("a) Tầm nhìn đến năm 2030"), answers."""
    text = (CORPUS / "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt").read_text(encoding="utf-8")
    at = text.index("sáng tạo đạt trên 30%")
    year = re.findall(r"Tầm nhìn đến năm (\d{4})", text[:at])[-1]
    ans = engine.ask("Khi nào xã Nghĩa Đàn muốn hơn 30% doanh nghiệp trên địa bàn có hoạt động đổi mới sáng tạo?")
    assert not ans.abstained and year in ans.answer, ans.answer
    assert "30%" in ans.citations[0].quote


def test_a_purpose_asked_of_a_task_prose_and_a_row_both_state_comes_from_the_prose(engine):
    """A row and a prose sentence matching the question alike: "nhằm mục đích gì" is said in the
    prose (its "để …" clause), which the row's cells leave out."""
    text = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8")
    prose = next(ln for ln in text.splitlines() if "diễn tập thực chiến" in ln and "\t" not in ln)
    row = next(ln for ln in text.splitlines() if "diễn tập thực chiến" in ln and "\t" in ln)
    purpose = prose.split(" để ", 1)[1].rstrip(".")
    assert purpose not in row
    ans = engine.ask("Theo kế hoạch năm 2026 của Sở Nội vụ, việc tham gia diễn tập thực chiến đối với "
                     "hệ thống thông tin của cơ quan nhà nước nhằm mục đích gì?")
    assert purpose in ans.answer, ans.answer
    assert all("\t" not in c.quote for c in ans.citations)


def test_which_groups_a_section_has_are_its_sub_sections_titles(engine):
    """"Phần các nhóm nhiệm vụ chung … gồm những nhóm nào": the titles of that section's
    sub-sections, each quoted from its heading line — not every sentence under them."""
    from rag.engine import _ASKS_PARTS

    assert _ASKS_PARTS.search("phan nhiem vu gom nhung nhom nao")
    assert _ASKS_PARTS.search("mang chuyen doi so duoc chia thanh nhung tieu muc nao")
    assert not _ASKS_PARTS.search("gom nhung nhiem vu nao")
    lines = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index("1. Các nhóm nhiệm vụ chung")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"\d+\. ", lines[i]))
    titles = [ln for ln in lines[start + 1:end] if re.match(r"1\.\d+\. ", ln)]
    assert len(titles) >= 3
    ans = engine.ask("Phần các nhóm nhiệm vụ chung trong kế hoạch KHCN, chuyển đổi số năm 2026 của Sở Nội vụ "
                     "gồm những nhóm nào?")
    assert [c.quote for c in ans.citations] == titles, ans.answer


def test_which_tasks_wait_for_a_condition_lists_the_rows_whose_deadline_states_it(engine):
    """"Những nội dung nào chỉ triển khai sau khi tỉnh ban hành kế hoạch hoặc quyết định": the rows
    whose deadline cell is that condition ("Khi tỉnh ban hành Quyết định", "Sau khi tỉnh ban
    hành Kế hoạch"), every one of them and no other."""
    doc = "xa-nghia-dan-kh-2025-thuc-hien-nq57"
    rows = [t for t in engine.snapshot().tasks[doc]
            if re.search(r"^(sau )?khi tỉnh ban hành (kế hoạch|quyết định)$", (t.get("deadline_text") or "").lower())]
    assert len(rows) >= 2
    ans = engine.ask("Trong phụ lục kế hoạch xã Nghĩa Đàn, những nội dung nào chỉ triển khai sau khi tỉnh ban hành "
                     "kế hoạch hoặc quyết định?")
    assert len(ans.citations) == len(rows), ans.answer
    for t in rows:
        assert any(t["span"][0] <= c.start < t["span"][1] for c in ans.citations), (t["content"], ans.answer)


def test_a_list_answer_bullets_each_item_once(engine):
    """Quoted list items keep their text, not their own bullet: "- - Phát động …" reads badly."""
    ans = engine.ask("Văn phòng UBND tỉnh định ứng dụng trí tuệ nhân tạo vào những việc gì?")
    lines = ans.answer.splitlines()
    assert sum(ln.startswith("- ") for ln in lines) >= 2, ans.answer
    assert not any(re.match(r"- [-+•–] ", ln) for ln in lines), ans.answer


def test_what_a_unit_is_given_is_the_items_of_the_sections_headed_by_it(engine):
    """"Phần tổ chức thực hiện … giao Văn phòng làm những gì": the items of the section whose
    heading is that unit ("3. Văn phòng"), every one of them, and not the plan's closing words
    ("Trên đây là Kế hoạch …") that follow the last section."""
    from rag.engine import _heading_unit

    assert _heading_unit("3.2. Văn phòng Sở") == _heading_unit("1.2. Giao Văn phòng Sở") == "van phong so"
    assert _heading_unit("4.2. Văn phòng Sở chủ trì tham mưu") == "van phong so"
    assert _heading_unit("II. NHIỆM VỤ, GIẢI PHÁP") == ""
    lines = (CORPUS / "snv-kh-2026-khcn-cds.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index("3. Văn phòng")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("Trên đây"))
    items = [ln for ln in lines[start + 1:end] if ln.startswith("- ")]
    assert len(items) >= 2
    ans = engine.ask("Phần tổ chức thực hiện kế hoạch năm 2026 của Sở Nội vụ giao Văn phòng làm những gì?")
    assert len(ans.citations) == len(items), ans.answer
    for item, c in zip(items, ans.citations):
        assert item[:60] in c.quote, (item, c.quote)
    assert "Trên đây" not in ans.answer


def test_what_part_a_named_unit_plays_is_read_from_the_sections_it_heads(engine):
    """"Văn phòng Sở đảm nhận vai trò gì đối với Ban Chỉ đạo": the unit is given, what it does is
    asked — answered by the items of the sections "Văn phòng Sở" heads that say it, not by a
    unit found elsewhere."""
    from rag.query import detect_intents

    assert "who" not in detect_intents("phong hanh chinh - quan tri chiu trach nhiem gi?")
    assert "who" not in detect_intents("van phong so co vai tro gi doi voi ban chi dao?")
    assert "who" in detect_intents("don vi nao chiu trach nhiem theo doi?")
    text = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("2. Văn phòng Sở")
    section = " ".join(lines[start:start + 8])
    ans = engine.ask("Theo Kế hoạch 3469, Văn phòng Sở đảm nhận vai trò gì đối với Ban Chỉ đạo của Sở?")
    assert not ans.abstained and "thường trực Ban Chỉ đạo" in ans.answer and "thành lập Ban Chỉ đạo" in ans.answer
    for c in ans.citations:
        assert c.doc_id == "snv-3469-kh-2025-trien-khai-nq71-nq57" and c.section.endswith("V > 2"), c
        assert re.sub(r"\s+", " ", c.quote)[-60:] in re.sub(r"\s+", " ", section), c.quote


def test_a_third_plan_matching_less_than_two_tied_plans_does_not_join(engine):
    """"Phòng nào phát động phong trào thi đua về …": two plans state that task word for word;
    a third plan's row about another movement ("phong trào học tập số") matches less well and is
    another task, so it is not given as that plan's answer."""
    ans = engine.ask("Phòng nào phát động phong trào thi đua về khoa học, công nghệ, đổi mới sáng tạo và "
                     "chuyển đổi số?")
    assert len({c.doc_id for c in ans.citations}) == 2, ans.answer
    assert all("thi đua" in c.quote for c in ans.citations), ans.answer
    assert "học tập số" not in ans.answer


def test_who_leads_in_a_named_part_is_that_parts_unit_headings_stating_the_role(engine):
    """"Ở phần phát triển nguồn nhân lực …, KH 3469 giao những đơn vị nào chủ trì tham mưu": the
    part's sub-sections headed by a unit that state that role ("4.1. Phòng … chủ trì tham mưu"),
    each quoted from its heading line; a unit heading stating no role is left out."""
    lines = (CORPUS / "snv-3469-kh-2025-trien-khai-nq71-nq57.txt").read_text(encoding="utf-8").splitlines()
    heads = [ln.strip() for ln in lines if re.match(r"4\.\d+\. ", ln)]
    leads = [h for h in heads if h.endswith("chủ trì tham mưu")]
    assert len(leads) >= 2 and len(heads) > len(leads)
    ans = engine.ask("Ở phần phát triển nguồn nhân lực chất lượng cao, KH 3469 giao những đơn vị nào chủ trì "
                     "tham mưu?")
    assert [c.quote for c in ans.citations] == leads, ans.answer


def test_a_unit_named_by_its_abbreviation_finds_the_rows_it_leads(engine):
    """"Phòng CCHC và Văn thư lưu trữ chủ trì những nhiệm vụ đột phá cụ thể nào": "CCHC" spelt out
    where it stands names the unit of the rows' lead cell, so its rows of the breakthrough tasks
    (Phụ lục 2) are listed, all of them."""
    doc = "snv-kh-2026-khcn-cds"
    rows = [t for t in engine.snapshot().tasks[doc] if (t.get("lead") or "").startswith("Phòng Cải cách hành chính")
            and t["section_path"][0] == "PL2"]
    assert rows
    ans = engine.ask("Phòng CCHC và Văn thư lưu trữ được giao chủ trì những nhiệm vụ đột phá cụ thể nào năm 2026?")
    assert len(ans.citations) == len(rows), ans.answer
    for t in rows:
        assert any(c.doc_id == doc and c.start == t["span"][0] for c in ans.citations), (t["content"], ans.answer)


def test_words_that_only_frame_the_question_are_not_its_topic(engine):
    """"đặt mục đích xây dựng X trở thành …": a plan writes "xây dựng X thành …" under its
    "Mục đích" heading; "đặt" and "trở" are not words the answer must share, nor are "nộp" of
    "nộp báo cáo", "cùng" of "cùng tham gia" and "ngoài" of "ngoài <đơn vị> thì ai …". "Đạt"
    of a target, "cung cấp" and "nước ngoài" stay topic words."""
    from rag.query import content_terms

    terms = content_terms("ke hoach dat muc dich xay dung so noi vu tro thanh co quan nhu the nao")
    assert "dat" not in terms and "tro" not in terms and {"muc", "dich", "thanh"} <= set(terms)
    assert "dat" in content_terms("ty le ho so dat chuan la bao nhieu")
    assert "nop" not in content_terms("cac phong nop bao cao quy truoc ngay nao")
    assert "cung" not in content_terms("ai cung tham gia dua co so du lieu vao khai thac")
    assert "cung" in content_terms("don vi nao cung cap dich vu")
    assert "ngoai" not in content_terms("ngoai cong thong tin dien tu thi ai cung tham gia dua du lieu vao khai thac")
    assert "ngoai" in content_terms("tang cuong hop tac voi cac doi tac nuoc ngoai do ai chu tri")
    out = engine.ask("Kế hoạch 3469/KH-SNV đặt mục đích xây dựng Sở Nội vụ trở thành cơ quan như thế nào?")
    assert not out.abstained and "đi đầu" in out.answer


def test_a_list_of_one_thing_a_unit_does_is_not_the_list_of_its_duties(engine):
    """"Chương trình … mà Phòng Công chức viên chức … xây dựng gồm những kỹ năng gì?" names a
    unit, but asks the items of one programme: the sentence that lists them, not every duty of
    the sections that unit heads."""
    out = engine.ask("Chương trình đào tạo kỹ năng số dành cho lãnh đạo các cấp mà Phòng Công chức viên chức "
                     "phối hợp Sở Khoa học và Công nghệ xây dựng gồm những kỹ năng gì?")
    assert not out.abstained and "quản trị dữ liệu" in out.answer
    assert len(out.citations) <= 2
    duties = engine.ask("KH 3469 giao Văn phòng Sở Nội vụ những nhiệm vụ gì?")
    assert len(duties.citations) >= 4
