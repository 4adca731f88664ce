// The source panel: the cited document with the quoted span highlighted.
// A side panel on wide screens, an overlay on small ones (see style.css); Esc or × closes it.
import { describeError, el, formatDate, icon, requestJSON } from "./api.js";

const CONTEXT_CHARS = 600; // characters of source text shown either side of a cited span

const $ = (id) => document.getElementById(id);
const dom = {
  panel: $("source-panel"),
  panelTitle: $("source-title"),
  panelN: $("source-n"),
  panelMeta: $("source-meta"),
  panelBody: $("source-body"),
  panelClose: $("source-close"),
  backdrop: $("source-backdrop"),
};

let panelToken = 0; // increases on every open/close so late responses are ignored
let panelOpener = null;
const documentCache = new Map();

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Show `citation` in the panel; `opener` gets focus back when the panel closes. */
async function openSource(citation, opener) {
  const token = ++panelToken;
  panelOpener = opener;
  dom.panelN.textContent = `[${citation.n}]`;
  dom.panelTitle.textContent = citation.title || citation.doc_id || "Văn bản";
  renderSourceMeta(null, citation);
  dom.panelBody.replaceChildren(
    el("div", { class: "loading", role: "status" },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", { class: "loading-text" }, "Đang tải văn bản…")),
  );
  showPanel();

  let data;
  try {
    data = await loadDocument(citation.doc_id);
  } catch (err) {
    if (token !== panelToken) return;
    const { title, serverText } = describeError(err, { 404: "Không tìm thấy văn bản (có thể đã bị xóa)." });
    dom.panelBody.replaceChildren(
      el("div", { class: "error-card", role: "alert" },
        el("span", { class: "error-icon" }, icon("warning", 20)),
        el("div", {}, el("p", { class: "error-title" }, title), serverText ? el("p", { class: "error-detail" }, serverText) : null)),
      citation.quote ? quoteOnly(citation.quote) : "",
    );
    return;
  }
  if (token !== panelToken) return;
  const doc = data.document || {};
  dom.panelTitle.textContent = doc.title || citation.title || citation.doc_id;
  renderSourceMeta(doc, citation);
  renderSourceText(typeof data.text === "string" ? data.text : "", citation, false);
}

async function loadDocument(docId) {
  if (!documentCache.has(docId)) {
    const promise = requestJSON(`/api/documents/${encodeURIComponent(docId)}`);
    documentCache.set(docId, promise);
    promise.catch(() => documentCache.delete(docId));
  }
  return documentCache.get(docId);
}

function renderSourceMeta(doc, citation) {
  const rows = [
    ["Số hiệu", (doc && doc.number) || citation.number],
    ["Cơ quan ban hành", doc && doc.issuer],
    ["Ngày ban hành", doc && formatDate(doc.date)],
    ["Mục", citation.section],
  ];
  dom.panelMeta.replaceChildren(
    ...rows
      .filter(([, value]) => value)
      .map(([label, value]) => el("div", { class: "meta-row" }, el("dt", {}, label), el("dd", {}, String(value)))),
  );
}

/** Find the cited span: trust start/end when they fit the text, otherwise look for the quote. */
function locateSpan(text, c) {
  const start = Number(c.start);
  const end = Number(c.end);
  if (Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= text.length) {
    return [start, end];
  }
  if (c.quote) {
    const at = text.indexOf(c.quote);
    if (at >= 0) return [at, at + c.quote.length];
  }
  return null;
}

function renderSourceText(text, citation, full) {
  const span = text ? locateSpan(text, citation) : null;
  if (!span) {
    dom.panelBody.replaceChildren(
      el("p", { class: "source-note" }, "Không xác định được vị trí đoạn trích trong văn bản; hiển thị nội dung trích dẫn:"),
      citation.quote ? quoteOnly(citation.quote) : el("p", {}, "(Không có đoạn trích)"),
    );
    return;
  }
  const [start, end] = span;
  const from = full ? 0 : Math.max(0, start - CONTEXT_CHARS);
  const to = full ? text.length : Math.min(text.length, end + CONTEXT_CHARS);
  const mark = el("mark", { id: "source-mark" }, text.slice(start, end));
  const excerpt = el(
    "div",
    { class: "source-text", tabindex: "0", "aria-label": "Nội dung văn bản quanh đoạn trích dẫn" },
    from > 0 ? "… " : "",
    text.slice(from, start),
    mark,
    text.slice(end, to),
    to < text.length ? " …" : "",
  );
  const toggle = el("button", { type: "button", class: "btn btn-ghost btn-small source-toggle" },
    full ? "Thu gọn quanh đoạn trích" : "Xem toàn văn");
  toggle.addEventListener("click", () => renderSourceText(text, citation, !full));
  const showToggle = full || from > 0 || to < text.length;
  dom.panelBody.replaceChildren(excerpt, showToggle ? toggle : "");
  requestAnimationFrame(() => mark.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" }));
}

function quoteOnly(quote) {
  return el("blockquote", { class: "source-text source-quote" }, el("mark", {}, quote));
}

function showPanel() {
  dom.panel.hidden = false;
  dom.backdrop.hidden = false;
  document.body.classList.add("panel-open");
  dom.panelClose.focus();
}

function closePanel() {
  if (dom.panel.hidden) return;
  panelToken++;
  dom.panel.hidden = true;
  dom.backdrop.hidden = true;
  document.body.classList.remove("panel-open");
  if (panelOpener && panelOpener.isConnected) panelOpener.focus();
  panelOpener = null;
}

function isOpen() {
  return !dom.panel.hidden;
}

dom.panelClose.addEventListener("click", closePanel);
dom.backdrop.addEventListener("click", closePanel);
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && isOpen()) {
    e.preventDefault();
    closePanel();
  }
});

export { openSource, closePanel, isOpen };
