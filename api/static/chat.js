// PlanQA chat page: ask questions, render cited answers, show sources, keep session history.
import { ApiError, describeError, el, errorFromBody, readSSE, requestJSON, session } from "./api.js";

const HISTORY_KEY = "planqa-chat-history";
const MAX_HISTORY = 50;
const CONTEXT_CHARS = 600; // characters of source text shown either side of a cited span
const MAX_EXAMPLES = 8;

const STAGE_TEXT = {
  retrieving: "Đang tìm trong các kế hoạch đã nạp…",
  answering: "Đang soạn câu trả lời…",
};

const ERROR_OVERRIDES = {
  400: "Câu hỏi không hợp lệ.",
  413: "Câu hỏi quá dài.",
  422: "Câu hỏi không hợp lệ (trống hoặc quá 1000 ký tự).",
  500: "Không thể trả lời do lỗi máy chủ. Vui lòng thử lại.",
};

const $ = (id) => document.getElementById(id);
const dom = {
  form: $("ask-form"),
  question: $("question"),
  send: $("send"),
  count: $("question-count"),
  conversation: $("conversation"),
  welcome: $("welcome"),
  examples: $("examples"),
  newChat: $("new-chat"),
  panel: $("source-panel"),
  panelTitle: $("source-title"),
  panelN: $("source-n"),
  panelMeta: $("source-meta"),
  panelBody: $("source-body"),
  panelClose: $("source-close"),
  backdrop: $("source-backdrop"),
};

/** History entries: {question, answer|null, error|null, feedback|null, at}. */
let history = [];
let busy = false;
let controller = null;
let panelToken = 0;
let panelOpener = null;
const answersByCard = new WeakMap();
const documentCache = new Map();

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

// ---------------------------------------------------------------- asking

/** POST the question to the SSE endpoint; returns the answer, or null when the caller should fall back. */
async function askStream(question, onStatus, signal) {
  let response;
  try {
    response = await fetch("/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question }),
      signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    return null; // network failure: try the plain endpoint
  }
  if (!response.ok) {
    // Missing or broken stream endpoint: fall back. A rejected question would fail the same way on /api/ask.
    if (response.status >= 500 || response.status === 404 || response.status === 405) return null;
    throw errorFromBody(response.status, await response.text());
  }
  const type = response.headers.get("content-type") || "";
  if (type.includes("application/json")) return response.json();
  if (!response.body) return null;

  let answer = null;
  let streamError = null;
  try {
    await readSSE(response, (event, data) => {
      if (event === "status") {
        const status = safeParse(data) || {};
        onStatus(status.stage, status.message);
      } else if (event === "answer") {
        answer = safeParse(data);
      } else if (event === "error") {
        const e = safeParse(data) || { error: data };
        streamError = new ApiError(Number(e.status) || 500, e.error || "", e.detail || "");
      }
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    // Stream cut off: use what arrived, otherwise fall back.
  }
  if (answer) return answer;
  if (streamError) throw streamError;
  return null;
}

/** Ask via the stream endpoint, falling back to POST /api/ask. */
async function ask(question, onStatus, signal) {
  const streamed = await askStream(question, onStatus, signal);
  if (streamed) return streamed;
  onStatus("answering", "");
  return requestJSON("/api/ask", { method: "POST", body: { question }, signal });
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function submitQuestion(raw) {
  const question = (raw || "").trim();
  if (!question || busy) {
    if (!question) dom.question.focus();
    return;
  }
  setBusy(true);
  dom.question.value = "";
  updateCount();

  const entry = { question, answer: null, error: null, feedback: null, at: Date.now() };
  const turn = renderTurnShell(entry);
  const loading = renderLoading();
  turn.append(loading);
  dom.conversation.append(turn);
  updateWelcome();
  scrollIntoView(turn, "start");

  controller = new AbortController();
  const myController = controller;
  try {
    const answer = await ask(
      question,
      (stage, message) => setLoadingText(loading, message || STAGE_TEXT[stage] || STAGE_TEXT.retrieving),
      controller.signal,
    );
    entry.answer = normalizeAnswer(answer, question);
  } catch (err) {
    if (err.name === "AbortError") return; // conversation was cleared
    entry.error = err instanceof ApiError
      ? { status: err.status, error: err.error, detail: err.detail }
      : { status: 0, error: String(err.message || err), detail: "" };
  } finally {
    if (myController === controller) {
      controller = null;
      setBusy(false);
    }
  }
  loading.remove();
  turn.append(entry.answer ? renderAnswer(entry) : renderError(entry.error));
  history.push(entry);
  saveHistory();
  scrollIntoView(turn, "start");
}

/** Make sure the fields the renderer relies on exist. */
function normalizeAnswer(answer, question) {
  const a = answer && typeof answer === "object" ? answer : {};
  const citations = Array.isArray(a.citations) ? a.citations : [];
  return {
    ...a,
    id: a.id != null ? String(a.id) : "",
    question: a.question || question,
    answer: typeof a.answer === "string" ? a.answer : "",
    abstained: Boolean(a.abstained),
    citations: citations.map((c, i) => ({ ...c, n: Number.isInteger(c.n) ? c.n : i + 1 })),
  };
}

function setBusy(value) {
  busy = value;
  dom.send.disabled = value;
  dom.send.setAttribute("aria-busy", String(value));
  dom.conversation.setAttribute("aria-busy", String(value));
}

// ---------------------------------------------------------------- rendering

function renderTurnShell(entry) {
  return el(
    "div",
    { class: "turn" },
    el(
      "div",
      { class: "question-bubble" },
      el("span", { class: "visually-hidden" }, "Câu hỏi: "),
      entry.question,
    ),
  );
}

function renderLoading() {
  return el(
    "div",
    { class: "loading", role: "status" },
    el("span", { class: "spinner", "aria-hidden": "true" }),
    el("span", { class: "loading-text" }, STAGE_TEXT.retrieving),
  );
}

function setLoadingText(loading, text) {
  const node = loading.querySelector(".loading-text");
  if (node) node.textContent = text;
}

function renderAnswer(entry) {
  const answer = entry.answer;
  const card = el("article", {
    class: answer.abstained ? "answer abstained" : "answer",
    dataset: { answerId: answer.id },
    "aria-label": answer.abstained ? "Không tìm thấy câu trả lời" : "Câu trả lời",
  });
  answersByCard.set(card, answer);
  card.append(
    renderAnswerHead(answer),
    renderAnswerText(answer.answer, answer.citations),
  );
  if (answer.citations.length) card.append(renderCitationList(answer.citations));
  card.append(renderActions(entry));
  return card;
}

function renderAnswerHead(answer) {
  if (answer.abstained) {
    return el(
      "div",
      { class: "answer-head" },
      el("span", { class: "answer-icon", "aria-hidden": "true" }, "!"),
      el("span", { class: "answer-label" }, "Không tìm thấy"),
    );
  }
  return el("div", { class: "answer-head" }, el("span", { class: "answer-label" }, "Trả lời"));
}

/** Paragraphs and "- " bullet lists, with [n] markers turned into citation chips. */
function renderAnswerText(text, citations) {
  const container = el("div", { class: "answer-text" });
  const byN = new Map(citations.map((c) => [c.n, c]));
  let list = null;
  for (const line of (text || "").split(/\r?\n/)) {
    if (!line.trim()) {
      list = null;
      continue;
    }
    const bullet = /^\s*[-•+*]\s+(.*)$/.exec(line);
    if (bullet) {
      if (!list) {
        list = el("ul");
        container.append(list);
      }
      list.append(el("li", {}, renderInline(bullet[1], byN)));
    } else {
      list = null;
      container.append(el("p", {}, renderInline(line, byN)));
    }
  }
  if (!container.childNodes.length) container.append(el("p", {}, "(Không có nội dung)"));
  return container;
}

/** Split a line on markers like [1], [2, 3]; known numbers become chips, the rest stays text. */
function renderInline(line, byN) {
  const nodes = [];
  const marker = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
  let last = 0;
  let match;
  while ((match = marker.exec(line))) {
    const numbers = match[1].split(/[,;]/).map((s) => Number(s.trim()));
    if (!numbers.every((n) => byN.has(n))) continue;
    if (match.index > last) nodes.push(line.slice(last, match.index));
    for (const n of numbers) nodes.push(inlineChip(byN.get(n)));
    last = match.index + match[0].length;
  }
  if (last < line.length) nodes.push(line.slice(last));
  return nodes;
}

function inlineChip(citation) {
  return el(
    "button",
    {
      type: "button",
      class: "citation-chip citation-inline",
      dataset: { n: citation.n },
      title: citationLabel(citation),
      "aria-label": `Trích dẫn ${citation.n}: ${citationLabel(citation)}`,
    },
    String(citation.n),
  );
}

function citationLabel(c) {
  const name = c.number ? shorten(c.number, 30) : shorten(c.title || c.doc_id || "", 48);
  return [name, c.section ? `Mục ${c.section}` : ""].filter(Boolean).join(" · ");
}

function shorten(text, max) {
  const s = String(text).trim();
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

function renderCitationList(citations) {
  const list = el("ul", { class: "citation-list" });
  for (const c of citations) {
    list.append(
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "citation-chip citation-full",
            dataset: { n: c.n },
            title: c.title || "",
            "aria-label": `Mở trích dẫn ${c.n}: ${c.title || ""} ${citationLabel(c)}`,
          },
          el("span", { class: "chip-n" }, String(c.n)),
          el("span", { class: "chip-label" }, citationLabel(c)),
        ),
      ),
    );
  }
  return el("div", { class: "citations" }, el("p", { class: "citations-title" }, "Nguồn trích dẫn"), list);
}

function renderActions(entry) {
  const answer = entry.answer;
  const status = el("span", { class: "action-status", role: "status" });
  const copy = el(
    "button",
    { type: "button", class: "btn btn-ghost btn-small copy-button" },
    el("span", { "aria-hidden": "true", class: "copy-icon" }, "⧉"),
    " Sao chép",
  );
  copy.addEventListener("click", async () => {
    const ok = await copyText(answerAsPlainText(answer));
    status.textContent = ok ? "Đã sao chép" : "Không sao chép được";
    setTimeout(() => { status.textContent = ""; }, 2500);
  });
  const bar = el("div", { class: "answer-actions" }, copy, renderFeedback(entry), status);
  const total = answer.timings_ms && Number(answer.timings_ms.total);
  if (total) {
    bar.append(el("span", { class: "answer-time" }, `${(total / 1000).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} giây`));
  }
  return bar;
}

function renderFeedback(entry) {
  const box = el("div", { class: "feedback", role: "group", "aria-label": "Câu trả lời có hữu ích không?" });
  if (entry.feedback || !entry.answer.id) {
    if (entry.feedback) box.append(el("span", { class: "feedback-thanks" }, "Cảm ơn phản hồi"));
    return box;
  }
  const up = el("button", { type: "button", class: "btn btn-ghost btn-small feedback-up", "aria-label": "Hữu ích", title: "Hữu ích" }, "👍");
  const down = el("button", { type: "button", class: "btn btn-ghost btn-small feedback-down", "aria-label": "Chưa hữu ích", title: "Chưa hữu ích" }, "👎");
  up.addEventListener("click", () => sendFeedback(entry, box, true, ""));
  down.addEventListener("click", () => showCommentBox(entry, box));
  box.append(up, down);
  return box;
}

function showCommentBox(entry, box) {
  const id = `fb-${Math.random().toString(36).slice(2, 9)}`;
  const comment = el("textarea", { id, class: "feedback-comment", rows: "2", maxlength: "1000", placeholder: "Câu trả lời chưa đúng ở đâu? (không bắt buộc)" });
  const send = el("button", { type: "button", class: "btn btn-primary btn-small" }, "Gửi phản hồi");
  const skip = el("button", { type: "button", class: "btn btn-ghost btn-small" }, "Bỏ qua");
  send.addEventListener("click", () => sendFeedback(entry, box, false, comment.value.trim()));
  skip.addEventListener("click", () => sendFeedback(entry, box, false, ""));
  comment.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send.click();
    }
  });
  box.replaceChildren(
    el("div", { class: "feedback-form" },
      el("label", { for: id, class: "feedback-label" }, "Góp ý thêm"),
      comment,
      el("div", { class: "feedback-buttons" }, send, skip)),
  );
  comment.focus();
}

async function sendFeedback(entry, box, helpful, comment) {
  box.querySelectorAll("button, textarea").forEach((n) => { n.disabled = true; });
  try {
    await requestJSON("/api/feedback", {
      method: "POST",
      body: { answer_id: entry.answer.id, helpful, comment },
    });
    entry.feedback = helpful ? "up" : "down";
    saveHistory();
    box.replaceChildren(el("span", { class: "feedback-thanks" }, "Cảm ơn phản hồi"));
  } catch (err) {
    const { title, serverText } = describeError(err);
    box.querySelectorAll("button, textarea").forEach((n) => { n.disabled = false; });
    let note = box.querySelector(".feedback-error");
    if (!note) {
      note = el("span", { class: "feedback-error", role: "alert" });
      box.append(note);
    }
    note.textContent = `Chưa gửi được phản hồi: ${title}${serverText ? ` (${serverText})` : ""}`;
  }
}

function renderError(error) {
  const err = new ApiError(error.status, error.error, error.detail);
  const { title, serverText } = describeError(err, ERROR_OVERRIDES);
  return el(
    "div",
    { class: "error-card", role: "alert" },
    el("span", { class: "error-icon", "aria-hidden": "true" }, "⚠"),
    el("div", {},
      el("p", { class: "error-title" }, title),
      serverText ? el("p", { class: "error-detail" }, serverText) : null),
  );
}

function answerAsPlainText(answer) {
  const lines = [`Hỏi: ${answer.question}`, "", answer.answer];
  if (answer.citations.length) {
    lines.push("", "Nguồn:");
    for (const c of answer.citations) {
      const parts = [c.title, c.number ? `Số ${c.number}` : "", c.section ? `Mục ${c.section}` : ""].filter(Boolean);
      lines.push(`[${c.n}] ${parts.join(" — ")}${c.quote ? `: “${c.quote.trim()}”` : ""}`);
    }
  }
  return lines.join("\n");
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the textarea method */
  }
  const helper = el("textarea", { class: "clipboard-helper", readonly: true, "aria-hidden": "true" });
  helper.value = text;
  document.body.append(helper);
  helper.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  helper.remove();
  return ok;
}

// ---------------------------------------------------------------- source panel

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
        el("span", { class: "error-icon", "aria-hidden": "true" }, "⚠"),
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
    ["Ngày ban hành", doc && doc.date],
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

function onConversationClick(event) {
  const chip = event.target.closest(".citation-chip");
  if (!chip) return;
  const card = chip.closest(".answer");
  const answer = card && answersByCard.get(card);
  if (!answer) return;
  const citation = answer.citations.find((c) => String(c.n) === chip.dataset.n);
  if (citation) openSource(citation, chip);
}

// ---------------------------------------------------------------- examples, history, input

async function loadExamples() {
  let examples = [];
  try {
    const data = await requestJSON("/api/examples");
    examples = Array.isArray(data.examples) ? data.examples.filter((x) => typeof x === "string" && x.trim()) : [];
  } catch {
    examples = []; // examples are optional
  }
  const list = dom.examples.querySelector(".examples-list");
  list.replaceChildren(
    ...examples.slice(0, MAX_EXAMPLES).map((text) =>
      el("li", {}, el("button", { type: "button", class: "example-chip", title: text }, text))),
  );
  dom.examples.hidden = examples.length === 0;
}

function onExampleClick(event) {
  const chip = event.target.closest(".example-chip");
  if (!chip || busy) return;
  dom.question.value = chip.textContent;
  updateCount();
  submitQuestion(chip.textContent);
}

function saveHistory() {
  session.set(HISTORY_KEY, history.slice(-MAX_HISTORY));
}

function restoreHistory() {
  const stored = session.get(HISTORY_KEY, []);
  history = Array.isArray(stored) ? stored.filter((e) => e && typeof e.question === "string") : [];
  for (const entry of history) {
    const turn = renderTurnShell(entry);
    if (entry.answer) {
      entry.answer = normalizeAnswer(entry.answer, entry.question);
      turn.append(renderAnswer(entry));
    } else {
      turn.append(renderError(entry.error || { status: 0, error: "", detail: "" }));
    }
    dom.conversation.append(turn);
  }
  updateWelcome();
  if (history.length) {
    const last = dom.conversation.lastElementChild;
    requestAnimationFrame(() => scrollIntoView(last, "start"));
  }
}

function newConversation() {
  if (controller) controller.abort();
  controller = null;
  setBusy(false);
  history = [];
  saveHistory();
  closePanel();
  dom.conversation.querySelectorAll(".turn").forEach((t) => t.remove());
  updateWelcome();
  dom.question.value = "";
  updateCount();
  dom.question.focus();
}

function updateWelcome() {
  dom.welcome.hidden = dom.conversation.querySelector(".turn") !== null;
}

function updateCount() {
  const length = dom.question.value.length;
  dom.count.textContent = `${length}/1000`;
  dom.count.classList.toggle("near-limit", length > 900);
  autoResize();
}

function autoResize() {
  dom.question.classList.toggle("tall", dom.question.value.split("\n").length > 2 || dom.question.value.length > 160);
}

function scrollIntoView(node, block) {
  if (node) node.scrollIntoView({ block, behavior: reducedMotion() ? "auto" : "smooth" });
}

function onQuestionKeydown(event) {
  // isComposing: Vietnamese input methods (Telex/VNI) use Enter to commit text.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submitQuestion(dom.question.value);
  }
}

function init() {
  dom.form.addEventListener("submit", (e) => {
    e.preventDefault();
    submitQuestion(dom.question.value);
  });
  dom.question.addEventListener("keydown", onQuestionKeydown);
  dom.question.addEventListener("input", updateCount);
  dom.conversation.addEventListener("click", onConversationClick);
  dom.examples.addEventListener("click", onExampleClick);
  dom.newChat.addEventListener("click", newConversation);
  dom.panelClose.addEventListener("click", closePanel);
  dom.backdrop.addEventListener("click", closePanel);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !dom.panel.hidden) {
      e.preventDefault();
      closePanel();
    }
  });
  restoreHistory();
  updateCount();
  loadExamples();
  dom.question.focus({ preventScroll: true });
}

init();
