// Calls to the services through the portal's same-origin paths, with the session's token.
const session = {
  get() { return JSON.parse(sessionStorage.getItem("session") || "null"); },
  set(value) { sessionStorage.setItem("session", JSON.stringify(value)); },
  clear() { sessionStorage.removeItem("session"); },
};

class Problem extends Error {
  constructor(body, status) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.code = (body.type || "").split("/").pop();
    this.errors = body.errors || [];
  }
}

// A read the portal could not get through (the service restarting: 502, 503, 504, or no answer at all) is asked
// again twice, after 0.5 and 1.5 s, before the page says so; a write is never sent again behind the person's back.
const PASSING = new Set([502, 503, 504]);

async function call(service, method, path, body, headers = {}) {
  const s = session.get();
  const send = () => fetch(`/api/${service}${path}`, {
    method,
    headers: { ...(s ? { Authorization: `Bearer ${s.token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}),
               ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  let response;
  for (const pause of method === "GET" ? [500, 1500, null] : [null]) {
    try {
      response = await send();
      if (!PASSING.has(response.status) || pause === null) break;
    } catch (error) {
      if (pause === null) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  if (response.status === 204) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(data || {}, response.status);
  return data;
}

// Server-Sent Events over fetch, so the bearer token travels in a header (EventSource cannot send one).
async function follow(service, path, onEvent, signal) {
  const s = session.get();
  while (!signal.aborted) {
    try {
      const response = await fetch(`/api/${service}${path}`, { headers: { Authorization: `Bearer ${s.token}` }, signal });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const chunk = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = chunk.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (data) onEvent(JSON.parse(data));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));  // reconnect after a dropped stream
  }
}

// Amounts as finance people write them: 1,200,000 or 120万 or 1.2亿 (元 optional) → "1200000.00". What cannot be
// read is sent as typed, so the service names the field.
function yuan(text) {
  const raw = String(text ?? "").replace(/[,，\s元]/g, "");
  const m = raw.match(/^(\d+(?:\.\d+)?)(万|亿)?$/);
  if (!m) return raw;
  const [whole, frac = ""] = m[1].split(".");
  const shift = m[2] === "亿" ? 8 : m[2] === "万" ? 4 : 0;
  const digits = (whole + frac.padEnd(shift, "0").slice(0, shift)).replace(/^0+(?=\d)/, "");
  const rest = frac.slice(shift);
  return `${digits}.${(rest + "00").slice(0, 2)}${rest.length > 2 ? rest.slice(2) : ""}`;
}

// Rates as people write them, in percent: 5.5 or 5.5% → "0.055". What cannot be read is sent as typed.
function percent(text) {
  const raw = String(text ?? "").replace(/[%％\s]/g, "");
  if (!/^\d+(?:\.\d+)?$/.test(raw)) return raw;
  const [whole, frac = ""] = raw.split(".");
  const digits = (whole.padStart(3, "0") + frac);
  return `${digits.slice(0, -2 - frac.length) || "0"}.${digits.slice(-2 - frac.length)}`.replace(/^0+(?=\d)/, "");
}

// A template's {names} filled from params; amounts (four digits or more) written as money.
function fill(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    const value = String(params[name] ?? "");
    return /^\d{4,}(\.\d+)?$/.test(value) ? money(value) : value;
  });
}

// The error in the reader's language: the service's `code` and `params` through TEXT.errors; its English text when
// there is no translation for that code.
function errorText(error) {
  const template = (TEXT[LANG].errors || {})[error.code];
  if (!template) return error.detail;
  return fill(template, error.params || {});
}

// A problem that names no field, said in the reader's language with the service's own words after it.
function problemText(problem) {
  const title = (TEXT[LANG].problems || {})[problem.code];
  return title && LANG === "zh" ? `${title}（${problem.message}）` : problem.message;
}

// Shows each field error next to the field it names (the problem's JSON pointer → data-field).
// Screen readers hear the same: each invalid field is marked aria-invalid and described by its error, and focus
// moves to the first of them.
function showErrors(form, problem) {
  form.querySelectorAll(".error").forEach((el) => { el.textContent = ""; });
  form.querySelectorAll(".invalid").forEach((el) => {
    el.classList.remove("invalid");
    el.removeAttribute("aria-invalid");
    if (el.dataset.describedByError) { el.removeAttribute("aria-describedby"); delete el.dataset.describedByError; }
  });
  let shown = false;
  let first = null;
  for (const error of problem.errors || []) {
    const name = (error.pointer || "").split("/")[1];
    const slot = form.querySelector(`[data-error="${name}"]`);
    const field = form.querySelector(`[name="${name}"]`);
    if (slot) {
      slot.textContent = errorText(error);
      slot.id ||= `error-${Math.random().toString(36).slice(2)}`;
      slot.setAttribute("role", "alert");
      shown = true;
    }
    if (field) {
      field.classList.add("invalid");
      field.setAttribute("aria-invalid", "true");
      if (slot && field.getAttribute("aria-describedby") !== slot.id) {
        field.setAttribute("aria-describedby", slot.id);
        field.dataset.describedByError = "1";
      }
      first ||= field;
    }
  }
  const general = form.querySelector('[data-error="_"]');
  if (general) general.textContent = shown ? "" : problemText(problem);
  if (first) first.focus();
}

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast";
  el.setAttribute("role", "status");
  el.textContent = text;
  document.body.append(el);
  setTimeout(() => el.remove(), 2500);
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat(Infinity)) el.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return el;
}

const money = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString(LANG === "zh" ? "zh-CN" : "en",
  { maximumFractionDigits: 0 }));
