// PlanQA chat page: ask questions (SSE stream with fallback), keep the session history, wire the UI.
import { ApiError, el, errorFromBody, readSSE, requestJSON, session } from "./api.js";
import { answerForCard, renderAnswer, renderError, renderLoading, renderTurnShell, setLoadingText } from "./answer-view.js";
import { closePanel, openSource } from "./source-panel.js";

const HISTORY_KEY = "planqa-chat-history";
const MAX_HISTORY = 50;
const MAX_EXAMPLES = 8;

const STAGE_TEXT = {
  retrieving: "Đang tìm trong các kế hoạch đã nạp…",
  answering: "Đang soạn câu trả lời…",
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
};

/** History entries: {question, answer|null, error|null, feedback|null, at}. */
let history = [];
let busy = false;
let controller = null;

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
  const loading = renderLoading(STAGE_TEXT.retrieving);
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
  turn.append(entry.answer ? renderAnswer(entry, saveHistory) : renderError(entry.error));
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

// ---------------------------------------------------------------- citations

function onConversationClick(event) {
  const chip = event.target.closest(".citation-chip");
  if (!chip) return;
  const card = chip.closest(".answer");
  const answer = card && answerForCard(card);
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
      turn.append(renderAnswer(entry, saveHistory));
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
  const hasTurns = dom.conversation.querySelector(".turn") !== null;
  dom.welcome.hidden = hasTurns;
  // Suggestions sit in the welcome card at first, then shrink to one line above the input.
  if (hasTurns && dom.examples.parentElement !== dom.form.parentElement) dom.form.before(dom.examples);
  if (!hasTurns && dom.examples.parentElement !== dom.welcome) dom.welcome.append(dom.examples);
  dom.examples.classList.toggle("compact", hasTurns);
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
  restoreHistory();
  updateCount();
  loadExamples();
  dom.question.focus({ preventScroll: true });
}

init();
