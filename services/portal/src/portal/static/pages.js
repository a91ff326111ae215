// One function per page; each renders into #view and returns a cleanup function (for live streams).
const PAGES = {};
const HOME = { sme: "#/sme", chain_master: "#/chain-master", officer: "#/officer", bank_admin: "#/bank", regulator: "#/pboc",
               admin: "#/pboc" };

PAGES.login = async (view) => {
  const people = await (await fetch("/demo-identities")).json();
  const byRole = {};
  people.forEach((p) => (byRole[p.role] ||= []).push(p));
  const pasted = h("input", { name: "token", "aria-label": t("pasteToken"), placeholder: t("pasteToken") });
  view.append(h("section", {}, h("h1", {}, t("login")), h("p", { class: "muted" }, t("loginHelp")),
    ...Object.entries(byRole).map(([role, list]) => h("div", {},
      h("h2", {}, t(`roles.${role}`)),
      h("div", { class: "people" }, list.map((p) => h("button", {
        type: "button", "data-person": p.name, onclick: () => enter({ ...p }) }, p.name))))),
    h("div", { class: "row" }, pasted, h("button", { type: "button", onclick: () => {
      const [, payload] = pasted.value.split(".");
      const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
      enter({ name: claims.sub, role: claims.role, token: pasted.value, firm_id: claims.firm, bank_id: claims.bank,
              officer_id: claims.officer });
    } }, t("use")))));
};

function enter(person) {
  session.set(person);
  location.hash = HOME[person.role] || "#/login";
}

function needForm(chains, onDone) {
  const field = (name, label, input) => h("label", {}, label, input, h("span", { class: "error", "data-error": name }));
  const checks = (name, options, checked) => h("fieldset", {}, h("legend", {}, t(name === "product_types" ? "products" : name)),
    ...options.map((o) => h("label", { class: "row" }, h("input", { type: "checkbox", name, value: o,
      checked: checked.includes(o) }), t(`${name === "product_types" ? "product_types" : "collateral_kinds"}.${o}`))),
    h("span", { class: "error", "data-error": name }));
  const until = new Date(Date.now() + 180 * 864e5).toISOString().slice(0, 10);
  const form = h("form", { class: "grid", novalidate: true, id: "need-form" },
    field("chain", t("chain"), h("select", { name: "chain" }, chains.map((c) => h("option", { value: c.code },
      LANG === "zh" ? c.name_zh : c.name_en)))),
    field("amount", t("amount"), h("input", { name: "amount", inputmode: "decimal", value: "1000000" })),
    field("term_months", t("term"), h("input", { name: "term_months", type: "number", value: "12" })),
    field("purpose", t("purpose"), h("input", { name: "purpose", value: "采购原材料" })),
    field("max_annual_rate", t("maxRate"), h("input", { name: "max_annual_rate", inputmode: "decimal", value: "0.055" })),
    field("consent_scope", t("consent"), h("select", { name: "consent_scope" }, ["chain_banks", "lead_bank_only",
      "any_eligible_bank"].map((s) => h("option", { value: s }, t(`scopes.${s}`))))),
    field("consent_until", t("consentUntil"), h("input", { name: "consent_until", type: "date", value: until })),
    checks("product_types", Object.keys(TEXT.zh.product_types), ["order_loan", "credit_loan"]),
    checks("collateral", Object.keys(TEXT.zh.collateral_kinds), ["none"]),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "first_loan" }), t("firstLoan")),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("submit")), h("p", { class: "error", "data-error": "_" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { chain: data.get("chain"), amount: data.get("amount"), term_months: data.get("term_months"),
      purpose: data.get("purpose"), max_annual_rate: data.get("max_annual_rate") || null,
      consent_scope: data.get("consent_scope"), consent_until: data.get("consent_until"),
      product_types: data.getAll("product_types"), collateral: data.getAll("collateral"),
      first_loan: data.get("first_loan") === "on" };
    try {
      await call("firms", "POST", "/v1/needs", body, { "Idempotency-Key": crypto.randomUUID() });
      showErrors(form, { errors: [] });
      toast(t("saved"));
      onDone();
    } catch (problem) { showErrors(form, problem); }
  });
  return form;
}

function timeline(need) {
  return h("ol", { class: "timeline" }, need.timeline.map((e) => h("li", { "data-milestone": e.milestone,
    "data-bank": e.detail.bank_name || "", "data-officer": e.detail.officer_name || "" },
    h("span", { class: "muted" }, new Date(e.at).toLocaleString(), " "), t(`milestones.${e.milestone}`), " ",
    e.detail.bank_name ? `${e.detail.bank_name} · ${e.detail.product_name} · ${t("officer")} ${e.detail.officer_name}` : "",
    e.detail.answer_by ? h("span", { class: "muted" }, ` · ${t("answerBy")} ${new Date(e.detail.answer_by).toLocaleString()}`) : "",
    e.detail.components ? h("details", {}, h("summary", {}, `${t("score")} ${e.detail.score}`),
      h("ul", {}, e.detail.components.map((c) => h("li", {}, `${c.name} ${c.value} × ${c.weight} — ${c.explanation}`)))) : "")));
}

// GB 32100-2015: the same check the firms service makes, so a mistyped code is caught while it is typed.
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
function usccProblem(text) {
  const code = text.trim().toUpperCase();
  if (code.length !== 18) return LANG === "zh" ? `统一社会信用代码为18位，当前${code.length}位` : `18 characters, not ${code.length}`;
  if ([...code].some((ch) => !USCC_ALPHABET.includes(ch))) return LANG === "zh" ? "含有无效字符（不使用 I、O、S、V、Z）" : "Invalid character (no I, O, S, V, Z)";
  const sum = [...code.slice(0, 17)].reduce((acc, ch, i) => acc + USCC_ALPHABET.indexOf(ch) * (3 ** i % 31), 0);
  if (code[17] !== USCC_ALPHABET[(31 - (sum % 31)) % 31]) return LANG === "zh" ? "校验位不符，请检查是否输错" : "Check character does not match";
  return "";
}

async function registration(view, me) {
  const towns = await call("firms", "GET", "/v1/reference/towns");
  const field = (name, label, input) => h("label", {}, label, input, h("span", { class: "error", "data-error": name }));
  const uscc = h("input", { name: "uscc", autocomplete: "off", "aria-describedby": "uscc-error" });
  const form = h("form", { class: "grid", novalidate: true, id: "register" },
    h("label", {}, "统一社会信用代码 USCC", uscc, h("span", { class: "error", id: "uscc-error", "data-error": "uscc" })),
    field("legal_name", LANG === "zh" ? "企业名称" : "Legal name", h("input", { name: "legal_name" })),
    field("town", LANG === "zh" ? "镇街" : "Town", h("select", { name: "town" }, towns.map((x) => h("option", { value: x.code }, x.name_zh)))),
    field("employees", LANG === "zh" ? "从业人员" : "Employees", h("input", { name: "employees", type: "number", value: "50" })),
    field("revenue_last_year", LANG === "zh" ? "上年营业收入（元）" : "Last year's revenue", h("input", { name: "revenue_last_year", value: "10000000" })),
    field("contact", LANG === "zh" ? "联系人" : "Contact", h("input", { name: "contact_name" })),
    field("contact_phone", LANG === "zh" ? "联系电话" : "Phone", h("input", { name: "contact_phone", inputmode: "tel" })),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("submit")), h("p", { class: "error", "data-error": "_" })));
  uscc.addEventListener("input", () => {
    const problem = uscc.value ? usccProblem(uscc.value) : "";
    form.querySelector('[data-error="uscc"]').textContent = problem;
    uscc.classList.toggle("invalid", Boolean(problem));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const d = new FormData(form);
    try {
      await call("firms", "POST", "/v1/firms", { uscc: d.get("uscc"), legal_name: d.get("legal_name"), town: d.get("town"),
        employees: d.get("employees"), revenue_last_year: d.get("revenue_last_year"),
        contact: { name: d.get("contact_name"), phone: d.get("contact_phone") } });
      route();
    } catch (problem) {
      problem.errors = problem.errors.map((e) => ({ ...e, pointer: e.pointer.replace("/contact/phone", "/contact_phone").replace("/contact/name", "/contact") }));
      showErrors(form, problem);
    }
  });
  view.append(h("section", {}, h("h1", {}, LANG === "zh" ? "企业注册" : "Register the firm"), form));
}

function linkForm(me, masters, done) {
  const form = h("form", { class: "row", id: "declare-link" },
    h("select", { name: "master", "aria-label": t("roles.chain_master") }, masters.flatMap((m) => m.chains.map((c) =>
      h("option", { value: `${m.firm_id}|${c}` }, `${m.legal_name} · ${c}`)))),
    h("select", { name: "tier", "aria-label": t("tier") }, ["tier_1", "tier_2", "tier_3"].map((x) => h("option", { value: x }, x))),
    h("input", { name: "annual_supply_value", "aria-label": t("supplyValue"), value: "5000000" }),
    h("button", { type: "submit" }, LANG === "zh" ? "申报供货关系" : "Declare supplying"),
    h("span", { class: "error", "data-error": "_" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const d = new FormData(form);
    const [master, chain] = d.get("master").split("|");
    try {
      await call("firms", "POST", `/v1/firms/${me.firm_id}/links`, { chain_master_firm_id: master, chain,
        tier: d.get("tier"), annual_supply_value: d.get("annual_supply_value") });
      done();
    } catch (problem) { showErrors(form, problem); }
  });
  return form;
}

PAGES.sme = async (view) => {
  const me = session.get();
  let firm;
  try { firm = await call("firms", "GET", `/v1/firms/${me.firm_id}`); }
  catch (problem) { if (problem.status === 404) return registration(view, me); throw problem; }
  const [chains, masters, links] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
    call("firms", "GET", "/v1/chain-masters"), call("firms", "GET", `/v1/firms/${me.firm_id}/links`)]);
  const list = h("div", { class: "cards", id: "needs" });
  const refresh = async () => {
    const needs = await call("firms", "GET", "/v1/needs");
    list.replaceChildren(...(needs.length ? [] : [h("p", { class: "muted" }, t("none"))]));
    for (const summary of needs) {
      const need = await call("firms", "GET", `/v1/needs/${summary.need_id}`);
      list.append(h("article", { class: "card", "data-need": need.need_id },
        h("div", { class: "row" }, h("strong", {}, `${money(need.terms.amount)} ${t("yuan")} · ${need.terms.term_months} ${t("months")}`),
          h("span", { class: `status ${need.status}`, "data-status": need.status }, t(`statuses.${need.status}`)),
          ["withdrawn", "disbursed"].includes(need.status) ? "" : h("button", { type: "button", onclick: async () => {
            await call("firms", "POST", `/v1/needs/${need.need_id}/withdraw`, {}); refresh(); } }, t("withdraw"))),
        h("div", { class: "muted" }, need.terms.purpose), timeline(need)));
    }
  };
  view.append(
    h("section", {}, h("h1", {}, `${firm.legal_name}`), h("p", { class: "muted" },
      `${firm.uscc} · ${firm.town} · ${firm.size_class} · ${firm.employees}`),
      h("h2", {}, t("links")), h("ul", {}, links.map((l) => h("li", {}, `${l.chain_master_name} · ${l.chain} · `,
        h("span", { class: `status ${l.status}` }, t(`statuses.${l.status}`))))),
      linkForm(me, masters, () => route())),
    h("section", {}, h("h2", {}, t("newNeed")), needForm(chains, refresh)),
    h("section", {}, h("h2", {}, t("myNeeds")), list));
  await refresh();
  const timer = setInterval(refresh, 5000);  // the timeline follows the matcher and the bank
  return () => clearInterval(timer);
};

PAGES["chain-master"] = async (view) => {
  const links = h("div", { class: "cards" });
  const refresh = async () => {
    const pending = await call("firms", "GET", "/v1/links?status=pending");
    links.replaceChildren(...(pending.length ? pending.map((l) => h("article", { class: "card" },
      h("strong", {}, l.supplier_name), h("div", { class: "muted" }, `${l.chain} · ${l.tier} · ${t("supplyValue")} ${money(l.annual_supply_value)}`),
      h("div", { class: "row" },
        h("button", { class: "primary", type: "button", onclick: async () => { await call("firms", "POST", `/v1/links/${l.link_id}/confirm`, {}); refresh(); } }, t("confirm")),
        h("button", { type: "button", onclick: async () => { await call("firms", "POST", `/v1/links/${l.link_id}/reject`, {}); refresh(); } }, t("rejectLink")))))
      : [h("p", { class: "muted" }, t("none"))]));
  };
  const claims = h("div", { class: "cards", id: "receivables" });
  const refreshClaims = async () => {
    const pending = await call("firms", "GET", "/v1/receivables?status=pending");
    claims.replaceChildren(...(pending.length ? pending.map((r) => h("article", { class: "card" },
      h("strong", {}, `${money(r.amount)} ${t("yuan")}`), h("span", { class: "muted" }, ` · ${r.kind} · ${r.due_date}`),
      h("div", { class: "row" },
        h("button", { class: "primary", type: "button", onclick: async () => { await call("firms", "POST", `/v1/receivables/${r.receivable_id}/confirm`, {}); refreshClaims(); } }, t("confirm")),
        h("button", { type: "button", onclick: async () => { await call("firms", "POST", `/v1/receivables/${r.receivable_id}/reject`, {}); refreshClaims(); } }, t("rejectLink")))))
      : [h("p", { class: "muted" }, t("none"))]));
  };
  view.append(h("section", {}, h("h1", {}, t("links")), links), h("section", {}, h("h2", {}, t("receivables")), claims));
  await Promise.all([refresh(), refreshClaims()]);
};

function countdown(due) {
  const el = h("span", { class: "due" });
  const tick = () => {
    const left = Math.round((new Date(due) - Date.now()) / 1000);
    el.textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "0:00";
    el.classList.toggle("late", left <= 60);
  };
  tick();
  el.timer = setInterval(tick, 1000);
  return el;
}

function matchCard(m, refresh) {
  const act = async (action, body, form) => {
    try { await call("banks", "POST", `/v1/matches/${m.match_id}/${action}`, body); refresh(); }
    catch (problem) { if (form) showErrors(form, problem); else toast(problem.message); }
  };
  const reasonSelect = (name, values) => h("select", { name, "aria-label": t("reason") },
    values.map((v) => h("option", { value: v }, t(`reasons.${v}`))));
  const forms = [];
  if (m.status === "proposed") {
    const decline = h("form", { class: "row" }, reasonSelect("reason", ["outside_appetite", "capacity_exhausted",
      "insufficient_information", "conflict_of_interest", "officer_unavailable", "other"]),
      h("button", { type: "submit" }, t("decline")), h("span", { class: "error", "data-error": "reason" }));
    decline.addEventListener("submit", (e) => { e.preventDefault(); act("decline", { reason: new FormData(decline).get("reason") }, decline); });
    forms.push(h("button", { class: "primary", type: "button", "data-action": "accept", onclick: () => act("accept") }, t("accept")), decline);
  }
  if (m.status === "accepted") {
    const approve = h("form", { class: "grid", "data-form": "approve" },
      h("label", {}, t("amount"), h("input", { name: "amount", value: m.need ? m.need.terms.amount : "" }), h("span", { class: "error", "data-error": "amount" })),
      h("label", {}, t("rate"), h("input", { name: "annual_rate", value: "0.0400" }), h("span", { class: "error", "data-error": "annual_rate" })),
      h("label", {}, t("term"), h("input", { name: "term_months", type: "number", value: m.need ? m.need.terms.term_months : 12 }), h("span", { class: "error", "data-error": "term_months" })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("approve"))));
    approve.addEventListener("submit", (e) => { e.preventDefault(); act("approve", Object.fromEntries(new FormData(approve)), approve); });
    const reject = h("form", { class: "row" }, reasonSelect("reason", ["credit_history", "insufficient_cash_flow",
      "insufficient_collateral", "chain_relation_unverified", "policy_restriction", "firm_withdrew", "other"]),
      h("button", { type: "submit" }, t("reject")));
    reject.addEventListener("submit", (e) => { e.preventDefault(); act("reject", { reason: new FormData(reject).get("reason") }, reject); });
    forms.push(approve, reject);
  }
  if (m.status === "approved") {
    const disburse = h("form", { class: "grid", "data-form": "disburse" },
      h("label", {}, t("amount"), h("input", { name: "amount", value: m.approved.amount }), h("span", { class: "error", "data-error": "amount" })),
      h("label", {}, t("date"), h("input", { name: "disbursed_on", type: "date", value: new Date().toISOString().slice(0, 10) })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("disburse"))));
    disburse.addEventListener("submit", (e) => { e.preventDefault(); act("disburse", Object.fromEntries(new FormData(disburse)), disburse); });
    forms.push(disburse);
  }
  const p = m.proposal;
  return h("article", { class: "card", "data-match": m.match_id, "data-need": m.need_id },
    h("div", { class: "row" }, h("strong", {}, m.firm ? m.firm.legal_name : t("notDisclosed")),
      h("span", { class: `status ${m.status}`, "data-status": m.status }, t(`statuses.${m.status}`)),
      m.status === "proposed" ? h("span", {}, `${t("answerBy")} `, countdown(m.answer_by)) : ""),
    m.firm ? h("div", { class: "muted" }, `${m.firm.contact_name} · ${m.firm.contact_phone}`) : "",
    m.need ? h("div", {}, `${money(m.need.terms.amount)} ${t("yuan")} · ${m.need.terms.term_months} ${t("months")} · ${m.need.terms.purpose} · ${m.need.chain}`) : "",
    h("details", {}, h("summary", {}, `${p.product_name} · ${t("score")} ${p.score}`),
      h("ul", {}, (p.components || []).map((c) => h("li", {}, `${c.explanation} (${c.value} × ${c.weight})`)))),
    h("div", { class: "row" }, forms));
}

PAGES.officer = async (view) => {
  const queue = h("div", { class: "cards", id: "queue" });
  const shown = new Map();  // match id → { version, card }: a card the officer is working on is redrawn only if it changed
  const refresh = async () => {
    const matches = await call("banks", "GET", "/v1/matches?limit=100");
    const open = matches.filter((m) => ["proposed", "accepted", "approved"].includes(m.status));
    const cards = open.map((m) => {
      const version = `${m.status}|${m.updated_at}`;
      const known = shown.get(m.match_id);
      if (known && known.version === version) return known.card;
      const card = matchCard(m, refresh);
      shown.set(m.match_id, { version, card });
      return card;
    });
    queue.replaceChildren(...(cards.length ? cards : [h("p", { class: "muted" }, t("none"))]));
  };
  view.append(h("section", {}, h("h1", {}, t("queue"), " ", h("span", { class: "status", id: "live" }, t("live"))), queue));
  await refresh();
  const stop = new AbortController();
  follow("banks", "/v1/matches/stream", () => refresh(), stop.signal);  // no reload: the stream redraws the queue
  return () => stop.abort();
};

PAGES.bank = async (view) => {
  const me = session.get();
  const [products, officers] = await Promise.all([call("banks", "GET", `/v1/banks/${me.bank_id}/products`),
                                                  call("banks", "GET", `/v1/banks/${me.bank_id}/officers`)]);
  view.append(
    h("section", {}, h("h1", {}, t("productsOf")), h("table", {}, h("tr", {}, h("th", {}, ""), h("th", { class: "num" }, t("capacity")),
      h("th", { class: "num" }, t("remaining"))), products.map((p) => h("tr", {}, h("td", {}, p.terms.name),
      h("td", { class: "num" }, money(p.terms.capacity)), h("td", { class: "num" }, money(p.remaining)))))),
    h("section", {}, h("h2", {}, t("officers")), h("table", {}, officers.map((o) => h("tr", {}, h("td", {}, o.profile.name),
      h("td", {}, o.profile.centre), h("td", {}, o.profile.chains.join(", ")),
      h("td", { class: "num" }, `${t("load")} ${o.open_matches}/${o.profile.max_open_matches}`))))));
};

function bars(cells, metric) {
  const values = cells.map((c) => (c.metrics[metric] || {}).count || 0);
  const max = Math.max(1, ...values);
  const width = 520, row = 26;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  Object.entries({ viewBox: `0 0 ${width} ${row * cells.length + 4}`, role: "img", "aria-label": t(`metrics.${metric}`),
                   width: "100%" }).forEach(([k, v]) => svg.setAttribute(k, v));
  svg.append(...cells.flatMap((c, i) => {
      const w = (values[i] / max) * (width - 190);
      const bar = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      Object.entries({ x: 150, y: i * row + 4, width: w, height: row - 8, class: "bar" }).forEach(([k, v]) => bar.setAttribute(k, v));
      const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
      Object.entries({ x: 0, y: i * row + 18, class: "bar-label" }).forEach(([k, v]) => label.setAttribute(k, v));
      label.textContent = `${Object.values(c.key).join(" · ")} ${values[i]}`;
      return [label, bar];
    }));
  return svg;
}

PAGES.pboc = async (view) => {
  const flows = h("div", { id: "flows" });
  const leads = h("div", { id: "lead-banks" });
  const metrics = ["submitted", "matched", "contacted", "approved", "disbursed", "escalated", "sla_breach"];
  let by = "chain";
  const label = (c) => [c.key.chain, c.key.town, c.key.size_class, c.key.week, c.key.bank && c.key.bank.slice(0, 8)]
    .filter(Boolean).join(" · ");
  const draw = (report) => {
    flows.replaceChildren(
      h("table", {}, h("tr", {}, h("th", {}, by), metrics.map((m) => h("th", { class: "num" }, t(`metrics.${m}`))),
        h("th", { class: "num" }, t("disbursedAmount"))),
        report.cells.map((c) => h("tr", { "data-chain": by === "chain" ? c.key.chain : label(c) }, h("td", {}, label(c)),
          metrics.map((m) => h("td", { class: "num", "data-metric": m }, (c.metrics[m] || {}).count || 0)),
          h("td", { class: "num" }, money((c.metrics.disbursed || {}).amount))))),
      bars(report.cells, "submitted"),
      h("p", { class: "muted" }, `${report.week_cells_withheld ?? 0} ${t("withheld")}`));
  };
  const refresh = async () => {
    draw(await call("oversight", "GET", `/v1/oversight/flows?by=${by}`));
    const table = await call("oversight", "GET", "/v1/oversight/lead-banks");
    leads.replaceChildren(h("table", {}, h("tr", {}, [t("chain"), t("leadBank"), t("needsRouted"), t("answered"),
      t("breaches"), t("approvalRate"), t("disbursedAmount"), t("lineUsed")].map((x) => h("th", {}, x))),
      table.map((r) => h("tr", {}, h("td", {}, r.chain), h("td", {}, r.bank_name), h("td", { class: "num" }, r.needs_routed),
        h("td", { class: "num" }, r.answered), h("td", { class: "num" }, r.sla_breaches),
        h("td", { class: "num" }, r.approval_rate === null ? "—" : `${Math.round(r.approval_rate * 100)}%`),
        h("td", { class: "num" }, money(r.amount_disbursed)),
        h("td", { class: "num" }, r.credit_line_used === null ? "—" : `${(r.credit_line_used * 100).toFixed(2)}%`)))));
  };
  const csv = h("button", { type: "button", onclick: async () => {
    const response = await fetch("/api/oversight/v1/oversight/flows.csv?by=chain,town",
      { headers: { Authorization: `Bearer ${session.get().token}` } });
    const link = h("a", { href: URL.createObjectURL(await response.blob()), download: "lianrong-flows.csv" });
    link.click();
  } }, t("exportCsv"));
  const grouping = h("select", { "aria-label": "group by", onchange: (e) => { by = e.target.value; refresh(); } },
    ["chain", "chain,week", "town", "chain,town", "bank", "size_class"].map((g) => h("option", { value: g }, g)));
  view.append(h("section", {}, h("h1", {}, t("flows")), h("div", { class: "row" }, grouping), flows, csv),
    h("section", {}, h("h2", {}, t("leadBanks")), leads));
  await refresh();
  const stop = new AbortController();
  follow("oversight", "/v1/oversight/live", () => refresh(), stop.signal);
  return () => stop.abort();
};
