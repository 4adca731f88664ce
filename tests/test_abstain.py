"""When PlanQA must say "not found": answer-type checks and names the plans do not contain.

Unit-level checks use hand-made evidence units; the end-to-end ones ask the real engine
over the seed corpus about things its plans do not say.
"""
from __future__ import annotations

from rag.abstain import answerable_units, foreign_documents, foreign_kind, type_mismatch, unknown_units
from rag.evidence import Unit
from rag.query import analyse


def _task(doc="d", deadline="", content="Xây dựng cơ sở dữ liệu cán bộ"):
    return Unit("task", doc, 0, 10, content, [], record={"content": content, "deadline_text": deadline, "span": [0, 10]})


def _sentence(text, doc="d", heading=""):
    return Unit("sentence", doc, 0, len(text), text, [], heading=heading)


def _indicator(name, targets, doc="d"):
    return Unit("indicator", doc, 0, 10, name, [], record={"name": name, "targets": targets, "span": [0, 10]})


def test_a_deadline_question_needs_a_deadline_or_a_time():
    q = analyse("Khi nào phải hoàn thành cơ sở dữ liệu cán bộ?")
    with_deadline, without = _task(deadline="Quý II/2026"), _task()
    assert answerable_units(q, [without, with_deadline]) == [with_deadline]
    assert answerable_units(q, [without]) == []
    assert answerable_units(q, [_sentence("Hoàn thành cơ sở dữ liệu trước ngày 30/6/2026.")])
    # an indicator's year columns are times: "đạt 100% từ mốc năm nào"
    qi = analyse("Kể từ mốc năm nào, giao dịch phi tiếp xúc phải đạt 100%?")
    assert answerable_units(qi, [_indicator("Tỷ lệ giao dịch phi tiếp xúc", {"2025": "70%", "2030": "100%"})])
    assert answerable_units(qi, [_indicator("Tỷ lệ giao dịch phi tiếp xúc", {"Ghi chú": "x"})]) == []
    # a time given by an event ("đến thời điểm …, đến khi …") answers too
    q4 = analyse("Hệ thống thông tin giải quyết thủ tục hành chính được duy trì đến khi nào?")
    assert answerable_units(q4, [_sentence("Duy trì Hệ thống đến thời điểm các bộ hoàn thành hệ thống tập trung.")])
    assert answerable_units(q4, [_sentence("Duy trì Hệ thống thông tin giải quyết thủ tục hành chính.")]) == []
    # a how-often word is no deadline for "xong trước thời hạn nào"
    q3 = analyse("Phải xây dựng xong chương trình đào tạo trước thời hạn nào?")
    assert answerable_units(q3, [_sentence("Xây dựng chương trình đào tạo; tổ chức tập huấn định kỳ.")]) == []
    assert answerable_units(q3, [_sentence("Xây dựng chương trình đào tạo trong quý II/2026.")])
    # a period the question itself names is not an answer to "when"
    q2 = analyse("Chương trình đầu tư giai đoạn 2026-2030 phải trình trước thời hạn nào?")
    assert answerable_units(q2, [_sentence("Đề xuất chương trình đầu tư giai đoạn 2026 - 2030.")]) == []
    # the date a cited document was issued is no deadline; asked which document, it answers
    cited = _sentence("Văn phòng Trung ương Đảng có văn bản số 15000-CV/VPTW ngày 23 tháng 5 năm 2025 "
                      "đề nghị cho ý kiến đối với dự thảo báo cáo.")
    due = _sentence("Đề nghị gửi ý kiến về dự thảo báo cáo trước 20h00 ngày 25 tháng 5 năm 2025.")
    q5 = analyse("Phải gửi ý kiến về dự thảo báo cáo trước thời điểm nào?")
    assert answerable_units(q5, [cited, due]) == [due]
    assert answerable_units(q5, [_sentence("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024, gửi ý kiến dự thảo.")]) == []
    assert answerable_units(analyse("Văn phòng Trung ương Đảng có văn bản số mấy, ngày nào?"), [cited]) == [cited]


def test_a_row_about_another_horizon_year_cannot_answer():
    q = analyse("Đề án chuyển đổi số giai đoạn đến năm 2035 phải hoàn thành khi nào?")
    other = _task(deadline="Quý I/2026", content="Xây dựng Đề án chuyển đổi số giai đoạn đến năm 2030")
    same = _task(deadline="Quý I/2026", content="Xây dựng Đề án chuyển đổi số giai đoạn đến năm 2035")
    undated = _task(deadline="Quý I/2026", content="Xây dựng Đề án chuyển đổi số")
    assert answerable_units(q, [other, same, undated]) == [same, undated]


def test_a_figure_for_a_year_needs_that_year():
    q = analyse("Tỷ lệ hồ sơ xử lý trực tuyến năm 2025 là bao nhiêu?")
    has_2025 = _indicator("Tỷ lệ hồ sơ xử lý trực tuyến", {"2025": "70%", "2030": "90%"})
    no_2025 = _indicator("Tỷ lệ hồ sơ xử lý trực tuyến", {"2030": "90%"})
    assert answerable_units(q, [no_2025, has_2025]) == [has_2025]
    assert answerable_units(q, [no_2025]) == []
    # a plan for 2025 states its 2025 targets without repeating the year
    plain = _sentence("Tỷ lệ hồ sơ xử lý trực tuyến đạt 70%.", doc="plan-2025")
    assert answerable_units(q, [plain], {"plan-2025": "2025"}) == [plain]
    # … but an indicator with year columns answers only for the years it has, even in a plan of that year
    assert answerable_units(q, [no_2025], {"d": "2025"}) == []


def test_a_rate_question_needs_evidence_about_that_rate():
    q = analyse("Tỷ lệ hài lòng của người dân đến năm 2030 là bao nhiêu?")
    other = _sentence("Đến năm 2030 tỷ lệ sử dụng dịch vụ công trực tuyến đạt 90%.")
    right = _sentence("Đến năm 2030 tỷ lệ hài lòng của người dân đạt 95%.")
    assert answerable_units(q, [other, right]) == [right]
    # abbreviations count as what they stand for
    q2 = analyse("Tỷ lệ TTHC xử lý trực tuyến năm 2030 là bao nhiêu?")
    assert answerable_units(q2, [_sentence("Năm 2030 tỷ lệ thủ tục hành chính xử lý trực tuyến đạt 80%.")])
    # "phải đạt tỷ lệ mấy phần trăm" names no rate: the words before it say what is counted
    q3 = analyse("Thủ tục hành chính không phụ thuộc địa giới hành chính phải đạt tỷ lệ mấy phần trăm?")
    assert answerable_units(q3, [_sentence("100% thủ tục hành chính không phụ thuộc vào địa giới hành chính.")])


def test_an_amount_or_a_figure_needs_a_number():
    # a fund's charter capital is money: a sentence setting the fund up names none
    q = "quy dau tu phat trien cong nghiep chien luoc co von dieu le ban dau la bao nhieu"
    assert type_mismatch(q, "Xây dựng cơ sở pháp lý và đề án để hình thành Quỹ đầu tư phát triển.") == "money"
    assert type_mismatch(q, "Quỹ có vốn điều lệ 1.000 tỷ đồng.") is None
    # "bao nhiêu" of a passage stating no number, in digits or in words
    q = "quy mo kinh te so cua tinh phai dat bao nhieu?"
    assert type_mismatch(q, "Phát triển kinh tế số, xã hội số của tỉnh.") == "figure"
    assert type_mismatch(q, "Quy mô kinh tế số đạt 20% GRDP.") is None
    assert type_mismatch("moi nhiem vu giai quyet toi thieu bao nhieu “diem nghen”",
                         "Mỗi nhiệm vụ phải giải quyết ít nhất một “điểm nghẽn” cụ thể.") is None


def test_a_numbered_term_must_be_the_evidences():
    q = "muc tieu ty le phu song 6g cho nguoi dan den nam 2030 la bao nhieu"
    assert type_mismatch(q, "Triển khai mạng 5G với mục tiêu phủ sóng 99% dân số vào năm 2030.") == "generation"
    assert type_mismatch(q, "Phủ sóng 6G đạt 50% dân số vào năm 2030.") is None
    # a term the evidence does not number at all, or a document's shorthand, is not this check's
    assert type_mismatch("ipv6 phai dat bao nhieu phan tram", "Tỷ lệ sử dụng IPv6 đạt 60%.") is None
    assert type_mismatch("nq57 dat muc tieu gi", "Nghị quyết NQ71 bổ sung nhiệm vụ đến năm 2030.") is None


def test_the_kind_of_certificate_asked_must_be_the_evidences():
    target = "Phấn đấu có ít nhất 50% cán bộ chuyên trách được đào tạo đạt chứng chỉ quản trị dữ liệu cơ bản."
    assert type_mismatch("bao nhieu phan tram can bo phai dat chung chi an toan thong tin", target) == "certificate"
    assert type_mismatch("bao nhieu phan tram can bo phai dat chung chi quan tri du lieu", target) is None
    # a grade or a question word after "chứng chỉ" names no kind
    assert type_mismatch("bao nhieu phan tram can bo co chung chi co ban", target) is None
    assert type_mismatch("can bo can dat chung chi nao", target) is None


def test_who_holds_a_post_needs_that_post_of_that_body():
    q = "ai duoc giao lam chu tich hoi dong tu van quoc gia ve khoa hoc cong nghe"
    assert type_mismatch(q, "Quyết định bổ nhiệm Chủ tịch Hội đồng Cố vấn quốc tế VSIP.") == "post"
    assert type_mismatch(q, "Thành lập Hội đồng Tư vấn quốc gia do Thủ tướng làm Chủ tịch.") is None
    # the body is named before the post ("Ban Chỉ đạo …, do … làm Trưởng Ban"); a clause after
    # the post ("; ngoài Ban Chỉ đạo …") is no part of its name
    lead = "Thành lập Ban Chỉ đạo Trung ương, do đồng chí Tổng Bí thư làm Trưởng Ban."
    assert type_mismatch("ai lam truong ban chi dao trung uong", lead) is None
    assert type_mismatch("do ai lam truong ban; ngoai ban chi dao con hoi dong nao", lead) is None


def test_a_law_named_by_its_title_must_be_the_evidences():
    review = "Tổ đảng ở Thường trực Ủy ban Văn hóa, Giáo dục chủ trì thẩm tra các dự án: Luật Nhà giáo, Luật Giáo dục."
    assert type_mismatch("to dang nao chu tri tham tra luat giao dich dien tu", review) == "law"
    assert type_mismatch("to dang nao chu tri tham tra luat nha giao", review) is None
    # "pháp luật về …", "luật nào", "những luật thuế nào" name no title
    assert type_mismatch("ra soat phap luat ve khoa hoc cong nghe do ai chu tri", review) is None
    assert type_mismatch("to dang nao tham tra nhung luat thue nao", review) is None
    assert type_mismatch("bi ky luat theo hinh thuc nao", "Văn phòng Sở chủ trì, bảo đảm an toàn.") != "law"


def test_people_and_companies_need_names():
    assert type_mismatch("pho giam doc nao phu trach chuyen doi so", "Ban Chỉ đạo Sở chỉ đạo chung.") == "person"
    assert type_mismatch("pho giam doc nao phu trach chuyen doi so", "Đồng chí Nguyễn Văn An phụ trách.") is None
    # a quarterly report's deadline is not set by a text reporting twice a year "theo quy định"
    q = "bao cao quy phai gui truoc ngay nao"
    assert type_mismatch(q, "Định kỳ báo cáo trước ngày 10/6 và ngày 20/11 hằng năm theo quy định.") == "quarterly"
    assert type_mismatch(q, "Báo cáo Quý trước ngày 10 tháng cuối Quý.") is None
    # who runs a system is not said by a task that only connects to it
    assert type_mismatch("trung tam ioc cua tinh do don vi nao quan ly, van hanh",
                         "Kết nối CSDL các ngành vào Trung tâm IOC của tỉnh.") == "operator"
    assert type_mismatch("ai van hanh trung tam ioc", "Văn phòng quản lý, vận hành Trung tâm IOC.") is None
    assert type_mismatch("ai chu tri dua he thong vao van hanh", "Văn phòng chủ trì đưa hệ thống vào sử dụng.") is None
    assert type_mismatch("doanh nghiep nao cung cap dich vu giam sat", "Văn phòng chủ trì giám sát.") == "company"
    assert type_mismatch("doanh nghiep nao cung cap dich vu giam sat", "Thuê Công ty VNPT giám sát.") is None
    assert type_mismatch("doanh nghiep vien thong nao phu song 5g", "Phát triển mạng 5G phủ sóng toàn xã.") == "company"
    # "loại doanh nghiệp nào" asks a kind of firm, which a sentence gives without naming one
    assert type_mismatch("phong cong chuc can phoi hop voi loai doanh nghiep nao",
                         "Phối hợp với các doanh nghiệp công nghệ cao triển khai học tập số.") is None
    assert type_mismatch("giam doc trung tam phuc vu hanh chinh cong la ai", "Trung tâm phục vụ hành chính công.") == "person"
    assert type_mismatch("don vi chu tri la ai", "Văn phòng Sở chủ trì.") is None     # a unit, not a person


def test_counts_and_durations_need_a_figure_for_what_is_counted():
    q = "bao nhieu can bo duoc cu tham gia dien tap"
    assert type_mismatch(q, "Tham gia diễn tập thực chiến an toàn thông tin.") == "count"
    assert type_mismatch(q, "Cử 05 cán bộ tham gia diễn tập thực chiến.") is None
    q = "hop dong thue dich vu keo dai bao nhieu thang"
    assert type_mismatch(q, "Hệ thống hoạt động liên tục 24/7 trong thời gian thuê dịch vụ.") == "count"
    assert type_mismatch(q, "Thời gian thuê dịch vụ là 36 tháng.") is None
    # "cơ sở" folds like "có sở": still the counted noun, not a function word
    q = "phai so hoa bao nhieu co so du lieu chuyen nganh"
    assert type_mismatch(q, "100% các phòng chuyên môn, các đơn vị liên quan hoàn thành xây dựng, số hóa "
                            "cơ sở dữ liệu chuyên ngành.") == "count"
    assert type_mismatch(q, "Số hóa 12 cơ sở dữ liệu chuyên ngành.") is None
    assert type_mismatch("ty le la bao nhieu theo ke hoach", "Tỷ lệ đạt 100%.") is None     # "theo" counts nothing
    q = "so noi vu to chuc may lop tap huan ky nang so moi nam"         # "mấy lớp": classes counted
    assert type_mismatch(q, "Xây dựng chương trình đào tạo kỹ năng số; tổ chức các lớp tập huấn định kỳ.") == "count"
    assert type_mismatch(q, "Tổ chức 04 lớp tập huấn kỹ năng số mỗi năm.") is None
    # a count written in words right before the noun ("ba khu"), not "một số khu" nor "bà"
    q = "dua vao hoat dong bao nhieu khu cong nghe cao"
    assert type_mismatch(q, "Đưa vào hoạt động có hiệu quả ba khu công nghệ cao quốc gia.") is None
    assert type_mismatch(q, "Đưa vào hoạt động một số khu công nghệ cao.") == "count"


def test_documents_named_by_a_number_that_is_not_loaded():
    docs = {"a": {"number": "3469/KH-SNV", "title": "Kế hoạch triển khai Nghị quyết 71/NQ-CP"}}
    assert foreign_documents("ke hoach so 348/kh-ubnd do ai ky", docs) == ["348"]
    assert foreign_documents("ke hoach 3469/kh-snv do ai ky", docs) == []
    # the numbers a plan implements describe the plan; they are not the plan asked about
    assert foreign_documents("ke hoach trien khai nghi quyet 71/nq-cp co so hieu la gi", docs) == []


def test_units_typed_without_accents(engine):
    """Typed without accents, "so"/"ban" are units only before a department's or board's
    name ("sở tư pháp", not "số hóa"); "phong" is not "phòng chống"."""
    snap = engine.snapshot()
    docs = list(snap.primary_documents())
    assert unknown_units("so tu phap duoc giao nhiem vu gi trong so hoa ho tich", snap, docs) == ["so tu phap"]
    assert unknown_units("ke hoach giao phong to chuc bien che nhiem vu gi", snap, docs) == ["phong to chuc"]
    assert unknown_units("ban ton giao duoc giao nhiem vu dot pha nao", snap, docs) == ["ban ton giao"]
    assert unknown_units("kh 3469 giao thanh tra so nhiem vu gi", snap, docs) == ["thanh tra so"]
    for known in ("so noi vu giao phong nao so hoa ho so", "ban hanh ke hoach so may",
                  "chuyen doi so khoa hoc cong nghe la gi", "phong chong thien tai do ai lam",
                  "ai ket noi vao trung tam dieu hanh thong minh ioc", "van phong so phoi hop voi ai"):
        assert unknown_units(known, snap, docs) == [], known
    assert engine.ask("so tu phap nghe an duoc giao nhiem vu gi trong viec so hoa du lieu ho tich").abstained


def test_units_typed_in_lower_case_or_after_a_capitalised_head(engine):
    """"sở tư pháp" (accented, lower case) as "so tu phap"; "Thanh tra tỉnh Nghệ An", "Quỹ phát
    triển …": a capitalised head before a lower-case name (the capitalised words after it are a place)."""
    from rag.abstain import _unit_names

    snap = engine.snapshot()
    docs = list(snap.primary_documents())
    assert unknown_units("sở tư pháp nghệ an được giao nhiệm vụ gì", snap, docs) == ["so tu phap"]
    assert unknown_units("trong kế hoạch của sở nội vụ, ban tôn giáo được giao gì", snap, docs) == ["ban ton giao"]
    assert _unit_names("Thanh tra tỉnh Nghệ An phải triển khai kế hoạch nào") == [(0, "thanh tra tinh")]
    assert _unit_names("Quỹ phát triển khoa học của xã do ai quản lý") == [(0, "quy phat trien")]
    assert unknown_units("văn phòng sở còn phối hợp với ai; số hóa tài liệu", snap, docs) == []


def test_a_language_the_plans_never_name(engine):
    from rag.abstain import unknown_languages

    snap = engine.snapshot()
    for q in ("dịch cổng thông tin sang tiếng lào khi nào", "dich cong thong tin sang tieng phap khi nao"):
        assert unknown_languages(q, snap), q
    text = " ".join(snap.document_text(d) for d in snap.primary_documents())
    assert "tiếng Anh" in text and unknown_languages("dịch sang tiếng anh khi nào", snap) == []


def test_a_meta_question_about_another_kind_of_document():
    plans = [{"doc_type": "Kế hoạch"}]
    assert foreign_kind("quyet dinh thanh lap ban chi dao mang so hieu bao nhieu", plans) == "quyet dinh"
    assert foreign_kind("ke hoach nay do ai ky", plans) == ""
    assert foreign_kind("nghi quyet 03/nq-cp ky ngay nao", [{"doc_type": "Nghị quyết"}]) == ""


def test_units_the_plans_do_not_contain(engine):
    snap = engine.snapshot()
    docs = list(snap.primary_documents())
    assert unknown_units("Phòng Giáo dục chủ trì nhiệm vụ gì?", snap, docs) == ["phong giao duc"]
    # state bodies other than offices ("Kiểm toán Nhà nước", "Ngân hàng …", "Mặt trận …")
    assert unknown_units("Kiểm toán Nhà nước được giao nhiệm vụ gì?", snap, docs) == ["kiem toan nha nuoc"]
    # a department typed in lower case (accented) too; "văn phòng", "phòng chống" are not one
    assert unknown_units("kế hoạch giao phòng tổ chức biên chế nhiệm vụ gì", snap, docs) == ["phong to chuc"]
    assert unknown_units("văn phòng sở còn phối hợp với ai về phòng chống thiên tai", snap, docs) == []
    # a centre named in lower case is a unit too
    assert unknown_units("Ai chủ trì xây dựng trung tâm đổi mới sáng tạo của tỉnh?", snap, docs) == ["trung tam doi moi"]
    for known in ("Sở Nội vụ giao phòng nào?", "Văn phòng Sở phối hợp với ai?", "Phòng Văn hóa - Xã hội chủ trì gì?",
                  "Trung tâm IOC của tỉnh do ai vận hành?", "Ai kết nối vào trung tâm điều hành thông minh IOC?",
                  "trung tâm phục vụ hành chính công theo dõi chỉ tiêu nào?"):
        assert unknown_units(known, snap, docs) == [], known


def test_engine_abstains_on_units_and_plans_it_does_not_have(engine):
    for question in ("Phòng Giáo dục và Đào tạo chủ trì nhiệm vụ chuyển đổi số nào?",
                     "Kế hoạch số 999/KH-UBND của UBND tỉnh do ai ký?"):
        ans = engine.ask(question)
        assert ans.abstained, (question, ans.answer)
        assert ans.citations == []


def test_a_document_code_the_plans_never_write_is_not_theirs(engine):
    """"… thực hiện Kế hoạch số 06-KH/BCĐTW" where a plan implements 04-KH/BCĐTW: another
    document. A code the plans do write, or a loaded plan's own number, is theirs."""
    from rag.abstain import unknown_names

    snap = engine.snapshot()
    q = "Hạn xây dựng kế hoạch thực hiện Kế hoạch số 06-KH/BCĐTW về bảo đảm an ninh mạng là khi nào?"
    assert "06-kh/bcdtw" in unknown_names(q, snap)
    assert engine.ask(q).abstained
    assert "04-kh/bcdtw" not in unknown_names(q.replace("06-", "04-"), snap)
    assert "3469/kh-snv" not in unknown_names("Kế hoạch 3469/KH-SNV do ai ký?", snap)


def test_the_rate_level_and_series_asked_must_be_the_evidences():
    from rag.abstain import _other_level, _other_number

    # "tốc độ tăng <X>" is a rate of X, like "tỷ lệ <X>"
    q = analyse("Tốc độ tăng năng suất lao động năm 2026 là bao nhiêu?")
    grdp = _sentence("Năm 2026 tốc độ tăng trưởng GRDP của tỉnh đạt từ 10% trở lên.")
    assert answerable_units(q, [grdp]) == []
    assert answerable_units(analyse("Tốc độ tăng trưởng GRDP năm 2026 là bao nhiêu?"), [grdp]) == [grdp]
    # "trong phạm vi toàn quốc" is not "trong phạm vi cấp tỉnh"
    row = _sentence("Tỷ lệ TTHC không phụ thuộc địa giới hành chính trong phạm vi cấp tỉnh đạt 100%.")
    assert _other_level(row, "ty le tthc khong phu thuoc dia gioi trong pham vi toan quoc")
    assert not _other_level(row, "ty le tthc khong phu thuoc dia gioi cap tinh")
    # "dẫn đầu châu Á" is not the "Đông Nam Á" or "thế giới" the target ranks in; ASEAN is Đông Nam Á
    goal = _sentence("Việt Nam thuộc nhóm 3 nước dẫn đầu Đông Nam Á, nhóm 50 nước đứng đầu thế giới về AI.")
    assert _other_level(goal, "nhom may nuoc dan dau chau a ve ai")
    assert not _other_level(goal, "nhom may nuoc dan dau asean ve ai")
    assert not _other_level(goal, "dung dau the gioi ve ai")
    # a school level: "trường THPT" is not a row about "Tiểu học, THCS"; THCS is "trung học cơ sở"
    schools = _sentence("Nâng cao kỹ năng số cho giáo viên các trường Tiểu học, THCS trên địa bàn xã.")
    assert _other_level(schools, "cac truong thpt duoc giao nhiem vu gi ve ky nang so cho giao vien")
    assert not _other_level(schools, "giao vien trung hoc co so duoc boi duong ky nang so gi")
    assert not _other_level(schools, "giao vien duoc boi duong ky nang so gi")
    # a quarter: "quý II/2025" is not a figure for "Quý I/2025"; "quý 2" is "quý II"
    sales = _sentence("Quý I/2025: Tổng doanh số thương mại điện tử 101.400 tỷ đồng.")
    assert _other_level(sales, "tong doanh so thuong mai dien tu quy ii/2025 la bao nhieu")
    assert not _other_level(sales, "tong doanh so thuong mai dien tu quy 1 nam 2025")
    assert not _other_level(sales, "tong doanh so thuong mai dien tu nam 2025")
    # a code of the same series with another number ("04-KH/BCĐTW" for "06-KH/BCĐTW")
    plan = _sentence("Xây dựng kế hoạch thực hiện Kế hoạch số 04-KH/BCĐTW ngày 05/01/2026.")
    assert _other_number(plan, "han thuc hien ke hoach so 06-kh/bcdtw")
    assert not _other_number(plan, "han thuc hien ke hoach so 04-kh/bcdtw")
    assert not _other_number(plan, "han thuc hien nghi quyet 57-nq/tw")


def test_long_task_rows_are_quoted_where_the_question_points(engine):
    """An open question about a detail deep inside a long task row gets that part of the
    row, not its first 300 characters."""
    from rag.answer import Composer, Thresholds

    snap = engine.snapshot()
    text = ("Xây dựng hệ thống theo mô hình gồm: (1) Lực lượng tại chỗ vận hành và giám sát. "
            "(2) Dịch vụ giám sát liên tục, phát hiện sớm các nguy cơ. (3) Đơn vị độc lập kiểm tra, "
            "đánh giá định kỳ để bảo đảm khách quan. (4) Kết nối với hệ thống giám sát quốc gia trên "
            "phạm vi toàn tỉnh (trừ các hệ thống thông tin quân sự, quốc phòng, cơ yếu)")
    comp = Composer(snap, analyse("Mô hình trừ ra những hệ thống thông tin nào, quân sự hay quốc phòng?"), Thresholds())
    out = comp.window(text, 150)
    assert "quốc phòng" in out and out.startswith("…") and len(out) <= 154
    assert comp.window("Ngắn gọn.", 120) == "Ngắn gọn."


def test_an_open_question_gets_a_task_row_of_a_few_clauses_whole(engine):
    """"… nhằm mục đích gì": the purpose a row states is the part the question does not restate,
    so a row of a few hundred characters is shown whole, not only its best-matching clause."""
    from rag.answer import Composer, Thresholds

    snap = engine.snapshot()
    content = ("Nâng cấp hệ thống Cổng Thông tin điện tử tỉnh để triển khai ứng dụng trí tuệ nhân tạo (AI) "
               "thực hiện dịch tự động Tiếng Việt sang các ngôn ngữ tiếng Anh, tiếng Nhật, tiếng Hàn, tiếng "
               "Trung, tiếng Pháp, tiếng Đức, tiếng Nga để cung cấp thông tin chính thức về tỉnh đến với "
               "nhiều quốc gia, các nhà đầu tư, du khách quốc tế và kiều bào nước ta ở nước ngoài.")
    assert 350 < len(content) <= 450
    row = {"content": content, "lead": "Cổng Thông tin điện tử", "span": [0, 10]}
    comp = Composer(snap, analyse("Nâng cấp Cổng Thông tin điện tử tỉnh ứng dụng AI nhằm mục đích gì?"), Thresholds())
    line = comp.task_line(Unit("task", next(iter(snap.primary_documents())), 0, 10, content, [], record=row))
    assert "kiều bào" in line and "Nâng cấp" in line, line


def test_a_question_about_a_product_gets_the_part_of_the_row_about_it(engine):
    """"Sản phẩm … qua hệ thống nào" reads as a result question: it too gets the part of a long
    row the question points to, not the row's first words."""
    ans = engine.ask("Sản phẩm OCOP ở xã Nghĩa Đàn được truy xuất nguồn gốc qua hệ thống nào?")
    assert "check.net.vn" in ans.answer.replace(" ", "")


def test_task_row_citations_quote_the_cells_they_support(engine):
    """Every task row's citation contains the lead and deadline the answer line states, even
    when a long content cell comes first (rows are quoted whole, up to MAX_ROW_QUOTE)."""
    from index.text import compact
    from rag.answer import Composer, Thresholds

    snap = engine.snapshot()
    q = analyse("Đơn vị nào chủ trì và khi nào hoàn thành?")
    checked = 0
    for doc_id in snap.primary_documents():
        for t in snap.tasks.get(doc_id, []):
            comp = Composer(snap, q, Thresholds())
            comp.task_line(Unit("task", doc_id, *t["span"], t.get("content", ""), t.get("section_path", []), record=t))
            quote = compact(comp.citations[0].quote)
            row = compact(snap.document_text(doc_id)[t["span"][0]:t["span"][1]])
            for cell in (t.get("lead"), t.get("deadline_text")):
                # (cells of rows broken across pages are not contiguous in the text: skipped)
                if cell and compact(cell) in row and t["span"][1] - t["span"][0] <= 1500:
                    assert compact(cell) in quote, (doc_id, cell)
                    checked += 1
    assert checked > 50


def test_a_partner_question_needs_partners():
    q = analyse("Văn phòng Sở phối hợp với những đơn vị nào để thành lập Ban Chỉ đạo?")
    alone = Unit("task", "d", 0, 10, "Thành lập Ban Chỉ đạo", [], record={"content": "Thành lập Ban Chỉ đạo",
                                                                           "lead": "Văn phòng Sở", "span": [0, 10]})
    shared = Unit("task", "d", 20, 30, "Thành lập Ban Chỉ đạo", [], record={
        "content": "Thành lập Ban Chỉ đạo", "lead": "Văn phòng Sở", "partners": "Các phòng", "span": [20, 30]})
    said = _sentence("Văn phòng Sở phối hợp với Phòng Tổ chức thành lập Ban Chỉ đạo.")
    assert answerable_units(q, [alone, said, shared]) == [said, shared]
    # prose that names no cooperation (nor its heading) does not say who cooperates either
    intro = _sentence("Triển khai Nghị quyết số 71/NQ-CP của Chính phủ về thành lập Ban Chỉ đạo.")
    assert answerable_units(q, [intro]) == []
    assert answerable_units(q, [_sentence("Các phòng cùng tham gia.", heading="2. Phối hợp thực hiện")])
    # the lead given in the question ("do Bộ Công an chủ trì") is not asked: partners still are
    q = analyse("Đề án sản phẩm lưỡng dụng do Bộ Công an chủ trì có những cơ quan nào phối hợp?")
    assert "who" not in q.intents and "who_partner" in q.intents
    assert answerable_units(q, [alone, shared]) == [shared]
    assert "who" in analyse("Đề án do đơn vị nào chủ trì và cơ quan nào phối hợp?").intents
    # "đơn vị phối hợp là ai", "phối hợp với ai": the "ai" asks the partners; a row naming none cannot answer
    q = analyse("Nhiệm vụ bố trí cán bộ chuyên trách có đơn vị phối hợp là ai?")
    assert q.intents == ["who_partner"] and answerable_units(q, [alone]) == []
    assert "who" in analyse("Ai chủ trì và phối hợp với ai?").intents


def test_a_count_the_evidence_contradicts_cannot_answer():
    q = analyse("Khi nào phải số hóa tài liệu lưu trữ trong 5 năm gần đây?")
    other = _task(deadline="2026", content="Hoàn thành số hoá tài liệu lưu trữ trong 3 năm gần đây")
    same = _task(deadline="2027", content="Số hoá tài liệu lưu trữ trong 05 năm gần đây")
    assert answerable_units(q, [other, same]) == [same]


def test_a_figure_given_in_the_question_is_not_asked_for():
    assert analyse("Khi nào phải hoàn thành số hóa 100% tài liệu lưu trữ?").intents == ["when"]
    assert "number" in analyse("Tỷ lệ hồ sơ số hóa năm 2026 là bao nhiêu %?").intents
    assert analyse("Ai chủ trì việc bố trí ít nhất 01 cán bộ chuyên trách?").intents == ["who"]
    # the figure spelt out is stated too
    assert analyse("Bố trí tối thiểu một cán bộ chuyên trách thì đơn vị nào chủ trì?").intents == ["who"]
    assert "number" in analyse("Mỗi cơ quan phải bố trí tối thiểu mấy cán bộ chuyên trách?").intents
    assert "number" in analyse("Mỗi cơ quan phải bố trí ít nhất bao nhiêu cán bộ, do ai chủ trì?").intents


def test_an_issue_date_asked_by_month_and_year_is_meta():
    assert analyse("Kế hoạch của Văn phòng UBND tỉnh được ban hành vào tháng, năm nào?").intents == ["meta"]
    assert analyse("ke hoach ban hanh ngay thang nam nao").intents == ["meta"]


def test_a_report_of_results_is_a_topic_not_a_result_asked_for():
    """"Báo cáo kết quả thực hiện … gửi trước ngày nào" asks when; "kết quả dự kiến" asks the result."""
    assert analyse("Báo cáo kết quả thực hiện 6 tháng phải gửi trước ngày nào?").intents == ["when"]
    assert analyse("Kết quả dự kiến của nhiệm vụ số hóa là gì?").intents == ["result"]


def test_a_kind_of_force_is_not_a_time():
    """"nhân lực nào" folds like "nhân lúc nào": it asks which workforce, not when."""
    assert "when" not in analyse("Kế hoạch đào tạo phải chú ý đến loại nhân lực nào?").intents
    assert "when" not in analyse("ke hoach dao tao can nang luc nao").intents
    assert analyse("Lúc nào phải hoàn thành đề án?").intents == ["when"]


def test_a_unit_named_in_a_when_question_is_not_asked_for():
    """"Văn phòng Sở phải tham mưu … trước ngày nào" names who acts: only the time is asked,
    so an answer without one is no answer."""
    assert analyse("Văn phòng Sở phải tham mưu thành lập Ban Chỉ đạo trước ngày nào?").intents == ["when"]
    assert set(analyse("Phòng nào chủ trì và khi nào hoàn thành đề án?").intents) == {"who", "when"}


def test_a_count_in_the_question_contradicted_by_the_evidence():
    """"05 nhiệm vụ quá hạn là những nhiệm vụ nào" of a section that counts 02: a false premise."""
    from rag.abstain import contradicts_quantity

    section = "Có 37 nhiệm vụ hạn thực hiện trong tháng 3 đến tháng 5. 02 nhiệm vụ đang thực hiện quá hạn."
    assert contradicts_quantity(section, "05 nhiem vu dang thuc hien qua han la nhung nhiem vu nao")
    assert not contradicts_quantity(section, "02 nhiem vu dang thuc hien qua han la nhung nhiem vu nao")
    assert not contradicts_quantity(section, "trong 37 nhiem vu co han thang 3, nhung nhiem vu nao qua han")
    assert not contradicts_quantity("Số hóa tài liệu lưu trữ.", "05 nhiem vu nao qua han")     # counts nothing
    # "KH 3469 báo cáo …": a document's number counts nothing ("… ngày 10/6 báo cáo năm …")
    schedule = "Báo cáo Quý trước ngày 10 tháng cuối Quý, báo cáo 6 tháng trước ngày 10/6 báo cáo năm trước ngày 30/11."
    assert not contradicts_quantity(schedule, "kh 3469 bao cao tien do thang phai nop truoc ngay may")
    assert contradicts_quantity(schedule, "3 bao cao nam phai nop truoc ngay may")
    # one counted word: "mô hình 5 lớp" against a model of "4 lớp"; a stopword is not counted
    model = 'Triển khai các hoạt động đảm bảo an toàn thông tin theo mô hình “4 lớp”.'
    assert contradicts_quantity(model, "mo hinh an toan thong tin 5 lop do phong nao thuc hien")
    assert not contradicts_quantity(model, "mo hinh an toan thong tin 4 lop do phong nao thuc hien")
    assert not contradicts_quantity("Nghị quyết 57 của Bộ Chính trị, 03 của Chính phủ", "nghi quyet 05 cua ai")


def test_a_field_asked_about_must_be_the_rows_field():
    """"Đề án chuyển đổi số trong lĩnh vực thể thao": the row on "lĩnh vực Văn hóa" is about
    another field, even when its lead is "Bộ Văn hóa, Thể thao và Du lịch"."""
    culture = Unit("task", "d", 0, 10, "Xây dựng Đề án chuyển đổi số trong lĩnh vực Văn hóa", [], record={
        "content": "Xây dựng Đề án chuyển đổi số trong lĩnh vực Văn hóa",
        "lead": "Bộ Văn hóa, Thể thao và Du lịch", "span": [0, 10]})
    q = analyse("Bộ nào chủ trì xây dựng Đề án chuyển đổi số trong lĩnh vực thể thao?")
    assert answerable_units(q, [culture]) == []
    assert answerable_units(analyse("Bộ nào chủ trì Đề án chuyển đổi số trong lĩnh vực văn hóa?"), [culture]) == [culture]
    assert answerable_units(analyse("Bộ nào chủ trì Đề án chuyển đổi số?"), [culture]) == [culture]
    # "lĩnh vực trọng điểm / nào", "các ngành, lĩnh vực phải chiếm / mà …" name no field
    assert answerable_units(analyse("Chuyển đổi số trong những lĩnh vực trọng điểm nào?"), [culture]) == [culture]
    assert answerable_units(analyse("Kinh tế số trong các ngành, lĩnh vực phải chiếm bao nhiêu %?"), [culture]) == [culture]
    # a row that names no field at all is not about the field asked either
    other = Unit("task", "d", 0, 10, "Xây dựng Đề án phát hiện, ngăn chặn sớm tấn công mạng", [], record={
        "content": "Xây dựng Đề án phát hiện, ngăn chặn sớm tấn công mạng", "lead": "Bộ Công an", "span": [0, 10]})
    assert answerable_units(analyse("Bộ nào chủ trì xây dựng Đề án chuyển đổi số trong lĩnh vực tư pháp?"), [other]) == []
    # a field written as an abbreviation ("lĩnh vực KHCN") is not checked
    talent = _sentence("Thu hút nhà khoa học trẻ tài năng về làm việc trong lĩnh vực khoa học, công nghệ.")
    assert answerable_units(analyse("Thu hút nhà khoa học trẻ làm việc trong lĩnh vực KHCN do phòng nào tham mưu?"),
                            [talent]) == [talent]


def test_a_unit_acting_in_the_question_must_be_the_one_in_the_evidence():
    from rag.abstain import acting_units

    docs = {"d": {"issuer": "Sở Nội vụ", "parent_issuer": "UBND tỉnh Nghệ An"}}
    row = Unit("task", "d", 0, 10, "Kết nối CSDL vào IOC", [], record={
        "content": "Kết nối CSDL vào IOC", "lead": "Phòng Công chức viên chức", "span": [0, 10]})
    assert acting_units("Trung tâm Dịch vụ việc làm phải kết nối CSDL vào IOC khi nào?", [row], docs) == []
    assert acting_units("Phòng Công chức viên chức phải kết nối CSDL vào IOC khi nào?", [row], docs) == [row]
    assert acting_units("Sở Nội vụ giao phòng nào kết nối CSDL vào IOC?", [row], docs) == [row]      # the issuer
    assert acting_units("Sở Khoa học và Công nghệ giao phòng nào kết nối CSDL?", [row], docs) == []
    # "Phòng X phối hợp với cơ quan nào …": X acts (as a partner), typed with or without accents
    assert acting_units("Phòng Hành chính phối hợp với cơ quan nào để kết nối CSDL?", [row], docs) == []
    assert acting_units("phong cong chuc vien chuc phoi hop voi co quan nao de ket noi CSDL?", [row], docs) == [row]
    # a unit named by an acronym the text module expands ("Sở KHCN") is checked like its full name
    sci = Unit("task", "d", 0, 10, "Kết nối CSDL", [], record={
        "content": "Kết nối CSDL", "lead": "Sở Khoa học và Công nghệ", "span": [0, 10]})
    assert acting_units("Sở KHCN Nghệ An phải kết nối CSDL khi nào?", [row], docs) == []
    assert acting_units("Sở KHCN phải kết nối CSDL khi nào?", [sci], docs) == [sci]
    assert acting_units("Trung tâm IOC phải kết nối CSDL khi nào?", [row], docs) == []
    # "Công an tỉnh …" is a unit named in lower case after its capitalised head; "Bộ Công an" another
    assert acting_units("Công an tỉnh Nghệ An phải kết nối CSDL khi nào?", [row], docs) == []
    police = Unit("task", "d", 0, 10, "Kết nối CSDL", [], record={
        "content": "Kết nối CSDL", "lead": "Bộ Công an", "span": [0, 10]})
    assert acting_units("Bộ Công an chủ trì kết nối CSDL khi nào?", [police], docs) == [police]
    # a ministry acting is checked like any unit: "Bộ Tư pháp phải …" of the Bộ Công an's row
    assert acting_units("Bộ Tư pháp phải hoàn thành kết nối CSDL khi nào?", [police], docs) == []
    # "Cổng Thông tin điện tử" (the portal's editorial office) is a unit too
    portal = Unit("task", "d", 0, 10, "Kết nối CSDL", [], record={
        "content": "Kết nối CSDL", "lead": "Cổng Thông tin điện tử", "span": [0, 10]})
    assert acting_units("Cổng Thông tin điện tử được giao kết nối CSDL khi nào?", [row], docs) == []
    assert acting_units("Cổng Thông tin điện tử được giao kết nối CSDL khi nào?", [portal], docs) == [portal]
    # the unit a task is given to ("… giao Phòng X làm …") must be the one the evidence names
    standing = _sentence("Là cơ quan thường trực Ban Chỉ đạo của Sở.", heading="1.2. Văn phòng Sở")
    q = "Vì sao Kế hoạch 3469 giao Phòng Kế hoạch - Tài chính làm cơ quan thường trực Ban Chỉ đạo?"
    assert acting_units(q, [standing], docs) == []
    assert acting_units("Vì sao Kế hoạch 3469 giao Văn phòng Sở làm cơ quan thường trực?", [standing], docs) == [standing]
    # the unit acting is a row's lead or partner, not one its task only names
    row = Unit("task", "d", 0, 10, "Phối hợp với trung tâm phục vụ hành chính công xã", [], record={
        "content": "Phối hợp với trung tâm phục vụ hành chính công xã", "lead": "UBND xã", "span": [0, 10]})
    q = "Trung tâm Phục vụ hành chính công phải lắp hệ thống lấy số tự động khi nào?"
    assert acting_units(q, [row], docs) == []
    assert acting_units("UBND xã phải phối hợp với trung tâm phục vụ hành chính công khi nào?", [row], docs) == [row]
    # "… chuyển nhiệm vụ … sang (cho) Trung tâm X chủ trì" gives the task to X
    q = "Vì sao Sở chuyển nhiệm vụ thường trực sang cho Trung tâm Dịch vụ việc làm chủ trì?"
    assert acting_units(q, [standing], docs) == []
    # after "Trong kế hoạch …," the unit still opens the question; a task verb makes it the actor
    upgrade = Unit("task", "d", 0, 10, "Nâng cấp hệ thống hội nghị truyền hình", [], record={
        "content": "Nâng cấp hệ thống hội nghị truyền hình", "lead": "Văn phòng", "span": [0, 10]})
    q = "Trong kế hoạch 2026 của Sở Nội vụ, Phòng Thi đua khen thưởng phải làm gì để nâng cấp hệ thống hội nghị?"
    assert acting_units(q, [upgrade], docs) == []
    assert acting_units("Theo kế hoạch, Phòng Thi đua khen thưởng nâng cấp hệ thống hội nghị khi nào?", [upgrade], docs) == []
    assert acting_units("Theo kế hoạch, Văn phòng nâng cấp hệ thống hội nghị khi nào?", [upgrade], docs) == [upgrade]
    # a unit that is itself set up ("… phải lập xong …") is what the row sets up, not who acts
    setup = Unit("task", "d", 0, 10, "Thành lập Ban Chỉ đạo Sở về dữ liệu", [], record={
        "content": "Thành lập Ban Chỉ đạo Sở về dữ liệu", "lead": "Văn phòng Sở", "span": [0, 10]})
    assert acting_units("Ban Chỉ đạo Sở về dữ liệu phải lập xong trong tháng nào?", [setup], docs) == [setup]
    # … also when its long name puts "được thành lập" past the first ten words
    assert acting_units("Ban Chỉ đạo Sở về dữ liệu phải được thành lập, ban hành quy chế trong thời gian nào?",
                        [setup], docs) == [setup]
    assert acting_units("Ban Chỉ đạo Sở về dữ liệu phải lập báo cáo khi nào?", [setup], docs) == []
    # a polite opener ("Cho tôi hỏi", "Đề nghị cho biết") comes before the unit that acts
    ioc = Unit("task", "d", 0, 10, "Kết nối CSDL vào IOC", [], record={
        "content": "Kết nối CSDL vào IOC", "lead": "Phòng Công chức viên chức", "span": [0, 10]})
    q = "Cho tôi hỏi Trung tâm Dịch vụ việc làm được giao kết nối CSDL vào IOC khi nào?"
    assert acting_units(q, [ioc], docs) == []
    q = "Đề nghị cho biết Phòng Công chức viên chức được giao kết nối CSDL vào IOC khi nào?"
    assert acting_units(q, [ioc], docs) == [ioc]


def test_a_province_asked_about_must_be_named_by_the_evidence_or_its_plan():
    from rag.abstain import asked_provinces, placed_units

    docs = {"national": {"issuer": "Đảng ủy Chính phủ"}, "own": {"issuer": "Sở Nội vụ", "parent_issuer": "UBND tỉnh Nghệ An"}}
    national = _sentence("498/696 đơn vị cấp huyện hoàn thành CSDL địa chính.", doc="national")
    named = _sentence("Sơn La đang hoàn tất số hóa dữ liệu hộ tịch, đạt 85%.", doc="national")
    own = _sentence("Hoàn thành CSDL cán bộ trong năm 2026.", doc="own")
    q = "Tỉnh Sơn La đã hoàn thành CSDL cho bao nhiêu đơn vị cấp huyện?"
    assert placed_units(q, [national, named], docs) == [named]
    assert placed_units("tinh son la da hoan thanh csdl cho bao nhieu don vi", [national], docs) == []
    assert placed_units("Tỉnh Nghệ An hoàn thành CSDL cán bộ khi nào?", [own, national], docs) == [own]   # its plan
    assert placed_units("Bao nhiêu đơn vị cấp huyện hoàn thành CSDL?", [national], docs) == [national]
    # a common word that folds like a province is not one: "hòa bình" (peace) is no Hòa Bình
    assert asked_provinces("Giữ vững môi trường hòa bình để phát triển?") == []
    assert asked_provinces("Kế hoạch của tỉnh Hòa Bình?") == ["hoa binh"]


def test_a_progress_question_is_answered_by_the_progress_report_row():
    q = analyse("Nhiệm vụ thành lập Ủy ban dữ liệu quốc gia do ai thực hiện và tiến độ ra sao?")
    plan_row = Unit("task", "plan", 0, 10, "Thành lập Ủy ban dữ liệu quốc gia", [], record={
        "content": "Thành lập Ủy ban dữ liệu quốc gia", "lead": "Bộ Công an", "deadline_text": "3/2025", "span": [0, 10]})
    report_row = Unit("task", "report", 0, 10, "Thành lập Ủy ban dữ liệu quốc gia", [], record={
        "content": "Thành lập Ủy ban dữ liệu quốc gia", "lead": "Bộ Công an", "deadline_text": "Tháng 3/2025",
        "note": "Tiến độ: Quá hạn; Kết quả hiện nay: Đang chuẩn bị hồ sơ.", "span": [0, 10]})
    assert answerable_units(q, [plan_row, report_row]) == [report_row]
    q2 = analyse("Nhiệm vụ thành lập Ủy ban dữ liệu quốc gia do ai thực hiện?")
    assert answerable_units(q2, [plan_row, report_row]) == [plan_row, report_row]
    q3 = analyse("Đến nay thực tế đã thành lập Ủy ban dữ liệu quốc gia chưa?")      # "đến nay / thực tế": progress
    assert answerable_units(q3, [plan_row, report_row]) == [report_row]
    # "đã thu hút được bao nhiêu", "hiện đạt bao nhiêu": a figure reached so far is progress
    from rag.query import asks_progress
    assert asks_progress("nhiem vu thu hut chuyen gia da thu hut duoc bao nhieu nguoi")
    assert asks_progress("ty le hien dat bao nhieu")
    assert not asks_progress("bo nao da duoc giao chu tri")
    assert not asks_progress("phai thu hut duoc bao nhieu chuyen gia")


def test_how_many_people_is_counted_by_any_people_noun():
    ev = "Đã thu hút được 277 chuyên gia giỏi về trí tuệ nhân tạo."
    assert type_mismatch("den nay da thu hut duoc bao nhieu nguoi", ev) is None
    assert type_mismatch("den nay da thu hut duoc bao nhieu doanh nghiep", ev) == "count"
    # a count of people needs a number of people, not just any number
    q = "luc luong tai cho trong mo hinh 4 lop gom bao nhieu nguoi"
    assert type_mismatch(q, "Mô hình 4 lớp gồm: (1) Lực lượng tại chỗ; (2) giám sát 24/7.") == "count"
    assert type_mismatch(q, "Lực lượng tại chỗ gồm 05 cán bộ.") is None


def test_a_documents_number_is_no_count():
    q = "nam 2026 van phong quan triet nghi quyet 57 cho bao nhieu can bo, cong chuc"
    assert type_mismatch(q, "Quán triệt Nghị quyết số 57-NQ/TW đến cán bộ, công chức, viên chức.") == "count"
    assert type_mismatch(q, "Quán triệt Nghị quyết số 57-NQ/TW đến 120 cán bộ, công chức.") is None


def test_besides_x_needs_another_of_its_kind():
    """"Ngoài Nghị định 179 … còn nghị định nào khác": evidence naming only 179 names no other;
    a word that only classes units ("tổ chức") is no kind their names repeat."""
    q = "ngoai nghi dinh 179/2024/nd-cp, kh 3469 con can cu nghi dinh nao khac ve thu hut nhan tai"
    assert type_mismatch(q, "Triển khai Nghị định số 179/2024/NĐ-CP ngày 31/12/2024 của Chính phủ.") == "besides"
    assert type_mismatch(q, "Triển khai Nghị định số 179/2024/NĐ-CP và Nghị định số 73/2023/NĐ-CP.") is None
    q = "ngoai cac to chuc chinh tri - xa hoi, ket luan con giao nhung to chuc nao tuyen truyen"
    assert type_mismatch(q, "Giao Hội Nông dân, Hội Cựu chiến binh tuyên truyền.") is None
    assert type_mismatch("ngoai ban bien tap, van phong so con phoi hop voi nhung ai",
                         "Phối hợp với Ban biên tập cổng thông tin điện tử của Sở.") is None


def test_a_row_of_another_appendix_cannot_answer(engine):
    from rag.abstain import appendix_units

    def row(path):
        return Unit("task", "vpubnd-kh-2026-trien-khai-nq71-nq57", 0, 10, "Nâng cấp Cổng", [],
                    record={"content": "Nâng cấp Cổng", "section_path": [path]})
    pl1, pl2, body = row("PL1"), row("PL2"), _sentence("Nâng cấp Cổng.", doc="vpubnd-kh-2026-trien-khai-nq71-nq57")
    snap = engine.snapshot()
    assert appendix_units("trong phu luc 1 nhiem vu nang cap cong do ai chu tri", [pl1, pl2, body], snap, []) == [pl1, body]
    assert appendix_units("trong phu luc ii nhiem vu nang cap cong do ai chu tri", [pl1, pl2], snap, []) == [pl2]
    assert appendix_units("nhiem vu nang cap cong do ai chu tri", [pl1, pl2], snap, []) == [pl1, pl2]


def test_a_plans_own_year_does_not_stand_for_another_year_asked():
    from rag.abstain import answerable_units
    from rag.query import analyse

    target = _sentence("- Tỷ lệ số hóa hồ sơ thủ tục hành chính cấp tỉnh đạt 95%.", doc="kh2026")
    q = analyse("Theo kế hoạch 2026, đến năm 2030 tỷ lệ số hóa hồ sơ thủ tục hành chính cấp tỉnh phải đạt bao nhiêu?")
    assert answerable_units(q, [target], {"kh2026": "2026"}) == []
    q = analyse("Theo kế hoạch 2026, tỷ lệ số hóa hồ sơ thủ tục hành chính cấp tỉnh phải đạt bao nhiêu?")
    assert answerable_units(q, [target], {"kh2026": "2026"}) == [target]
    # nor when the evidence is under a horizon of its own: that figure is the horizon's
    vision = _sentence("- Tỷ lệ số hóa hồ sơ thủ tục hành chính đạt 100%.", doc="kh2026",
                       heading="a) Tầm nhìn đến năm 2030")
    q = analyse("Kế hoạch đặt tỷ lệ số hóa hồ sơ thủ tục hành chính năm 2026 là bao nhiêu?")
    assert answerable_units(q, [vision], {"kh2026": "2026"}) == []
    assert answerable_units(q, [target], {"kh2026": "2026"}) == [target]


def test_round_the_clock_is_no_day_and_a_grade_needs_one():
    row = "Hệ thống hoặc dịch vụ giám sát 24/7, giúp phát hiện sớm các nguy cơ; thời hạn: Tháng 4/2026."
    assert type_mismatch("mo hinh 4 lop phai xong truoc ngay cu the nao trong thang 4/2026", row) == "day"
    assert type_mismatch("bao cao gui truoc ngay nao", "Gửi báo cáo trước ngày 15/12 hằng năm.") is None
    q = "nam 2025 xa duoc tinh danh gia, xep loai muc do chuyen doi so dat loai gi"
    assert type_mismatch(q, "Đánh giá mức độ hoàn thành nhiệm vụ chuyển đổi số hằng năm.") == "grade"
    assert type_mismatch(q, "Năm 2025 xã được xếp loại A về chuyển đổi số.") is None
    # "đạt mức nào" asks a level, often a percentage, not a grade
    assert type_mismatch("ty le ho so xu ly truc tuyen dat muc nao", "Tỷ lệ đạt 100%.") is None


def test_computers_are_counted_though_may_folds_like_may():
    q = "nam 2026 so trang bi bao nhieu may tinh moi cho can bo"
    assert type_mismatch(q, "100% hồ sơ công việc được xử lý trên môi trường điện tử.") == "count"
    assert type_mismatch(q, "Trang bị 20 máy tính mới cho cán bộ, công chức.") is None


def test_a_heading_that_only_names_a_unit_answers_no_open_question():
    heading = _sentence("Phòng Cải cách hành chính và Văn thư lưu trữ")
    task = _sentence("Phòng Cải cách hành chính và Văn thư lưu trữ chủ trì số hóa tài liệu lưu trữ.")
    q = analyse("Vì sao Sở giao Phòng Cải cách hành chính và Văn thư lưu trữ số hóa tài liệu?")
    assert answerable_units(q, [heading, task]) == [task]
    assert answerable_units(analyse("Phòng nào số hóa tài liệu lưu trữ?"), [heading]) == [heading]


def test_what_has_been_done_is_not_in_a_plan():
    from rag.abstain import asks_state_of_plans

    docs = {"kh": {"doc_type": "Kế hoạch"}, "bc": {"doc_type": "Công văn"}}
    row = Unit("task", "kh", 0, 10, "Thành lập Ban Chỉ đạo Sở về dữ liệu", [],
               record={"content": "Thành lập Ban Chỉ đạo Sở về dữ liệu", "deadline_text": "Tháng 03/2026"})
    q = "so noi vu da thanh lap xong ban chi dao so ve du lieu chua"
    assert asks_state_of_plans(q, [row], docs)
    assert asks_state_of_plans("van phong hien co bao nhieu cong chuc chuyen trach", [row], docs)
    assert not asks_state_of_plans("ai thanh lap ban chi dao so ve du lieu", [row], docs)
    report = _sentence("Đến nay đã thu hút được 277 chuyên gia.", doc="bc")
    assert not asks_state_of_plans("den nay da thu hut duoc bao nhieu chuyen gia", [report], docs)


def test_a_count_of_a_noun_opening_with_a_function_word_syllable():
    """"hội nghị" folds like "hỏi nghị": still the counted noun."""
    q = "van phong to chuc bao nhieu hoi nghi quan triet nghi quyet 57"
    assert type_mismatch(q, "Triển khai Kế hoạch quán triệt Nghị quyết số 57-NQ/TW đến cán bộ.") == "count"
    assert type_mismatch(q, "Tổ chức 02 hội nghị quán triệt Nghị quyết số 57-NQ/TW.") is None


def test_a_day_asked_needs_a_day():
    q = "xa phat dong phong trao thi dua vao ngay cu the nao cua nam 2025"
    assert type_mismatch("de an phai trinh truoc ngay bao nhieu", "Đề án được phê duyệt. Quý I/2026") == "day"
    assert type_mismatch(q, "Phát động phong trào thi đua toàn xã. Năm 2025") == "day"
    assert type_mismatch(q, "Phát động phong trào thi đua ngày 15/3/2025.") is None


def test_a_post_holder_asked_needs_a_name_but_a_signers_post_does_not():
    from rag.abstain import person_missing

    assert person_missing("chu tich hdnd xa nghia dan, noi nhan bao cao ke hoach, la ai",
                          "nơi nhận: Sở KHCN tỉnh Nghệ An (b/c); TT ĐU - TT HĐND xã (b/c)")
    assert not person_missing("nguoi ky ke hoach giu chuc vu gi", "chức vụ người ký: KT. CHÁNH VĂN PHÒNG")


def test_a_body_the_question_addresses_is_not_the_issuer_it_names():
    from rag.query import detect_scope

    docs = {"nq03": {"number": "03/NQ-CP", "issuer": "Chính phủ", "doc_type": "Nghị quyết"}}
    assert detect_scope("nhiem vu tham muu chinh phu thanh lap uy ban du lieu do ai thuc hien", docs) == []
    assert detect_scope("chinh phu giao ai thanh lap uy ban du lieu", docs) == ["nq03"]
    # "Kế hoạch … của VP UBND tỉnh giao Sở Nội vụ …": the unit given a task is not the issuer
    docs = {"vp": {"number": "", "issuer": "Văn phòng UBND tỉnh", "doc_type": "Kế hoạch"},
            "snv": {"number": "3469/KH-SNV", "issuer": "Sở Nội vụ", "doc_type": "Kế hoạch"}}
    q = "ke hoach cua van phong ubnd tinh giao so noi vu phoi hop nhiem vu nao"
    assert detect_scope(q, docs) == ["vp"]
    assert detect_scope("so noi vu giao phong nao chu tri", docs) == ["snv"]


def test_a_full_name_asked_needs_a_person():
    q = "truong phong cai cach hanh chinh cua so noi vu ten day du la gi"
    assert type_mismatch(q, "Phòng Cải cách hành chính và Văn thư lưu trữ chủ trì số hóa.") == "person"
    assert type_mismatch(q, "Trưởng phòng: ông Nguyễn Văn An.") is None


def test_who_is_the_unit_asks_a_unit_not_a_person():
    """"Ai là đơn vị thực hiện chính …" asks a unit; "Ai là người …" still asks a person."""
    row = "Nâng cao kỹ năng số cho giáo viên. UBND xã Các nhà trường Các ban, ngành, đoàn thể Thường xuyên"
    assert type_mismatch("ai la don vi thuc hien chinh viec nang cao ky nang so cho giao vien", row) is None
    assert type_mismatch("ai la nguoi ky ke hoach", row) == "person"


def test_places_typed_in_lower_case_and_provinces_the_plans_never_mention(engine):
    from rag.abstain import unknown_places

    snap = engine.snapshot()
    assert unknown_places("so noi vu ha noi giao phong nao trien khai ke hoach ung pho su co", snap) == ["ha noi"]
    assert unknown_places("ty le giao dich phi tiep xuc cua tinh quang ngai dat bao nhieu", snap) == ["quang ngai"]
    assert unknown_places("ke hoach cua thi xa hoang mai giao ai so hoa ho tich", snap) == ["thi xa hoang mai"]
    assert unknown_places("ke hoach cua phuong thai hoa giao phong nao lam giao duc stem", snap) == ["phuong thai hoa"]
    # a place of the gazetteer whose words are common ones ("cửa", "lò") is a place all the same
    assert unknown_places("ke hoach cua phuong cua lo giao phong nao thuc hien chinh", snap) == ["phuong cua lo"]
    assert unknown_places("ke hoach cua xa co nhung nhiem vu nao", snap) == []
    # a place word opening the question ("xa nam dan dat muc tieu …") is a place too
    assert unknown_places("xa nam dan dat muc tieu ty le doanh nghiep doi moi sang tao bao nhieu", snap) == ["xa nam dan"]
    assert unknown_places("xa nghia dan dat muc tieu ty le doanh nghiep doi moi sang tao bao nhieu", snap) == []
    assert unknown_places("ke hoach cua ubnd xa con cuong giao ai nang cao ky nang so", snap) == ["xa con cuong"]
    # "phương / xa" are other words too: a place only after "của / tại / ở"
    assert unknown_places("phuong thuc giao duc stem do ai lam", snap) == []
    for known in ("so noi vu nghe an giao phong nao", "ke hoach cua xa nghia dan giao ai",
                  "muc dich dung AI dich cong thong tin dien tu tinh sang tieng nuoc ngoai la gi"):
        assert unknown_places(known, snap) == [], known


def test_contact_details_need_one_in_the_evidence():
    assert type_mismatch("dia chi website trang thong tin dien tu cua xa la gi",
                         "Phát huy kênh truyền thông qua Trang thông tin điện tử.") == "website"
    assert type_mismatch("dia chi website cua xa la gi", "Trang thông tin điện tử nghiadan.nghean.gov.vn.") is None
    assert type_mismatch("toa nha lam viec moi nam o dia chi nao", "Nâng cấp mạng LAN sau khi tòa nhà đi vào hoạt động.") == "address"
    assert type_mismatch("so dien thoai duong day nong la gi", "Tiếp nhận phản ánh qua đường dây nóng.") == "phone"
    report = "Báo cáo tiến độ hàng tháng trước ngày 20 hàng tháng, báo cáo Quý trước ngày 10 tháng cuối Quý."
    assert type_mismatch("bao cao hang tuan phai gui vao thu may", report) == "weekday"
    assert type_mismatch("bao cao hang tuan phai gui vao thu may", "Giao ban vào thứ Hai hằng tuần.") is None


def test_an_appendix_the_plan_does_not_have(engine):
    from rag.abstain import missing_appendix

    snap = engine.snapshot()
    doc = "snv-kh-2026-khcn-cds"
    assert missing_appendix("phu luc 3 cua ke hoach gom nhung nhiem vu gi", snap, [doc]) == "phu luc 3"
    assert missing_appendix("phu luc 2 cua ke hoach gom nhung nhiem vu gi", snap, [doc]) == ""


def test_an_appendix_the_plan_only_refers_to_answers_nothing(engine):
    """3469 says "chi tiết tại Phụ lục 1, 2 kèm theo" but the loaded text has no such
    appendix: a figure asked "theo Phụ lục 1" of it is not found; the 2026 plan has one."""
    missing = engine.ask("Theo Phụ lục 1 kèm Kế hoạch 3469/KH-SNV, tỷ lệ dịch vụ công trực tuyến "
                         "toàn trình năm 2025 là bao nhiêu?")
    assert missing.abstained, missing.answer
    present = engine.ask("Theo Phụ lục 1 kế hoạch năm 2026 của Sở Nội vụ, ai chủ trì xây dựng Đề án Chuyển đổi số?")
    assert "Văn phòng" in present.answer


def test_a_row_about_other_administrative_levels_cannot_answer():
    q = analyse("Bao nhiêu phần trăm hồ sơ công việc tại cấp huyện được xử lý trên môi trường điện tử?")
    other = _sentence("100% hồ sơ công việc tại cấp tỉnh và cấp xã được xử lý trên môi trường điện tử.")
    same = _sentence("90% hồ sơ công việc tại cấp huyện được xử lý trên môi trường điện tử.")
    assert answerable_units(q, [other, same]) == [same]


def test_a_subjectless_duty_under_a_heading_naming_no_unit_does_not_say_who():
    """"- Chủ trì rà soát …" under "2. Hoàn thiện cơ chế, chính sách" says what is led, not by
    which unit (the plan's own label in the heading path names no unit of it); under
    "1.4. Phòng Thi đua khen thưởng" it does."""
    q = analyse("Phòng nào chủ trì rà soát, đơn giản hóa thủ tục hành chính?")
    text = "- Chủ trì rà soát, tham mưu đơn giản hóa thủ tục hành chính."
    bare = _sentence(text, heading="Kế hoạch Văn phòng UBND tỉnh › III. NHIỆM VỤ › 2. Hoàn thiện cơ chế, chính sách")
    named = _sentence(text, heading="Kế hoạch Sở Nội vụ › III. NHIỆM VỤ › 1.4. Phòng Thi đua khen thưởng")
    assert answerable_units(q, [bare, named]) == [named]


def test_an_event_a_task_waits_for_is_not_timed_by_its_deadline():
    """A row done "sau khi tòa nhà làm việc đi vào hoạt động" does not say when the building opens."""
    row = _task(deadline="Quý II/2026", content="Nâng cấp hệ thống mạng Lan cơ quan Sở, sau khi tòa nhà "
                                                "làm việc mới đi vào hoạt động.")
    assert answerable_units(analyse("Khi nào tòa nhà làm việc mới đi vào hoạt động?"), [row]) == []
    assert answerable_units(analyse("Khi nào nâng cấp mạng Lan cơ quan Sở?"), [row]) == [row]


def test_a_sentence_about_another_grade_cannot_answer():
    """"chứng chỉ … nâng cao" is not answered by "chứng chỉ … cơ bản"; "nâng cao kỹ năng"
    (a verb before its object) names no grade."""
    q = analyse("Bao nhiêu phần trăm cán bộ đạt chứng chỉ quản trị dữ liệu nâng cao?")
    other = _sentence("Phấn đấu có ít nhất 50% cán bộ được đào tạo đạt chứng chỉ quản trị dữ liệu cơ bản.")
    same = _sentence("Phấn đấu 20% cán bộ đạt chứng chỉ quản trị dữ liệu nâng cao.")
    assert answerable_units(q, [other, same]) == [same]
    verb = analyse("Bao nhiêu phần trăm cán bộ được nâng cao kỹ năng số?")
    basic = _sentence("100% cán bộ được đào tạo, bồi dưỡng kỹ năng số cơ bản.")
    assert answerable_units(verb, [basic]) == [basic]


def test_a_rate_of_staff_typed_cb_is_a_rate_of_can_bo():
    q = analyse("tỷ lệ CB chuyên trách CNTT phải có chứng chỉ quản trị dữ liệu cơ bản?")
    row = _sentence("Phấn đấu có ít nhất 50% cán bộ chuyên trách về công nghệ thông tin đạt chứng chỉ quản trị dữ liệu cơ bản.")
    assert answerable_units(q, [row]) == [row]


def test_capitalised_unit_names_are_names_even_when_they_fold_to_stopwords():
    from rag.abstain import _unit_names

    assert _unit_names("Sở Tư pháp Nghệ An được giao nhiệm vụ gì?") == [(0, "so tu phap")]     # "Tư" is not "từ"
    assert _unit_names("Giao Phòng Văn hóa - Xã hội từ năm 2025") == [(5, "phong van hoa")]
    # "của Sở để tăng cường …": a lower-case word after the head ("để") opens no name
    assert _unit_names("Phối hợp với Ban biên tập cổng thông tin của Sở để tăng cường truyền thông?") == []


def test_why_is_not_answered_by_a_table_row_and_discipline_needs_a_sanction():
    q = analyse("Tại sao Văn phòng Sở chủ trì triển khai mô hình an toàn thông tin 4 lớp?")
    row = _task(deadline="Tháng 4/2026", content="Triển khai mô hình an toàn thông tin 4 lớp")
    said = _sentence("Mô hình 4 lớp được triển khai sớm vì các hệ thống thông tin đang bị tấn công.")
    assert answerable_units(q, [row, said]) == [said]
    assert type_mismatch("can bo de lo lot du lieu thi bi ky luat theo hinh thuc nao",
                         "Không để xảy ra sự cố lộ, lọt dữ liệu.") == "discipline"


def test_a_year_no_plan_writes_is_not_answered(engine):
    from rag.abstain import unknown_years

    snap = engine.snapshot()
    plans = list(snap.primary_documents())
    assert unknown_years("giai đoạn 2031-2035 và năm 2026", snap, plans) == ["2031"]
    task = "đơn vị nào chủ trì nâng cấp Hệ thống hội nghị truyền hình trực tuyến?"
    assert "Văn phòng" in engine.ask(f"Trong năm 2026, {task}").answer
    assert engine.ask(f"Trong năm 2027, {task}").abstained      # no plan speaks of 2027


def test_a_claim_to_confirm_must_be_stated(engine):
    task = "Văn phòng chủ trì nâng cấp Hệ thống hội nghị truyền hình trực tuyến"
    stated = engine.ask(f"Có phải {task} không?")
    assert not stated.abstained and "Văn phòng" in stated.answer
    assert engine.ask(f"Có phải {task} miễn phí cho người dân không?").abstained   # "miễn phí": never said
    # "… có X không?" is the same yes/no question
    stated = engine.ask("Sở Nội vụ có nâng cấp Hệ thống hội nghị truyền hình trực tuyến không?")
    assert not stated.abstained and "hội nghị truyền hình" in stated.answer
    assert engine.ask("Văn phòng UBND tỉnh có thuê doanh nghiệp bên ngoài làm chức năng AI dịch tự động "
                      "cho Cổng Thông tin điện tử tỉnh không?").abstained      # "thuê doanh nghiệp": never said


def test_capitalised_words_separated_by_commas_are_not_one_name(engine):
    from rag.abstain import unknown_names

    snap = engine.snapshot()
    assert unknown_names("Dịch thông tin sang tiếng Anh, Nhật, Hàn, Trung do ai chủ trì?", snap) == []
    assert unknown_names("Dịch thông tin sang tiếng Anh Nhật Hàn do ai chủ trì?", snap)     # one unknown name
    assert unknown_names("Kế hoạch của xã Nghĩa Đàn và tỉnh Nghệ An giao ai chủ trì?", snap) == []
    assert unknown_names("Kế hoạch của Nghĩa Đàn và Nghệ An giao ai chủ trì?", snap) == []   # two names, not one


def test_a_foreign_term_no_plan_writes_is_not_answered(engine):
    from rag.abstain import foreign_terms

    snap = engine.snapshot()
    assert foreign_terms("Sở Nội vụ giao ai ứng dụng blockchain trong quản lý hồ sơ?", snap) == ["blockchain"]
    # near spellings of the plans' own words, abbreviations and Vietnamese typed without accents are no such terms
    assert foreign_terms("Module khảo sát trực tuyến, cbccvc, nguoi dan khuyen khich", snap) == []
    assert engine.ask("so noi vu giao ai ung dung blockchain trong quan ly ho so cong chuc").abstained


def test_a_sibling_place_typed_in_lower_case_is_another_place(engine):
    from rag.abstain import unknown_places

    snap = engine.snapshot()
    assert unknown_places("ke hoach cua xa nghia thuan giao phong nao so hoa ho tich", snap) == ["xa nghia thuan"]
    assert unknown_places("ke hoach cua xa nghia dan giao phong nao so hoa ho tich", snap) == []


def test_a_word_the_plans_never_capitalise_names_something_else(engine):
    from rag.abstain import unknown_capitalised

    snap = engine.snapshot()
    assert unknown_capitalised("Dịch tự động sang tiếng Lào khi nào?", snap) == ["Lào"]
    # "GIẢI PHÁP" in an upper-case heading is no capitalised "Pháp"
    assert unknown_capitalised("Dịch Cổng thông tin sang tiếng Pháp khi nào?", snap) == ["Pháp"]
    assert unknown_capitalised("Sở Nôi vụ giao Văn phòng Sở việc gì?", snap) == []     # "Nôi": a typo of "Nội"
    assert unknown_capitalised("dich sang tieng Phap khi nao", snap) == []             # typed without accents: not judged


def test_a_salary_question_needs_an_amount_of_money():
    ev = "Có cơ chế đặc biệt về thu nhập, môi trường làm việc để thu hút các tổng công trình sư."
    assert type_mismatch("tra luong bao nhieu cho cac tong cong trinh su", ev) == "money"
    assert type_mismatch("tra luong bao nhieu cho cac tong cong trinh su", ev + " Mức 50 triệu đồng/tháng.") is None
    assert type_mismatch("chat luong dich vu dat bao nhieu", "Chất lượng dịch vụ đạt 90%.") is None   # lượng ≠ lương
    # an allowance is money too: a share of staff trained is not its amount
    assert type_mismatch("muc phu cap hang thang cho can bo chuyen trach la bao nhieu",
                         "Phấn đấu có ít nhất 50% cán bộ chuyên trách được đào tạo.") == "money"


def test_a_share_stated_in_the_question_must_be_the_evidence_s():
    q = "chi tieu ty le hai long khi dung dich vu cong truc tuyen dat 98% do phong nao theo doi"
    ev = "Tỷ lệ hài lòng của người dân khi sử dụng dịch vụ công trực tuyến đạt tối thiểu 95%."
    assert type_mismatch(q, ev) == "stated share"
    assert type_mismatch(q.replace("98%", "95 %"), ev) is None
    assert type_mismatch(q.replace("98%", "8%"), ev.replace("95%", "98%")) == "stated share"   # not a tail of 98


def test_a_row_whose_lead_cooperates_names_no_partner():
    """"Phối hợp ứng dụng phần mềm KPI" (no partners cell): its lead cooperates with no one
    named; a row the question quotes as "phối hợp triển khai …" still answers when/who."""
    def row(content):
        return Unit("task", "d", 0, 10, content, [], record={"content": content, "lead": "Văn phòng Sở",
                                                              "deadline_text": "Quý II/2026", "span": [0, 10]})
    kpi = row("Phối hợp ứng dụng phần mềm đánh giá hiệu quả công việc (KPI)")
    named = row("Phối hợp với Sở Tài chính ứng dụng phần mềm đánh giá hiệu quả công việc (KPI)")
    q = analyse("Văn phòng Sở phối hợp với cơ quan nào để ứng dụng phần mềm đánh giá hiệu quả công việc?")
    assert answerable_units(q, [kpi, named]) == [named]
    d06 = row("Phối hợp triển khai Đề án 06/CP về dữ liệu dân cư")
    q = analyse("phoi hop trien khai de an 06/CP ve du lieu dan cu phai xong nam nao")
    assert "who_partner" in q.intents and answerable_units(q, [d06]) == [d06]


def test_counts_asked_with_may_and_fines():
    """"Mấy lần / mấy cấp độ" asks a count as "bao nhiêu" does (folded "mấy" is "máy" too,
    so only before a measure word); "bao nhiêu phân hệ" is a count, "bao nhiêu phần trăm"
    a share; "bị phạt bao nhiêu" asks money."""
    assert type_mismatch("ban chi dao hop dinh ky may lan mot nam", "Ban hành Quy chế hoạt động.") == "count"
    assert type_mismatch("ban chi dao hop dinh ky may lan mot nam", "Ban Chỉ đạo họp 2 lần mỗi năm.") is None
    assert type_mismatch("su co duoc phan thanh may cap do", "Triển khai Kế hoạch ứng phó sự cố.") == "count"
    assert type_mismatch("hoc sinh hoc tren may tinh bang", "Học sinh học trên máy tính bảng.") is None
    assert type_mismatch("nen tang gom bao nhieu phan he", "Triển khai nền tảng điều hành thông minh.") == "count"
    assert type_mismatch("ty le dat bao nhieu phan tram", "Tỷ lệ đạt 90%.") is None
    assert type_mismatch("nha cung cap bi phat bao nhieu", "Xử lý theo hợp đồng thuê dịch vụ.") == "money"
    assert type_mismatch("phat trien bao nhieu doanh nghiep cong nghe so", "Phát triển 10 doanh nghiệp.") is None


def test_a_count_is_not_a_share():
    """"Bao nhiêu sản phẩm" asks a count: "100% sản phẩm OCOP" gives none."""
    assert type_mismatch("xa co bao nhieu san pham ocop", "100% sản phẩm OCOP được bán trên sàn.") == "count"
    assert type_mismatch("xa co bao nhieu san pham ocop", "Có 12 sản phẩm OCOP được bán trên sàn.") is None


def test_a_person_asked_needs_a_person_s_name():
    """A surname is read with its accents: "Đảng Cộng sản" names no "Đặng"."""
    q = "truong phong cong chuc vien chuc so noi vu la ai"
    assert type_mismatch(q, "Thu hút nhân tài vào cơ quan của Đảng Cộng sản Việt Nam.") == "person"
    assert type_mismatch(q, "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Nguyễn Việt Hưng") is None
    assert type_mismatch(q, "nguoi ky: Dang Van Hung") is None           # typed without accents: folded
    assert type_mismatch("ai ky ket luan", "T/M BỘ CHÍNH TRỊ Trương Thị Mai") is None     # less common family names
    # "Trưởng ban … là ai" of a text naming the holder by the post they hold: answered
    q = "truong ban chi dao trung uong la ai"
    assert type_mismatch(q, "Thành lập Ban Chỉ đạo Trung ương, do đồng chí Tổng Bí thư làm Trưởng Ban.") is None
    assert type_mismatch(q, "Thành lập Ban Chỉ đạo Trung ương, đồng chí Tổng Bí thư chỉ đạo.") == "person"
    assert type_mismatch(q, "Thành lập Ban Chỉ đạo Trung ương, do Văn phòng làm thường trực.") == "person"


def test_a_document_asked_by_kind_needs_one_named():
    q = "thong tu nao cua bo noi vu quy dinh so hoa tai lieu luu tru"
    assert type_mismatch(q, "Hoàn thành số hoá 100% tài liệu lưu trữ trong 3 năm gần đây.") == "document"
    assert type_mismatch(q, "Số hóa theo Thông tư số 05/2025/TT-BNV.") is None
    assert type_mismatch("gop y sua doi luat nao", "Góp ý sửa đổi Luật Khoa học, công nghệ.") is None
    assert type_mismatch("gop y sua doi luat nao", "Góp ý sửa đổi các luật có liên quan.") == "document"


def test_how_often_and_sanctions_need_evidence_that_says_so():
    assert type_mismatch("ban chi dao bao lau thi hop mot lan", "Thành lập Ban Chỉ đạo; ban hành Quy chế.") == "frequency"
    assert type_mismatch("ban chi dao bao lau thi hop mot lan", "Ban Chỉ đạo họp định kỳ hằng quý.") is None
    q = "cong chuc khong hoan thanh hoc tap bi xu ly, tru diem thi dua the nao"
    assert type_mismatch(q, "Thực hiện chương trình Bình dân học vụ số.") == "discipline"


def test_a_target_sentence_takes_its_time_from_its_heading():
    q = analyse("Kế hoạch đặt mốc năm nào để phủ sóng 5G đến các cộng đồng dân cư?")
    target = _sentence("Triển khai phủ sóng 5G tại các cộng đồng dân cư.",
                       heading="Kế hoạch 2025 › II. MỤC TIÊU › a) Tầm nhìn đến năm 2030")
    bare = _sentence("Triển khai phủ sóng 5G tại các cộng đồng dân cư.", heading="Kế hoạch 2025 › II. MỤC TIÊU")
    assert answerable_units(q, [bare, target]) == [target]


def test_a_rank_a_leader_or_a_maker_needs_evidence_that_gives_one():
    assert type_mismatch("chi so papi cua tinh xep hang thu may", "Nâng cao chỉ số PAPI của tỉnh.") == "rank"
    assert type_mismatch("chi so doi moi sang tao dat thu hang bao nhieu",
                         "| 37 | Chỉ số đổi mới sáng tạo toàn cầu | Thứ bậc | ≤ 30 |") is None
    assert type_mismatch("lanh dao nao phu trach nang cap cong thong tin",
                         "Cổng Thông tin điện tử chủ trì.") == "person"
    assert type_mismatch("he thong hoi nghi dung san pham cua hang nao", "Hoàn thành nâng cấp hệ thống.") == "company"


def test_a_phone_number_question_needs_a_number_written_out():
    assert type_mismatch("sdt phong van hoa xa hoi de gui bao cao la gi", "Gửi báo cáo qua Phòng VH-XH.") == "phone"


def test_what_a_document_the_plans_only_cite_says_is_not_found(engine):
    """A question opening with a document no plan is (or contains) asks what that document
    says; the plans only cite it. Which document a plan implements is still theirs to say."""
    from index import text as vt
    from rag.abstain import foreign_subject

    snap = engine.snapshot()
    cited = "Kế hoạch số 02-KH/BCĐTW xác định những cơ sở dữ liệu trọng yếu nào cần ưu tiên?"
    assert foreign_subject(vt.fold(cited).lower(), snap)
    assert engine.ask(cited).abstained
    assert engine.ask(f"Anh/chị cho biết {cited[0].lower()}{cited[1:]}").abstained     # a polite opening first
    relation = "Kế hoạch 3469/KH-SNV của Sở Nội vụ thực hiện kế hoạch số mấy của UBND tỉnh?"
    assert foreign_subject(vt.fold(relation).lower(), snap) == ""           # a loaded plan's number
    implements = "Kế hoạch 348/KH-UBND được ban hành để thực hiện nghị quyết nào của Chính phủ?"
    assert foreign_subject(vt.fold(implements).lower(), snap) == ""         # asks which document it implements
    # the xã plan wraps "… Nghị quyết số / 03/NQ-CP." across lines: a line opening with the
    # number is no heading of that document
    wrapped = "nghi quyet 03/NQ-CP ma xa nhac toi la nghi quyet ve van de gi"
    assert foreign_subject(vt.fold(wrapped).lower(), snap)
    letter = "Văn bản số 562/BKHCN-VCL định nghĩa khái niệm năng lực cạnh tranh số như thế nào?"
    assert foreign_subject(vt.fold(letter).lower(), snap)                  # "văn bản số …" is a document too
    # a decree numbered with its year ("Nghị định 179/2024/NĐ-CP") opens the question as well
    decree = "Nghị định 179/2024/NĐ-CP quy định những chính sách thu hút người có tài năng nào?"
    assert foreign_subject(vt.fold(decree).lower(), snap)
    assert engine.ask(decree).abstained


def test_prose_from_another_plan_must_give_the_detail_asked():
    """Another plan's sentence joins an answer only if it gives a unit (who), a time (when) or a figure."""
    from rag.abstain import gives_asked_detail

    who = analyse("Ai chủ trì bố trí cán bộ chuyên trách về chuyển đổi số?")
    assert not gives_asked_detail(_sentence("Phấn đấu ít nhất 01 cán bộ chuyên trách về chuyển đổi số."), who)
    assert gives_asked_detail(_sentence("Bố trí cán bộ chuyên trách.",
                                        heading="Kế hoạch Sở Nội vụ › 1.4. Phòng Thi đua khen thưởng"), who)
    # the plan's own label opening the heading path ("Kế hoạch Sở Nội vụ › …") names no unit of it
    assert not gives_asked_detail(_sentence("Bố trí ít nhất 01 cán bộ chuyên trách.",
                                            heading="Kế hoạch Sở Nội vụ › 1.1. Các phòng chuyên môn thuộc Sở, các đơn vị"), who)
    when = analyse("Khi nào phải hoàn thành đề án chuyển đổi số?")
    assert not gives_asked_detail(_sentence("Phối hợp triển khai Đề án chuyển đổi số."), when)
    assert gives_asked_detail(_sentence("Hoàn thành Đề án chuyển đổi số trong quý I/2026."), when)
    assert gives_asked_detail(_task(), when)          # a row carries its own fields
    rate = analyse("Tỷ lệ hồ sơ số hóa đến năm 2030 là bao nhiêu?")       # a figure: prose must give one
    assert not gives_asked_detail(_sentence("Đẩy mạnh số hóa hồ sơ đến năm 2030."), rate)
    assert gives_asked_detail(_sentence("Đến năm 2030, 90% hồ sơ được số hóa."), rate)


def test_another_plan_joins_only_with_the_same_task_wording():
    """A second plan's row is the same task when it keeps the question's phrase as the best
    row does; sharing the words scattered is another task."""
    from rag.abstain import same_task

    q = analyse("Khi nào phải hoàn thành đề án chuyển đổi số?").folded
    best = _task(content="Xây dựng, hoàn thành đề án chuyển đổi số của Sở")
    copy = _task(doc="e", content="Hoàn thành Đề án chuyển đổi số của cơ quan")
    other = _task(doc="e", content="Phối hợp triển khai Đề án đánh giá mức độ hoàn thành nhiệm vụ chuyển đổi số")
    assert same_task(q, best, copy)
    assert not same_task(q, best, other)
    short = _task(content="Đề án số hóa")             # the best shares only a short run: as long as that will do
    assert same_task(q, short, other)


def test_a_list_of_sentences_keeps_only_items_about_the_question():
    """A list answer from one section takes its sentences that match nearly as well as the best."""
    from rag.engine import _list_units

    best, near, off = (_sentence(t) for t in ("Kỹ năng số: quản trị dữ liệu.", "Kỹ năng an toàn số.", "Tổ chức hội nghị."))
    for u, m in ((best, 0.8), (near, 0.7), (off, 0.4)):
        u.section_path = ["II", "1"]
        u.match = m
    assert _list_units([best, near, off], 0.75) == [best, near]
    assert _list_units([best, near, off], 0.0) == [best, near, off]


def test_a_rate_asked_needs_a_percentage():
    """"Tỷ lệ số hóa … phải đạt bao nhiêu?": a row that only says "Số hoá đầy đủ hồ sơ" gives none."""
    q = "ty le so hoa ho so, ket qua giai quyet thu tuc hanh chinh cap xa phai dat bao nhieu"
    assert type_mismatch(q, "5.4 Cung cấp dịch vụ công trực tuyến Số hoá đầy đủ hồ sơ Thường xuyên") == "share"
    assert type_mismatch(q, "Tỷ lệ số hóa hồ sơ đạt 100%") is None
    assert type_mismatch("kinh phi r&d dat bao nhieu phan tram gdp", "đạt 2% GDP") is None


def test_a_site_named_in_the_question_must_be_in_the_evidence():
    q = "he thong bao cao bcnq57.nghean.gov.vn do don vi nao quan tri, van hanh"
    assert type_mismatch(q, "Hệ thống phần mềm quản lý tài liệu lưu trữ điện tử được duy trì, vận hành") == "site"
    assert type_mismatch(q, "Cập nhật kết quả lên Hệ thống bcnq57.nghean.gov.vn; Văn phòng Sở vận hành.") is None


def test_who_holds_a_post_needs_the_post_in_the_evidence():
    """"Ai được giao làm Trưởng Ban Chỉ đạo?": the row that sets up the Ban does not say who heads it."""
    q = "ai duoc giao lam truong ban chi dao so ve du lieu"
    assert type_mismatch(q, "Thành lập Ban Chỉ đạo Sở về dữ liệu; ban hành Quy chế hoạt động. Văn phòng Sở") == "post"
    assert type_mismatch(q, "Giám đốc Sở làm Trưởng ban Chỉ đạo Sở về dữ liệu.") is None


def test_a_source_document_asked_needs_one_named_by_number():
    """"Được cập nhật bổ sung từ văn bản nào?": a row whose Ghi chú cell is blank names none."""
    q = "nhiem vu trien khai ke hoach ung pho su co duoc cap nhat bo sung tu van ban nao"
    assert type_mismatch(q, "Triển khai Kế hoạch ứng phó sự cố an toàn thông tin mạng Văn phòng Sở 2026") == "source"
    assert type_mismatch(q, "Triển khai Kế hoạch ứng phó sự cố Cập nhật bổ sung từ KH 04-KH/BCĐTW") is None
    assert type_mismatch(q, "Triển khai Kế hoạch ứng phó sự cố Bổ sung theo CTCT 02") is None


def test_a_quarter_or_month_asked_needs_one():
    """"Hoàn thành trong quý mấy?": a bare year or "thường xuyên" does not say which quarter."""
    assert type_mismatch("nen tang phai hoan thanh trong quy may nam 2026", "Thời hạn: Năm 2026 và giai đoạn tiếp theo") == "period"
    assert type_mismatch("han chot la quy may", "Thời hạn: Thường xuyên") == "period"
    assert type_mismatch("han chot la quy may", "Thời hạn: Quý II/2026") is None
    assert type_mismatch("thang may phai xong", "Thời hạn: Tháng 4/2026") is None
    assert type_mismatch("thang may phai xong", "hoàn thành trước ngày 30/6") is None
    assert type_mismatch("han hoan thanh la thang may", "Thời hạn: 3/2025; chủ trì: Bộ Công an") is None
    # a day asked ("trước ngày mấy của tháng 3"): a quarter or a month does not say which day
    assert type_mismatch("phai trinh de an truoc ngay may cua thang 3/2026", "Thời hạn: Quý I/2026") == "day"
    assert type_mismatch("bao cao truoc ngay nao", "gửi trước ngày 15 tháng 6 và trước ngày 01 tháng 12") is None
    assert type_mismatch("bao cao truoc ngay nao", "Thời hạn: 20/12/2025") is None
    assert type_mismatch("phai xong truoc ngay, thang nao cua nam 2025", "Thời hạn: 12/2025") == "day"


def test_which_ministry_or_party_cell_asks_who():
    """"Bộ / tổ đảng / ủy ban nào …" ask who, like "phòng nào"."""
    assert analyse("Bộ nào được giao soạn cơ chế thí điểm?").intents == ["who"]
    assert analyse("ben Quoc hoi, to dang nao lo viec tham tra luat dau tu").intents == ["who"]


def test_a_rows_number_is_no_count():
    """"Cử bao nhiêu cán bộ": the row number "17" beside "cán bộ" in the record is no count."""
    from rag.abstain import stated_text

    row = _task(content="Cử cán bộ, công chức đi đào tạo về chuyển đổi số")
    row.record.update({"no": "17", "lead": "UBND xã"})
    assert "17" not in stated_text(row) and "UBND xã" in stated_text(row)
    assert type_mismatch("xa cu bao nhieu can bo di dao tao", stated_text(row)) == "count"
    ind = _indicator("Tỷ lệ hồ sơ xử lý trực tuyến", {"2025": "70%"})
    assert "2025: 70%" in stated_text(ind)


def test_which_school_needs_a_named_school():
    """"Chọn trường THCS nào": the evidence must name one ("Trường THCS Nghĩa Đàn", "Đại học Quốc gia Hà Nội")."""
    ev = "Thực hiện đồng bộ các giải pháp giáo dục STEM cho học sinh."
    assert type_mismatch("xa chon truong thcs nao lam diem giao duc stem", ev) == "named place"
    assert type_mismatch("xa chon truong thcs nao lam diem", ev + " Chọn Trường THCS Nghĩa Đàn.") is None
    assert type_mismatch("bo da chon nhung truong dai hoc nao", "Đã chọn Đại học Quốc gia Hà Nội.") is None
    assert type_mismatch("xa chon truong nao lam diem", "Trường học số được triển khai ở xã.") == "named place"
    # "môi trường / thị trường nào" asks no school
    assert type_mismatch("ho so mat duoc xu ly tren moi truong nao", "xử lý trên môi trường điện tử") is None


def test_a_plan_of_a_unit_that_issued_none_of_the_loaded_plans():
    from rag.abstain import foreign_issuer

    docs = {"snv": {"issuer": "Sở Nội vụ", "parent_issuer": "UBND tỉnh Nghệ An"}}
    q = "Theo kế hoạch của Sở Khoa học và Công nghệ Nghệ An, Ban Chỉ đạo Sở về dữ liệu thành lập tháng mấy?"
    assert foreign_issuer(q, docs)
    assert not foreign_issuer("Theo kế hoạch của Sở Nội vụ, Ban Chỉ đạo Sở về dữ liệu thành lập tháng mấy?", docs)
    # a plan the loaded ones cite, asked for by kind or number, is not "theirs"
    assert not foreign_issuer("Mô hình 4 lớp lấy từ kế hoạch nào của Ban Chỉ đạo Trung ương?", docs)
    assert not foreign_issuer("Sở Khoa học và Công nghệ phối hợp việc gì theo kế hoạch?", docs)


def test_an_estimate_is_money():
    assert type_mismatch("xa nghia dan du toan bao nhieu cho giao duc stem", "Triển khai giáo dục STEM.") == "money"
    q = "ke hoach quy dinh muc thuong bang tien bao nhieu cho moi sang kien"
    assert type_mismatch(q, "Khen thưởng các sáng kiến chuyển đổi số.") == "money"
    # "thưởng bao nhiêu cho mỗi sáng kiến" asks an amount; "thưởng bao nhiêu tập thể" a count
    assert type_mismatch("xa thuong bao nhieu cho moi sang kien", "Khen thưởng các sáng kiến.") == "money"
    assert type_mismatch("xa thuong bao nhieu tap the", "Khen thưởng các tập thể.") != "money"
    assert type_mismatch("chi phi xay dung he thong phan mem la bao nhieu", "Xây dựng hệ thống phần mềm.") == "money"


def test_who_builds_a_thing_needs_evidence_naming_that_thing():
    from rag.abstain import object_missing

    q = "don vi nao chu tri xay dung khu cong nghe thong tin tap trung cua tinh"
    assert object_missing(q, "Xây dựng triển khai kế hoạch bảo đảm an toàn hạ tầng công nghệ thông tin.")
    assert not object_missing(q, "Xây dựng khu công nghệ thông tin tập trung của tỉnh.")
    # abbreviations and acronyms are written many ways; a function word is no thing built
    assert not object_missing("ai xay dung csdl can bo", "Xây dựng cơ sở dữ liệu cán bộ.")
    assert not object_missing("thanh lap bcd so ve du lieu", "Thành lập Ban Chỉ đạo Sở về dữ liệu.")
    assert not object_missing("ke hoach duoc xay dung de thuc hien ke hoach so may", "Thực hiện Kế hoạch số 348.")
    assert not object_missing("ai nang cap he thong hop truc tuyen", "Nâng cấp hệ thống hội nghị truyền hình.")
    # the head's two syllables name it together, not apart ("thu hút … viên chức" is no "thư viện")
    q = "ai chu tri xay dung thu vien so dung chung cua tinh"
    assert object_missing(q, "Phòng Công chức viên chức tham mưu xây dựng chính sách thu hút, tuyển dụng và "
                             "đãi ngộ nhân lực chuyển đổi số, lực lượng chuyên trách an toàn thông tin.")
    assert not object_missing(q, "Xây dựng thư viện số dùng chung.")
    assert not object_missing("phong nao thanh lap doan kiem tra lien nganh",
                              "Thành lập Đoàn công tác liên ngành và tổ chức kiểm tra.")
    # a body's topic, when the question gives it, is named too ("về nhân lực số" is not "về dữ liệu")
    row = "Thành lập Ban Chỉ đạo Sở về dữ liệu; ban hành Quy chế hoạt động."
    assert object_missing("ai chu tri thanh lap ban chi dao so ve nhan luc so", row)
    assert not object_missing("ai chu tri thanh lap ban chi dao so ve du lieu", row)


def test_a_signers_post_asked_as_chuc_gi():
    from rag.abstain import person_missing
    from rag.answer import _meta_fields

    q = "nguoi ky kh cua vp ubnd tinh ve nq57 giu chuc gi"
    assert [f for f, _ in _meta_fields(q)] == ["signer_role"]
    assert not person_missing(q, "chức vụ người ký: KT. CHÁNH VĂN PHÒNG")
    assert [f for f, _ in _meta_fields("kh 3469 duoc ky ban hanh ngay thang nam nao")] == ["date"]


def test_the_head_of_a_team_asked_by_post_is_a_person():
    from rag.abstain import person_missing

    q = "to truong to chuyen doi so cong dong cua xa la ai"
    assert person_missing(q, "Duy trì hoạt động của Tổ Chuyển đổi số cộng đồng.")
    assert not person_missing(q, "Tổ trưởng: đồng chí Nguyễn Văn An.")


def test_a_document_the_plan_is_based_on_asked_with_can_cu_vao():
    from rag.abstain import cited_kind

    assert cited_kind("so noi vu ban hanh ke hoach can cu vao ke hoach so may cua tinh uy") == "ke hoach"
    assert cited_kind("ke hoach so may") == ""


def test_a_sentence_the_question_quotes_whole_answers_no_open_question():
    title = _sentence("Xây dựng kế hoạch chuyển đổi số và bảo đảm an toàn, an ninh mạng")
    body = _sentence("Ứng dụng trí tuệ nhân tạo trong tổng hợp, báo cáo, hỗ trợ ra quyết định.")
    q = analyse('Mục III.3 "Xây dựng kế hoạch chuyển đổi số và bảo đảm an toàn, an ninh mạng" đề ra ứng dụng '
                "trí tuệ nhân tạo để làm gì?")
    assert q.intents == ["open"]
    assert answerable_units(q, [title, body]) == [body]


def test_how_often_is_answered_by_the_period_a_sentence_reports_in():
    """"định kỳ bao lâu một lần": "định kỳ 6 tháng" is the answer though "định kỳ" is the question's word."""
    q = analyse("Kết quả thực hiện Nghị quyết được báo cáo Bộ Chính trị định kỳ bao lâu một lần?")
    assert "when" in q.intents
    every_half_year = _sentence("Văn phòng định kỳ 6 tháng báo cáo kết quả với Bộ Chính trị để chỉ đạo.")
    no_period = _sentence("Văn phòng định kỳ báo cáo kết quả với Bộ Chính trị để chỉ đạo.")
    assert answerable_units(q, [no_period, every_half_year]) == [every_half_year]


def test_a_monthly_or_quarterly_report_is_answered_by_text_about_that_period():
    q = analyse("Báo cáo tiến độ hàng tháng được gửi về đơn vị nào để tổng hợp?")
    quarterly = _sentence("Hàng Quý, báo cáo tiến độ tình hình triển khai, gửi Văn phòng Sở để tổng hợp.", doc="a")
    monthly = _sentence("Báo cáo tiến độ hàng tháng trước ngày 20 hàng tháng, gửi Văn phòng Sở tổng hợp.", doc="b")
    assert answerable_units(q, [quarterly, monthly]) == [monthly]
    q = analyse("Báo cáo quý gửi về đơn vị nào?")
    assert answerable_units(q, [quarterly, monthly]) == [quarterly]
    assert type_mismatch("bao cao hang thang gui ve dau", "Hàng Quý, báo cáo tiến độ gửi Văn phòng Sở.") == "monthly"
