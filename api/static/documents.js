// PlanQA documents page: list loaded plans, upload new ones, delete (admin key required).
import { describeError, el, formatDate, requestJSON, session, uploadWithProgress } from "./api.js";

const KEY_STORAGE = "planqa-admin-key";
const ALLOWED_EXTENSIONS = [".txt", ".md", ".docx", ".pdf"];

const ADMIN_ERRORS = {
  401: "Sai hoặc thiếu khóa quản trị.",
  403: "Sai hoặc thiếu khóa quản trị.",
  404: "Không tìm thấy văn bản (có thể đã bị xóa).",
  409: "Xung đột dữ liệu: văn bản đang được xử lý hoặc đã thay đổi. Vui lòng tải lại danh sách rồi thử lại.",
  413: "Tệp quá lớn.",
  415: "Định dạng không hỗ trợ. Chỉ nhận .txt, .md, .docx, .pdf.",
  422: "Không đọc được văn bản (tệp hỏng, trống hoặc không nhận dạng được nội dung).",
};

const STATUS_TEXT = {
  added: "Đã thêm văn bản mới.",
  replaced: "Đã cập nhật văn bản (thay thế bản cũ cùng tên tệp).",
  unchanged: "Văn bản đã có sẵn, nội dung không thay đổi.",
  duplicate: "Văn bản trùng nội dung với một văn bản đã nạp.",
};

const $ = (id) => document.getElementById(id);
const dom = {
  table: $("doc-table"),
  tbody: document.querySelector("#doc-table tbody"),
  caption: $("doc-count"),
  refresh: $("refresh"),
  listMessage: $("list-message"),
  apiKey: $("api-key"),
  apiKeyClear: $("api-key-clear"),
  form: $("upload-form"),
  file: $("upload-file"),
  fileName: $("upload-file-name"),
  button: $("upload-button"),
  progressWrap: $("upload-progress-wrap"),
  progress: $("upload-progress"),
  progressText: $("upload-progress-text"),
  result: $("upload-result"),
};

let documentsById = new Map();

// ---------------------------------------------------------------- messages

/** Fill a .message box: kind is success | error | info; lines are strings or nodes. */
function showMessage(box, kind, title, ...lines) {
  box.className = `message message-${kind}`;
  box.replaceChildren(
    el("p", { class: "message-title" }, title),
    ...lines.filter(Boolean).map((line) => (line instanceof Node ? line : el("p", {}, line))),
  );
}

function clearMessage(box) {
  box.className = "message";
  box.replaceChildren();
}

function showError(box, err, prefix) {
  const { title, serverText } = describeError(err, ADMIN_ERRORS);
  showMessage(box, "error", prefix ? `${prefix}: ${title}` : title, serverText ? `Chi tiết từ máy chủ: ${serverText}` : "");
}

// ---------------------------------------------------------------- list

async function loadDocuments() {
  dom.caption.textContent = "Đang tải…";
  dom.refresh.disabled = true;
  try {
    const data = await requestJSON("/api/documents");
    const docs = Array.isArray(data.documents) ? data.documents : [];
    documentsById = new Map(docs.map((d) => [String(d.id), d]));
    renderTable(docs);
  } catch (err) {
    dom.caption.textContent = "Không tải được danh sách văn bản.";
    showError(dom.listMessage, err, "Không tải được danh sách");
  } finally {
    dom.refresh.disabled = false;
  }
}

function renderTable(docs) {
  const primary = docs.filter((d) => !d.duplicate_of).length;
  const dups = docs.length - primary;
  dom.caption.textContent = docs.length
    ? `${docs.length} văn bản${dups ? ` (trong đó ${dups} bản trùng)` : ""}.`
    : "Chưa có văn bản nào.";
  if (!docs.length) {
    dom.tbody.replaceChildren(
      el("tr", { class: "empty-row" },
        el("td", { colspan: "10" }, "Chưa có văn bản nào được nạp. Dùng mục Quản trị bên dưới để tải lên.")),
    );
    return;
  }
  dom.tbody.replaceChildren(...docs.map(renderRow));
}

function cell(label, content, className) {
  return el("td", { "data-label": label, class: className }, content == null || content === "" ? "—" : content);
}

function renderRow(doc) {
  const title = doc.title || doc.source_file || String(doc.id);
  const titleCell = el("td", { class: "cell-title", "data-label": "Tên văn bản" },
    el("span", { class: "doc-title" }, title),
    doc.doc_type ? el("span", { class: "doc-sub" }, doc.doc_type) : null,
    doc.duplicate_of ? duplicateBadge(doc.duplicate_of) : null);
  const remove = el("button", {
    type: "button",
    class: "btn btn-danger btn-small delete-doc",
    dataset: { id: doc.id },
    "aria-label": `Xóa văn bản ${title}`,
  }, "Xóa");
  return el("tr", { class: doc.duplicate_of ? "duplicate" : null, dataset: { id: doc.id } },
    titleCell,
    cell("Số hiệu", doc.number, "nowrap"),
    cell("Cơ quan ban hành", doc.issuer),
    cell("Ngày", formatDate(doc.date), "nowrap"),
    cell("Cấp", doc.level),
    cell("Nhiệm vụ", formatCount(doc.tasks), "num"),
    cell("Chỉ tiêu", formatCount(doc.indicators), "num"),
    cell("Đoạn", formatCount(doc.chunks), "num"),
    cell("Tệp nguồn", doc.source_file),
    el("td", { "data-label": "Thao tác" }, remove));
}

function duplicateBadge(originalId) {
  const original = documentsById.get(String(originalId));
  const name = original ? original.number || original.title || String(originalId) : String(originalId);
  return el("span", { class: "badge badge-dup", title: original ? original.title || "" : "" }, `bản trùng của ${name}`);
}

function formatCount(value) {
  if (value == null || value === "") return "";
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString("vi-VN") : String(value);
}

// ---------------------------------------------------------------- admin key

function adminHeaders() {
  const key = dom.apiKey.value.trim();
  return key ? { "X-API-Key": key } : {};
}

function initApiKey() {
  $("api-key-form").addEventListener("submit", (e) => e.preventDefault());
  dom.apiKey.value = session.getRaw(KEY_STORAGE);
  dom.apiKey.addEventListener("input", () => session.setRaw(KEY_STORAGE, dom.apiKey.value.trim()));
  dom.apiKeyClear.addEventListener("click", () => {
    dom.apiKey.value = "";
    session.setRaw(KEY_STORAGE, "");
    dom.apiKey.focus();
  });
}

// ---------------------------------------------------------------- delete

async function deleteDocument(button) {
  const id = button.dataset.id;
  const doc = documentsById.get(String(id));
  const name = doc ? doc.title || doc.number || id : id;
  if (!window.confirm(`Xóa văn bản “${name}” khỏi hệ thống?\nCác câu trả lời sẽ không còn dùng văn bản này.`)) return;
  button.disabled = true;
  try {
    await requestJSON(`/api/documents/${encodeURIComponent(id)}`, { method: "DELETE", headers: adminHeaders() });
    showMessage(dom.listMessage, "success", `Đã xóa văn bản “${name}”.`);
    await loadDocuments();
  } catch (err) {
    button.disabled = false;
    showError(dom.listMessage, err, "Không xóa được văn bản");
  }
}

// ---------------------------------------------------------------- upload

function hasAllowedExtension(name) {
  const lower = name.toLowerCase();
  return ALLOWED_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function setProgress(fraction) {
  const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  dom.progress.value = pct;
  dom.progressText.textContent = pct >= 100 ? "Đang phân tích văn bản…" : `${pct}%`;
}

async function upload(event) {
  event.preventDefault();
  const file = dom.file.files && dom.file.files[0];
  if (!file) {
    showMessage(dom.result, "error", "Chưa chọn tệp cần tải lên.");
    dom.file.focus();
    return;
  }
  if (!hasAllowedExtension(file.name)) {
    showMessage(dom.result, "error", ADMIN_ERRORS[415], `Tệp “${file.name}” không thuộc các định dạng được hỗ trợ.`);
    return;
  }
  const form = new FormData();
  form.append("file", file, file.name);

  dom.button.disabled = true;
  dom.progressWrap.hidden = false;
  setProgress(0);
  showMessage(dom.result, "info", `Đang tải lên “${file.name}”…`);
  try {
    const summary = await uploadWithProgress("/api/documents", form, adminHeaders(), setProgress);
    setProgress(1);
    showUploadSummary(summary, file.name);
    dom.form.reset();
    showFileName();
    await loadDocuments();
  } catch (err) {
    showError(dom.result, err, "Tải lên không thành công");
  } finally {
    dom.button.disabled = false;
    dom.progressWrap.hidden = true;
  }
}

/** The server answers with one summary or a list of them (one per ingested file). */
function showUploadSummary(response, fileName) {
  const summaries = (Array.isArray(response) ? response : [response]).filter((x) => x && typeof x === "object");
  if (!summaries.length) {
    showMessage(dom.result, "success", `Đã tải lên “${fileName}”.`);
    return;
  }
  const allDuplicates = summaries.every((x) => x.status === "duplicate");
  const title = summaries.length === 1
    ? STATUS_TEXT[summaries[0].status] || `Đã xử lý văn bản (trạng thái: ${summaries[0].status || "không rõ"}).`
    : `Đã xử lý ${summaries.length} văn bản.`;
  showMessage(dom.result, allDuplicates ? "info" : "success", title,
    ...summaries.flatMap((summary) => summaryLines(summary, fileName, summaries.length > 1)));
}

function summaryLines(summary, fileName, withStatus) {
  const doc = summary.document || {};
  const docLine = [doc.title || fileName, doc.number ? `Số ${doc.number}` : "", doc.issuer || ""]
    .filter(Boolean).join(" — ");
  const lines = [withStatus ? `${docLine}: ${STATUS_TEXT[summary.status] || summary.status || ""}` : docLine];
  const duplicateOf = summary.duplicate_of || doc.duplicate_of;
  if (duplicateOf) {
    const original = documentsById.get(String(duplicateOf));
    lines.push(`Bản trùng của: ${original ? original.title || original.number || duplicateOf : duplicateOf}`);
  }
  const counts = [
    ["Nhiệm vụ", summary.tasks],
    ["Chỉ tiêu", summary.indicators],
    ["Mục", summary.sections],
    ["Đoạn văn bản (chunk)", summary.chunks],
  ].filter(([, value]) => value != null);
  lines.push(el("ul", {}, ...counts.map(([label, value]) => el("li", {}, `${label}: ${formatCount(value) || 0}`))));
  const warnings = Array.isArray(summary.warnings) ? summary.warnings.filter(Boolean) : [];
  if (warnings.length) {
    lines.push(el("p", { class: "message-warnings" }, "Lưu ý khi phân tích:"),
      el("ul", {}, ...warnings.map((w) => el("li", {}, String(w)))));
  }
  return lines;
}

function showFileName() {
  const file = dom.file.files && dom.file.files[0];
  dom.fileName.textContent = file ? `${file.name} (${formatSize(file.size)})` : "Chưa chọn tệp";
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString("vi-VN", { maximumFractionDigits: 0 })} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} MB`;
}

// ---------------------------------------------------------------- init

function init() {
  initApiKey();
  dom.refresh.addEventListener("click", () => {
    clearMessage(dom.listMessage);
    loadDocuments();
  });
  dom.tbody.addEventListener("click", (e) => {
    const button = e.target.closest(".delete-doc");
    if (button) deleteDocument(button);
  });
  dom.form.addEventListener("submit", upload);
  dom.file.addEventListener("change", showFileName);
  loadDocuments();
}

init();
