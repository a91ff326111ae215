// 融资需求调度: a coordinator's desk. The queue of needs nobody answered in their towns, oldest clock first, each with
// the time left to a credit decision written as a duration; an item shows the banks the matcher tried and why, what
// was done, and the actions (push to a bank, try again, record a visit or call, close with an outcome). The
// recommendation list (推荐清单) is uploaded here and answered row by row.

const OUTCOMES = ["financed_elsewhere", "not_a_real_need", "firm_declined", "no_bank_could_serve"];

// "剩余 12 天 3 小时" / "超期 2 天": a deadline as a duration, never as a clock time.
function clockText(seconds) {
  const late = seconds < 0, s = Math.abs(seconds);
  const days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600), minutes = Math.floor((s % 3600) / 60);
  const parts = days ? [`${days} ${t("desk.days")}`, `${hours} ${t("desk.hours")}`]
    : hours ? [`${hours} ${t("desk.hours")}`, `${minutes} ${t("desk.minutes")}`] : [`${minutes} ${t("desk.minutes")}`];
  return `${late ? t("desk.overdue") : t("desk.left")} ${parts.join(" ")}`;
}

// A reason code in a few words for the desk (the SME's wording, without its figures and advice).
const deskReason = (code) => {
  const text = t(`why.${code}`);
  return text.startsWith("why.") ? code : text.split(/[：:]/)[0].replace(/[（(][^）)]*\{[^}]*\}[^）)]*[）)]/g, "").trim();
};

PAGES.desk = async (view) => {
  const [chains, towns, banks] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
    call("firms", "GET", "/v1/reference/towns"), call("banks", "GET", "/v1/banks")]);
  const chainName = chainNamer(chains);
  const townName = (code) => (towns.find((x) => x.code === code) || {}).name_zh || code;
  const queue = h("div", { class: "cards", id: "desk-queue" });
  const detail = h("div", { id: "desk-item" });
  const upload = h("div", { id: "desk-upload" });
  let status = "open";

  const refresh = async () => {
    const items = await call("matcher", "GET", `/v1/desk/items?status=${status}`);
    queue.replaceChildren(...(items.length ? items.map((i) => h("article", { class: "card", "data-desk-item": i.need_id },
      h("strong", {}, `${townName(i.town)} · ${chainName(i.chain)}`),
      h("div", {}, `${money(i.amount)} ${t("yuan")} · ${i.term_months} ${t("desk.months")} · ${t(`size_classes.${i.size_class}`)}`),
      h("div", { class: i.seconds_left < 0 ? "error" : "muted", "data-clock": "" }, clockText(i.seconds_left)),
      h("div", { class: "muted" }, i.reasons.map((r) => deskReason(r.code)).join("；")),
      h("button", { type: "button", "data-action": "open", onclick: () => show(i.need_id) }, t("desk.open"))))
      : [h("p", { class: "muted" }, t("none"))]));
  };

  const show = async (needId) => {
    const item = await call("matcher", "GET", `/v1/desk/items/${needId}`);
    // Whom to call: the firm's name, USCC and contact, which the firms service gives a coordinator of its town.
    const firm = await call("firms", "GET", `/v1/desk-firms/${item.firm_id}`).catch(() => null);
    const base = `/v1/desk/items/${needId}`;
    const done = async () => { await refresh(); await show(needId); };
    const push = h("form", { "data-form": "recommend" },
      h("label", {}, t("desk.pushTo"), " ", h("select", { name: "bank_id", required: true },
        h("option", { value: "" }, t("desk.chooseBank")), banks.map((b) => h("option", { value: b.bank_id }, b.name)))),
      h("span", { class: "error", "data-error": "bank_id" }), h("span", { class: "error", "data-error": "_" }),
      h("button", { type: "submit", class: "primary" }, t("desk.push")));
    onSubmit(push, (d) => call("matcher", "POST", `${base}/recommendations`, { bank_id: d.get("bank_id") }), { done });
    const contact = h("form", { "data-form": "contact" },
      h("label", {}, t("desk.contactKind"), " ", h("select", { name: "kind" },
        h("option", { value: "visit" }, t("desk.visit")), h("option", { value: "call" }, t("desk.call")))),
      h("label", {}, t("desk.note"), " ", h("input", { name: "note", maxlength: 2000 })),
      h("span", { class: "error", "data-error": "_" }),
      h("button", { type: "submit" }, t("desk.record")));
    onSubmit(contact, (d) => call("matcher", "POST", `${base}/contacts`, { kind: d.get("kind"), note: d.get("note") }),
      { done });
    const close = h("form", { "data-form": "close" },
      h("label", {}, t("desk.outcome"), " ", h("select", { name: "outcome", required: true },
        h("option", { value: "" }, t("desk.chooseOutcome")), OUTCOMES.map((o) => h("option", { value: o }, t(`desk.outcomes.${o}`))))),
      h("label", {}, t("desk.reasonCode"), " ", h("input", { name: "reason_code", required: true, pattern: "[a-z][a-z0-9_]{1,63}",
        placeholder: "own_bank_loan" })),
      h("span", { class: "error", "data-error": "outcome" }), h("span", { class: "error", "data-error": "reason_code" }),
      h("span", { class: "error", "data-error": "_" }),
      h("button", { type: "submit", class: "danger" }, t("desk.close")));
    onSubmit(close, (d) => call("matcher", "POST", `${base}/closure`, { outcome: d.get("outcome"),
      reason_code: d.get("reason_code") }), { done });
    const retry = h("button", { type: "button", "data-action": "retry", onclick: async () => {
      await call("matcher", "POST", `${base}/retries`, {}); await done(); } }, t("desk.retry"));
    const open = item.status !== "closed";
    detail.replaceChildren(h("section", { "data-item": needId },
      h("h2", {}, `${townName(item.town)} · ${chainName(item.chain)} · ${money(item.amount)} ${t("yuan")}`),
      h("p", { "data-clock": "" }, `${t("desk.clock")}：${clockText(item.seconds_left)}（${item.decide_by.slice(0, 10)}）`),
      firm ? h("p", { "data-firm": firm.firm_id }, h("strong", {}, firm.legal_name), ` · ${firm.uscc}`,
        firm.contact ? ` · ${t("desk.contactPerson")} ${firm.contact.name} ${firm.contact.phone}` : "") : "",
      h("p", {}, `${t("desk.status")}：${t(`desk.statuses.${item.status}`)} · ${t("desk.needStatus")}：`,
        t(`desk.needStatuses.${item.need_status}`).startsWith("desk.") ? item.need_status : t(`desk.needStatuses.${item.need_status}`)),
      h("h3", {}, t("desk.tried")),
      item.tried.length ? h("ul", {}, item.tried.map((b) => h("li", {}, `${b.bank_name}：`,
        b.products.map((p) => `${p.name}（${deskReason(p.code)}）`).join("、")))) : h("p", { class: "muted" }, t("none")),
      h("h3", {}, t("desk.actions")),
      h("ol", {}, item.actions.map((a) => h("li", {}, `${a.at.slice(0, 16).replace("T", " ")} ${t(`desk.kinds.${a.kind}`)}`))),
      open ? h("div", { class: "stack" }, push, retry, contact, close) : h("p", { class: "muted" }, t("desk.closedNote"))));
    detail.querySelector("h2").focus?.();
  };

  // The recommendation list: a file in, an answer per row out (created, already present, or refused with why).
  const form = h("form", { "data-form": "upload" },
    h("p", {}, h("a", { href: "/api/firms/v1/recommendation-lists/template.csv", download: "" }, t("desk.template"))),
    h("label", {}, t("desk.file"), " ", h("input", { type: "file", name: "file", accept: ".csv,.xlsx", required: true })),
    h("span", { class: "error", "data-error": "_" }),
    h("button", { type: "submit", class: "primary" }, t("desk.upload")));
  const results = h("div", { id: "upload-results" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const response = await fetch("/api/firms/v1/recommendation-lists", { method: "POST", body: data,
      headers: { Authorization: `Bearer ${session.get().token}` } });
    const answer = await response.json();
    if (!response.ok) {
      results.replaceChildren(h("p", { class: "error", role: "alert" }, (answer.errors || [])[0]?.detail || answer.detail));
      return;
    }
    const refused = answer.rows.filter((r) => r.result === "refused");
    results.replaceChildren(
      h("p", { role: "status", "data-counts": `${answer.created},${answer.present},${answer.refused}` },
        `${t("desk.created")} ${answer.created} · ${t("desk.present")} ${answer.present} · ${t("desk.refused")} ${answer.refused}`),
      refused.length ? h("div", { class: "scroll" }, h("table", {}, h("tr", {}, [t("desk.row"), t("desk.field"), t("desk.reason")]
        .map((x) => h("th", {}, x))), refused.map((r) => h("tr", { "data-row": r.row }, h("td", { class: "num" }, r.row),
          h("td", {}, r.field), h("td", {}, r.detail))))) : "");
    await refresh();
  });
  upload.append(form, results);

  const filter = h("label", { class: "row" }, t("desk.show"), " ", h("select", { id: "desk-status", onchange: async (e) => {
    status = e.target.value; await refresh(); } }, ["open", "recommended", "closed", "all"].map((s) =>
    h("option", { value: s }, t(`desk.statuses.${s}`)))));
  view.append(h("section", {}, h("h1", {}, t("desk.title")), filter, queue), detail,
    h("section", {}, h("h2", {}, t("desk.listTitle")), upload));
  await refresh();
};
