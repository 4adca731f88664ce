// Shared helpers for the PlanQA pages: HTTP calls with one error shape,
// a Server-Sent Events reader for POST streams, and a tiny DOM builder.
// Server text is only ever put into the page through text nodes.

/** Error raised for any failed request; `status` is 0 for network failures. */
export class ApiError extends Error {
  constructor(status, error, detail) {
    super(error || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.error = error || "";
    this.detail = detail || "";
  }
}

/** Turn a FastAPI/PlanQA `detail` (string, list of validation errors, object) into text. */
function detailText(detail) {
  if (detail == null) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => (d && typeof d === "object" ? d.msg || JSON.stringify(d) : String(d)))
      .join("; ");
  }
  return JSON.stringify(detail);
}

/** Build an ApiError from a non-2xx response body (JSON `{"error", "detail"}` or plain text). */
export function errorFromBody(status, bodyText) {
  let error = "";
  let detail = "";
  try {
    const data = JSON.parse(bodyText);
    if (data && typeof data === "object") {
      error = typeof data.error === "string" ? data.error : detailText(data.error);
      detail = detailText(data.detail);
      if (!error && detail) {
        error = detail; // FastAPI default `{"detail": "..."}`
        detail = "";
      }
    }
  } catch {
    error = (bodyText || "").trim().slice(0, 300);
  }
  return new ApiError(status, error, detail);
}

/**
 * fetch() returning parsed JSON; throws ApiError on network failure or non-2xx.
 * `body` objects are sent as JSON.
 */
export async function requestJSON(url, { method = "GET", body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "", String(err && err.message ? err.message : err));
  }
  const text = await response.text();
  if (!response.ok) throw errorFromBody(response.status, text);
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, "Phản hồi không phải JSON hợp lệ", text.slice(0, 200));
  }
}

const STATUS_MESSAGES = {
  0: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
  400: "Yêu cầu không hợp lệ.",
  401: "Sai hoặc thiếu khóa quản trị.",
  403: "Sai hoặc thiếu khóa quản trị.",
  404: "Không tìm thấy.",
  409: "Xung đột dữ liệu.",
  413: "Tệp quá lớn.",
  415: "Định dạng không hỗ trợ.",
  422: "Dữ liệu không hợp lệ.",
  429: "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
  503: "Dịch vụ tạm thời chưa sẵn sàng.",
};

/**
 * Vietnamese headline for an error, optionally overridden per status.
 * Returns `{title, serverText}`; serverText is the server's own error/detail (may be "").
 */
export function describeError(err, overrides = {}) {
  const status = err instanceof ApiError ? err.status : 0;
  const title =
    overrides[status] ||
    STATUS_MESSAGES[status] ||
    (status >= 500 ? "Lỗi máy chủ. Vui lòng thử lại sau." : `Lỗi không xác định (mã ${status}).`);
  let serverText = "";
  if (err instanceof ApiError) {
    serverText = [err.error, err.detail].filter(Boolean).join(" — ");
    if (status === 0) serverText = "";
  } else if (err) {
    serverText = String(err.message || err);
  }
  return { title, serverText, status };
}

/**
 * Read a text/event-stream body and call onEvent(eventName, dataString) per event.
 * Handles \n and \r\n line endings and multi-line `data:` fields.
 */
export async function readSSE(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  const dispatch = (block) => {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length || event !== "message") onEvent(event, data.join("\n"));
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let match;
    while ((match = /\r?\n\r?\n/.exec(buffer))) {
      dispatch(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) dispatch(buffer);
}

/**
 * Upload FormData with XMLHttpRequest so progress can be shown.
 * Resolves with parsed JSON; rejects with ApiError.
 */
export function uploadWithProgress(url, formData, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(xhr.responseText ? JSON.parse(xhr.responseText) : {});
        } catch {
          reject(new ApiError(xhr.status, "Phản hồi không phải JSON hợp lệ", ""));
        }
      } else {
        reject(errorFromBody(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "", "network error"));
    xhr.onabort = () => reject(new ApiError(0, "Đã hủy tải lên", ""));
    xhr.send(formData);
  });
}

/**
 * Create an element: el("button", {class: "x", type: "button", dataset: {n: 1}}, "text", childNode).
 * Strings become text nodes; null/false children are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key === "hidden") node.hidden = Boolean(value);
    else if (key === "on") {
      for (const [type, handler] of Object.entries(value)) node.addEventListener(type, handler);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const ICON_PATHS = {
  copy: ["M11 9h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z",
    "M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"],
  "thumb-up": ["M7 10v11H4a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h3z",
    "M7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.3 8a2 2 0 0 1-2 1.7H7"],
  "thumb-down": ["M17 14V3h3a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-3z",
    "M17 14l-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.3-8a2 2 0 0 1 2-1.7H17"],
  plus: ["M12 5v14", "M5 12h14"],
  warning: ["M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z", "M12 9v4", "M12 17h.01"],
  "search-off": ["M18 11a7 7 0 1 1-14 0a7 7 0 1 1 14 0z", "M21 21l-4.3-4.3", "M8.5 8.5l5 5", "M13.5 8.5l-5 5"],
  check: ["M20 6 9 17l-5-5"],
  document: ["M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z", "M14 3v5h5", "M9 13h6", "M9 17h6"],
};

/** A small stroke icon as an SVG element (decorative: aria-hidden). */
export function icon(name, size = 18) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  for (const d of ICON_PATHS[name] || []) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** ISO dates as Vietnamese readers expect: 2025-06-29 → 29/06/2025, 2025-03 → 03/2025; others unchanged. */
export function formatDate(value) {
  if (!value) return "";
  const text = String(value);
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m) return `${m[2]}/${m[1]}`;
  return text;
}

/** sessionStorage that never throws (private mode, quota, disabled storage). */
export const session = {
  get(key, fallback = null) {
    try {
      const raw = sessionStorage.getItem(key);
      return raw == null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* storage full or disabled: history simply is not kept */
    }
  },
  getRaw(key) {
    try {
      return sessionStorage.getItem(key) || "";
    } catch {
      return "";
    }
  },
  setRaw(key, value) {
    try {
      if (value) sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    } catch {
      /* ignore */
    }
  },
};
