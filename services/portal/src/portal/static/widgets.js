// Pieces the pages share: labelled fields with their error slot, checkbox groups, and the dashboard's charts.

// A labelled input with the slot where the API's error for `name` appears (see showErrors).
function field(name, label, input) {
  input.id ||= `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  input.setAttribute("aria-describedby", `${input.id}-error`);
  return h("label", {}, label, input, h("span", { class: "error", id: `${input.id}-error`, "data-error": name,
    "aria-live": "polite" }));
}

// Sends the form's data with `send`; when the service accepts, clears the errors and the fields named in `clear`,
// says so and calls `done`; when it refuses, shows its errors next to the fields they concern.
function onSubmit(form, send, { done = () => {}, clear = [] } = {}) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await send(new FormData(form));
      showErrors(form, { errors: [] });
      clear.forEach((name) => { form.querySelector(`[name="${name}"]`).value = ""; });
      toast(t("saved"));
      done();
    } catch (problem) { showErrors(form, problem); }
  });
  return form;
}

// A group of checkboxes sharing `name`; `options` are [value, label] pairs.
function checks(name, legend, options, checked = []) {
  return h("fieldset", {}, h("legend", {}, legend),
    ...options.map(([value, label]) => h("label", { class: "row" },
      h("input", { type: "checkbox", name, value, checked: checked.includes(value) }), label)),
    h("span", { class: "error", "data-error": name, "aria-live": "polite" }));
}

const optionsOf = (group) => Object.entries(TEXT[LANG][group]);
const chainLabel = (chain) => (LANG === "zh" ? chain.name_zh : chain.name_en);
// A function from chain code to its name, over the chains the firms service lists.
const chainNamer = (chains) => (code) => { const c = chains.find((x) => x.code === code); return c ? chainLabel(c) : code; };

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
  children.flat(Infinity).forEach((c) => el.append(c instanceof Node ? c : document.createTextNode(c)));
  return el;
}

function bars(cells, metric, label, unit = t("countUnit")) {
  // A withheld count is said as such, with no bar: never drawn as 0.
  const withheld = cells.map((c) => (c.counts_withheld || []).includes(metric));
  const values = cells.map((c, i) => (withheld[i] ? 0 : (c.metrics[metric] || {}).count || 0));
  const max = Math.max(1, ...values);
  const width = 520, row = 26;
  return h("div", { class: "scroll" }, svg("svg", { viewBox: `0 0 ${width} ${row * cells.length + 4}`, role: "img",
                      "aria-label": `${t(`metrics.${metric}`)}（${unit}）`, width: "100%", class: "bars" },
    cells.flatMap((c, i) => [
      svg("text", { x: 0, y: i * row + 18, class: "bar-label" }, `${label(c)} ${withheld[i] ? t("notPublished") : values[i]}`),
      svg("rect", { x: 150, y: i * row + 4, width: (values[i] / max) * (width - 190), height: row - 8, class: "bar" }),
    ])));
}

const PALETTE = ["#b3261e", "#1f5fa8", "#1e7a46", "#b26a00", "#6a3fa0", "#00808a", "#8a4b2a", "#5b6b7c"];

// Weekly series as lines. A week missing from a series is a gap, not a zero: it had no activity, or its figure was
// withheld by disclosure control, and the chart must not say which.
function lineChart(weeks, series, title, unit = t("countUnit")) {
  const width = 640, height = 220, left = 36, right = 8, top = 10, bottom = 26;
  const max = Math.max(1, ...series.flatMap((s) => [...s.values.values()]));
  const x = (i) => left + (weeks.length < 2 ? (width - left - right) / 2 : (i * (width - left - right)) / (weeks.length - 1));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const grid = [0, 0.5, 1].map((f) => Math.round(max * f)).filter((v, i, a) => a.indexOf(v) === i);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, width: "100%",
                             class: "chart" },
    svg("text", { x: 2, y: top + 2, class: "axis unit" }, unit),
    grid.map((v) => [svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid" }),
                     svg("text", { x: left - 4, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v))]),
    weeks.map((w, i) => (i % Math.ceil(weeks.length / 7) === 0 || i === weeks.length - 1
      ? svg("text", { x: x(i), y: height - 8, class: "axis",
                      "text-anchor": i === weeks.length - 1 && i > 0 ? "end" : "middle" }, w.slice(5)) : "")),
    series.map((s, k) => {
      const colour = PALETTE[k % PALETTE.length];
      const runs = [[]];
      weeks.forEach((w, i) => (s.values.has(w) ? runs[runs.length - 1].push([x(i), y(s.values.get(w)), w])
        : runs[runs.length - 1].length && runs.push([])));
      return svg("g", { "data-series": s.key, "data-points": weeks.filter((w) => s.values.has(w))
                          .map((w) => `${w}:${s.values.get(w)}`).join(",") },
        runs.filter((r) => r.length > 1).map((r) => svg("polyline", { points: r.map(([px, py]) => `${px},${py}`).join(" "),
          fill: "none", stroke: colour, "stroke-width": 2 })),
        runs.flat().map(([px, py, w]) => svg("circle", { cx: px, cy: py, r: 3.5, fill: colour },
          svg("title", {}, `${s.label} · ${w} · ${s.values.get(w)}`))));
    }));
  const legend = h("ul", { class: "legend" }, series.map((s, k) => h("li", {},
    h("span", { class: "swatch", style: `background:${PALETTE[k % PALETTE.length]}` }), s.label)));
  return h("figure", { class: "chart", "data-weeks": weeks.length }, h("figcaption", {}, title),
    h("div", { class: "scroll" }, chart), h("p", { class: "axis-note" }, `${t("weekAxis")} →`), legend);
}

// The Mondays from `from` to `to` (ISO dates), the weeks the oversight service counts in.
function weeksBetween(from, to) {
  const weeks = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 7)) {
    weeks.push(d.toISOString().slice(0, 10));
  }
  return weeks;
}

// A confirmation for what cannot be undone, with its consequences spelt out; resolves true only when confirmed
// (取消 and Esc cancel). `extra`: fields the dialog asks for (a reason), read by the caller after it resolves.
function confirmAction({ title, body, confirm, extra = null }) {
  return new Promise((resolve) => {
    const id = `confirm-${Math.random().toString(36).slice(2, 8)}`;
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": id, "data-dialog": "confirm" },
      h("h2", { id }, title), h("p", {}, body), extra || "",
      h("div", { class: "row" },
        h("button", { type: "button", "data-action": "cancel", onclick: () => dialog.close("cancel") }, t("cancel")),
        h("button", { type: "button", class: "danger", "data-action": "confirm", onclick: () => dialog.close("confirm") },
          confirm)));
    dialog.addEventListener("close", () => { resolve(dialog.returnValue === "confirm"); dialog.remove(); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-action="cancel"]').focus();  // the safe choice has the focus
  });
}

// A day as the system counts days: in Beijing (Asia/Shanghai), whatever the browser's time zone — a date the officer
// types for a disbursement is checked against the match's arrival day in Beijing. `days` from today.
const beijingDay = (days = 0) =>
  new Date(Date.now() + days * 864e5).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });

// A rate as a percentage: 0.0385 → "3.85%", 0.04 → "4%".
const pct = (rate) => `${(Number(rate) * 100).toFixed(2).replace(/\.?0+$/, "")}%`;

// "9 分 55 秒" / "3 天 4 小时": a time left, never a clock time.
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const u = TEXT[LANG].units;
  if (d) return `${d} ${u.d} ${hr} ${u.h}`;
  if (hr) return `${hr} ${u.h} ${m} ${u.m}`;
  return `${m} ${u.m} ${sec} ${u.s}`;
}

// A score component as a sentence in the reader's language, from its name and params (the matcher's English
// explanation only when this portal has no words for it).
function componentText(c) {
  const words = (TEXT[LANG].components || {})[c.name];
  const params = c.params || {};
  const template = typeof words === "object" ? words[params.case] : words;
  if (!template) return c.explanation;
  const honours = (params.honours || "").split(",").filter(Boolean).map((x) => (TEXT[LANG].honourNames || {})[x] || x);
  return fill(template, { ...params, honours: honours.join("、") });
}

// Why this bank: the components as sentences (strongest first), the weights only when expanded.
function whyThisBank(components, score) {
  const sorted = [...components].sort((a, b) => b.weight * b.value - a.weight * a.value);
  return h("div", { class: "why-bank" },
    h("strong", {}, t("whyBank")),
    h("ul", { class: "why" }, sorted.map((c) => h("li", { "data-component": c.name }, componentText(c)))),
    h("details", {}, h("summary", {}, `${t("scoreDetail")} ${score}`),
      h("table", {}, sorted.map((c) => h("tr", {}, h("td", {}, componentText(c)),
        h("td", { class: "num" }, `${c.value} × ${c.weight}`))))));
}
