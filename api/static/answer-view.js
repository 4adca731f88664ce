// Rendering of one question/answer turn: answer text with citation chips, source chips,
// copy and feedback actions, error cards. Server text only ever goes into text nodes.
import { ApiError, describeError, el, icon, requestJSON } from "./api.js";

const ERROR_OVERRIDES = {
  400: "Câu hỏi không hợp lệ.",
  413: "Câu hỏi quá dài.",
  422: "Câu hỏi không hợp lệ (trống hoặc quá 1000 ký tự).",
  500: "Không thể trả lời câu hỏi lúc này. Vui lòng thử lại sau.",
};

const answersByCard = new WeakMap();

/** The answer object a rendered `.answer` card was built from. */
export function answerForCard(card) {
  return answersByCard.get(card) || null;
}

export function renderTurnShell(entry) {
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

export function renderLoading(text) {
  return el(
    "div",
    { class: "loading", role: "status" },
    el("span", { class: "spinner", "aria-hidden": "true" }),
    el("span", { class: "loading-text" }, text),
  );
}

export function setLoadingText(loading, text) {
  const node = loading.querySelector(".loading-text");
  if (node) node.textContent = text;
}

/**
 * The answer card for a history entry. `onChange` runs after the entry changes (feedback sent),
 * so the caller can persist it.
 */
export function renderAnswer(entry, onChange) {
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
  card.append(renderActions(entry, onChange));
  return card;
}

function renderAnswerHead(answer) {
  if (answer.abstained) {
    return el(
      "div",
      { class: "answer-head" },
      el("span", { class: "answer-icon" }, icon("search-off", 16)),
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

/**
 * Split a line on markers like [1], [2, 3]; known numbers become chips, the rest stays text.
 * Chips and the punctuation right after them are grouped so a line never starts with "." alone.
 */
function renderInline(line, byN) {
  const nodes = [];
  const marker = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
  let last = 0;
  let match;
  while ((match = marker.exec(line))) {
    const numbers = match[1].split(/[,;]/).map((s) => Number(s.trim()));
    if (!numbers.every((n) => byN.has(n))) continue;
    const previous = nodes[nodes.length - 1];
    let group;
    if (match.index === last && previous instanceof Element && previous.classList.contains("cite-group")) {
      group = previous; // "[1][2]": keep adjacent chips together
    } else {
      const before = line.slice(last, match.index);
      if (before) nodes.push(before);
      group = el("span", { class: "cite-group" });
      nodes.push(group);
    }
    for (const n of numbers) group.append(inlineChip(byN.get(n)));
    last = match.index + match[0].length;
    const punctuation = /^[.,;:!?)…]+/.exec(line.slice(last));
    if (punctuation) {
      group.append(punctuation[0]);
      last += punctuation[0].length;
    }
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

export function citationLabel(c) {
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

function renderActions(entry, onChange) {
  const answer = entry.answer;
  const status = el("span", { class: "action-status", role: "status" });
  const copy = el(
    "button",
    { type: "button", class: "btn btn-ghost btn-small copy-button" },
    icon("copy", 16),
    "Sao chép",
  );
  copy.addEventListener("click", async () => {
    const ok = await copyText(answerAsPlainText(answer));
    status.textContent = ok ? "Đã sao chép" : "Không sao chép được";
    setTimeout(() => { status.textContent = ""; }, 2500);
  });
  const bar = el("div", { class: "answer-actions" }, copy, renderFeedback(entry, onChange), status);
  const total = answer.timings_ms && Number(answer.timings_ms.total);
  if (total) {
    bar.append(el("span", { class: "answer-time" }, `${(total / 1000).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} giây`));
  }
  return bar;
}

function renderFeedback(entry, onChange) {
  const box = el("div", { class: "feedback", role: "group", "aria-label": "Câu trả lời có hữu ích không?" });
  if (entry.feedback || !entry.answer.id) {
    if (entry.feedback) box.append(thanks());
    return box;
  }
  const up = el("button", { type: "button", class: "btn btn-ghost btn-small feedback-up", "aria-label": "Hữu ích", title: "Hữu ích" }, icon("thumb-up", 16));
  const down = el("button", { type: "button", class: "btn btn-ghost btn-small feedback-down", "aria-label": "Chưa hữu ích", title: "Chưa hữu ích" }, icon("thumb-down", 16));
  up.addEventListener("click", () => sendFeedback(entry, box, true, "", onChange));
  down.addEventListener("click", () => showCommentBox(entry, box, onChange));
  box.append(up, down);
  return box;
}

function thanks() {
  return el("span", { class: "feedback-thanks" }, icon("check", 16), "Cảm ơn phản hồi");
}

function showCommentBox(entry, box, onChange) {
  const id = `fb-${Math.random().toString(36).slice(2, 9)}`;
  const comment = el("textarea", { id, class: "feedback-comment", rows: "2", maxlength: "1000", placeholder: "Câu trả lời chưa đúng ở đâu? (không bắt buộc)" });
  const send = el("button", { type: "button", class: "btn btn-primary btn-small" }, "Gửi phản hồi");
  const skip = el("button", { type: "button", class: "btn btn-ghost btn-small" }, "Bỏ qua");
  send.addEventListener("click", () => sendFeedback(entry, box, false, comment.value.trim(), onChange));
  skip.addEventListener("click", () => sendFeedback(entry, box, false, "", onChange));
  comment.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send.click();
    }
  });
  box.classList.add("expanded");
  box.replaceChildren(
    el("div", { class: "feedback-form" },
      el("label", { for: id, class: "feedback-label" }, "Góp ý thêm"),
      comment,
      el("div", { class: "feedback-buttons" }, send, skip)),
  );
  comment.focus();
}

async function sendFeedback(entry, box, helpful, comment, onChange) {
  box.querySelectorAll("button, textarea").forEach((n) => { n.disabled = true; });
  try {
    await requestJSON("/api/feedback", {
      method: "POST",
      body: { answer_id: entry.answer.id, helpful, comment },
    });
    entry.feedback = helpful ? "up" : "down";
    if (onChange) onChange(entry);
    box.classList.remove("expanded");
    box.replaceChildren(thanks());
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

export function renderError(error) {
  const err = new ApiError(error.status, error.error, error.detail);
  const { title, serverText } = describeError(err, ERROR_OVERRIDES);
  return el(
    "div",
    { class: "error-card", role: "alert" },
    el("span", { class: "error-icon" }, icon("warning", 20)),
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
