// The SME's pages: registration (USCC checked as typed), supplier links, needs with their timelines.
function needForm(chains, claims, onDone) {
  const until = new Date(Date.now() + 180 * 864e5).toISOString().slice(0, 10);
  const form = h("form", { class: "grid", novalidate: true, id: "need-form" },
    field("chain", t("chain"), h("select", { name: "chain" }, chains.map((c) => h("option", { value: c.code }, chainLabel(c))))),
    field("amount", t("amount"), h("input", { name: "amount", inputmode: "decimal", value: "1000000" })),
    field("term_months", t("term"), h("input", { name: "term_months", type: "number", value: "12" })),
    field("purpose", t("purpose"), h("input", { name: "purpose", value: "采购原材料" })),
    field("max_annual_rate", t("maxRate"), h("input", { name: "max_annual_rate", inputmode: "decimal", value: "5.5" })),
    field("consent_scope", t("consent"), h("select", { name: "consent_scope" }, ["chain_banks", "lead_bank_only",
      "any_eligible_bank"].map((s) => h("option", { value: s }, t(`scopes.${s}`))))),
    field("consent_until", t("consentUntil"), h("input", { name: "consent_until", type: "date", value: until })),
    checks("product_types", t("products"), optionsOf("product_types"), ["order_loan", "credit_loan"]),
    checks("collateral", t("collateral"), optionsOf("collateral_kinds"), ["none"]),
    field("receivable_id", t("receivableForNeed"), h("select", { name: "receivable_id" },
      h("option", { value: "" }, t("noneOption")), claims.filter((r) => r.status === "confirmed").map((r) =>
        h("option", { value: r.receivable_id }, claimLabel(r))))),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "first_loan" }), t("firstLoan")),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("submit")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, (data) => call("firms", "POST", "/v1/needs", {
    chain: data.get("chain"), amount: yuan(data.get("amount")), term_months: data.get("term_months"),
    purpose: data.get("purpose"), max_annual_rate: data.get("max_annual_rate") ? percent(data.get("max_annual_rate")) : null,
    consent_scope: data.get("consent_scope"), consent_until: data.get("consent_until"),
    product_types: data.getAll("product_types"), collateral: data.getAll("collateral"),
    first_loan: data.get("first_loan") === "on", receivable_id: data.get("receivable_id") || null,
  }, { "Idempotency-Key": crypto.randomUUID() }), { done: onDone });
}

function timeline(need) {
  return h("ol", { class: "timeline" }, need.timeline.map((e) => h("li", { "data-milestone": e.milestone,
    "data-bank": e.detail.bank_name || "", "data-officer": e.detail.officer_name || "" },
    h("span", { class: "muted" }, new Date(e.at).toLocaleString(), " "), t(`milestones.${e.milestone}`), " ",
    e.detail.bank_name ? `${e.detail.bank_name} · ${e.detail.product_name} · ${t("officer")} ${e.detail.officer_name}` : "",
    e.detail.answer_by ? h("span", { class: "muted" }, ` · ${t("answerBy")} ${new Date(e.detail.answer_by).toLocaleString()}`) : "",
    e.detail.reason && e.milestone === "confirmation_revoked" ? h("span", { class: "muted" }, ` · ${t("reason")}：${e.detail.reason}`) : "",
    e.detail.reasons && e.detail.reasons.length ? h("ul", { class: "why" }, e.detail.reasons.map((r) => h("li", { "data-code": r.code },
      fill(t(`why.${r.code}`), r.params), r.products ? h("span", { class: "muted" }, ` · ${fill(t("products_n"), { n: r.products })}`) : ""))) : "",
    e.detail.components ? h("details", {}, h("summary", {}, `${t("score")} ${e.detail.score}`),
      h("ul", {}, e.detail.components.map((c) => h("li", {}, `${c.name} ${c.value} × ${c.weight} — ${c.explanation}`)))) : "")));
}

// GB 32100-2015: the same rules, in the same order, as the firms service, so a mistyped code is caught while it is
// typed and the message is the one the service would give.
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_AUTHORITIES = { 1: "129", 2: "19", 3: "1234589", 4: "19", 5: "1239", 6: "129", 7: "129", 8: "19", 9: "123",
                           A: "19", N: "12349", Y: "1" };
function usccProblem(text) {
  const code = text.trim().toUpperCase();
  const fail = (rule, params = {}) => errorText({ code: rule, params, detail: rule });
  if (code.length !== 18) return fail("uscc_length", { length: code.length });
  const bad = [...new Set(code)].filter((ch) => !USCC_ALPHABET.includes(ch)).sort();
  if (bad.length) return fail("uscc_character", { characters: bad.join(" ") });
  if (!(code[0] in USCC_AUTHORITIES)) return fail("uscc_authority");
  if (!USCC_AUTHORITIES[code[0]].includes(code[1])) return fail("uscc_entity_type");
  if (!/^\d{6}$/.test(code.slice(2, 8))) return fail("uscc_region");
  const sum = [...code.slice(0, 17)].reduce((acc, ch, i) => acc + USCC_ALPHABET.indexOf(ch) * (3 ** i % 31), 0);
  if (code[17] !== USCC_ALPHABET[(31 - (sum % 31)) % 31]) return fail("uscc_check_character");
  return "";
}

async function registration(view, me) {
  const towns = await call("firms", "GET", "/v1/reference/towns");
  const uscc = h("input", { name: "uscc", autocomplete: "off" });
  const form = h("form", { class: "grid", novalidate: true, id: "register" },
    field("uscc", "统一社会信用代码 USCC", uscc),
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
        employees: d.get("employees"), revenue_last_year: yuan(d.get("revenue_last_year")),
        contact: { name: d.get("contact_name"), phone: d.get("contact_phone") } });
      route();
    } catch (problem) {
      problem.errors = problem.errors.map((e) => ({ ...e, pointer: e.pointer.replace("/contact/phone", "/contact_phone").replace("/contact/name", "/contact") }));
      showErrors(form, problem);
    }
  });
  view.append(h("section", {}, h("h1", {}, LANG === "zh" ? "企业注册" : "Register the firm"), form));
}

const claimLabel = (r) => `${t(`claimKinds.${r.kind}`)} ${money(r.amount)} ${t("yuan")} · ${t("dueDate")} ${r.due_date}`;

// A receivable or an order on a confirmed link, for the chain master to confirm (确权): products that lend against
// confirmed receivables need one.
function claimForm(link, done) {
  const due = new Date(Date.now() + 90 * 864e5).toISOString().slice(0, 10);
  const form = h("form", { class: "row inline", "data-form": "claim", "data-link": link.link_id },
    h("select", { name: "kind", "aria-label": t("claimKind") }, ["receivable", "order"].map((k) =>
      h("option", { value: k }, t(`claimKinds.${k}`)))),
    h("input", { name: "amount", inputmode: "decimal", value: "500000", "aria-label": t("amount") }),
    h("input", { name: "due_date", type: "date", value: due, "aria-label": t("dueDate") }),
    h("button", { type: "submit" }, t("declareClaim")),
    h("span", { class: "error", "data-error": "amount" }), h("span", { class: "error", "data-error": "due_date" }),
    h("span", { class: "error", "data-error": "_" }));
  return onSubmit(form, (d) => call("firms", "POST", `/v1/links/${link.link_id}/receivables`,
    { kind: d.get("kind"), amount: yuan(d.get("amount")), due_date: d.get("due_date") }), { done });
}

function linkForm(me, masters, done) {
  const form = h("form", { class: "row", id: "declare-link" },
    h("select", { name: "master", "aria-label": t("roles.chain_master") }, masters.flatMap((m) => m.chains.map((c) =>
      h("option", { value: `${m.firm_id}|${c}` }, `${m.legal_name} · ${c}`)))),
    h("select", { name: "tier", "aria-label": t("tier") }, ["tier_1", "tier_2", "tier_3"].map((x) => h("option", { value: x }, t(`tiers.${x}`)))),
    h("input", { name: "annual_supply_value", "aria-label": t("supplyValue"), value: "5000000" }),
    h("button", { type: "submit" }, LANG === "zh" ? "申报供货关系" : "Declare supplying"),
    h("span", { class: "error", "data-error": "_" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const d = new FormData(form);
    const [master, chain] = d.get("master").split("|");
    try {
      await call("firms", "POST", `/v1/firms/${me.firm_id}/links`, { chain_master_firm_id: master, chain,
        tier: d.get("tier"), annual_supply_value: yuan(d.get("annual_supply_value")) });
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
  const [chains, towns, masters, links, claims] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
    call("firms", "GET", "/v1/reference/towns"), call("firms", "GET", "/v1/chain-masters"),
    call("firms", "GET", `/v1/firms/${me.firm_id}/links`), call("firms", "GET", "/v1/receivables")]);
  const chainName = chainNamer(chains);
  const list = h("div", { class: "cards", id: "needs" });
  const refresh = async () => {
    const needs = await call("firms", "GET", "/v1/needs");
    const details = await Promise.all(needs.map((n) => call("firms", "GET", `/v1/needs/${n.need_id}`)));
    // Redrawn only when a need changed, in one go (an overlapping refresh cannot interleave cards): a card being read
    // keeps its open explanation, and a keyboard user keeps their place.
    const version = details.map((n) => `${n.need_id}|${n.status}|${n.updated_at}|${n.timeline.length}`).join(",");
    if (version === list.dataset.version) return;
    list.dataset.version = version;
    const opened = new Set([...list.querySelectorAll("details[open]")].map((d) => d.closest("[data-need]").dataset.need));
    list.replaceChildren(...(details.length ? details.map((need) => h("article", { class: "card", "data-need": need.need_id },
      h("div", { class: "row" }, h("strong", {}, `${money(need.terms.amount)} ${t("yuan")} · ${need.terms.term_months} ${t("months")}`),
        h("span", { class: `status ${need.status}`, "data-status": need.status }, t(`statuses.${need.status}`)),
        ["withdrawn", "disbursed"].includes(need.status) ? "" : h("button", { type: "button", onclick: async () => {
          await call("firms", "POST", `/v1/needs/${need.need_id}/withdraw`, {}); refresh(); } }, t("withdraw"))),
      h("div", { class: "muted" }, need.terms.purpose), timeline(need))) : [h("p", { class: "muted" }, t("none"))]));
    list.querySelectorAll("[data-need]").forEach((card) => {
      if (opened.has(card.dataset.need)) card.querySelectorAll("details").forEach((d) => { d.open = true; });
    });
  };
  view.append(
    h("section", {}, h("h1", {}, `${firm.legal_name}`), h("p", { class: "muted" },
      `${firm.uscc} · ${(towns.find((x) => x.code === firm.town) || {}).name_zh || firm.town} · ${t(`size_classes.${firm.size_class}`)}`),
      h("h2", {}, t("links")), h("ul", { class: "links" }, links.map((l) => h("li", {},
        `${l.chain_master_name} · ${chainName(l.chain)} · `, h("span", { class: `status ${l.status}` }, t(`statuses.${l.status}`)),
        l.status === "confirmed" ? claimForm(l, () => route()) : ""))),
      linkForm(me, masters, () => route()),
      h("h2", {}, t("receivables")), h("ul", { id: "my-claims" }, claims.length ? claims.map((r) => h("li", {
        "data-claim": r.receivable_id }, `${claimLabel(r)} · `, h("span", { class: `status ${r.status}`, "data-status": r.status },
        t(`statuses.${r.status}`)))) : h("li", { class: "muted" }, t("none")))),
    h("section", {}, h("h2", {}, t("newNeed")), needForm(chains, claims, refresh)),
    h("section", {}, h("h2", {}, t("myNeeds")), list));
  await refresh();
  const timer = setInterval(refresh, 5000);  // the timeline follows the matcher and the bank
  return () => clearInterval(timer);
};
