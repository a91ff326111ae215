// The SME's pages: registration (USCC checked as typed), supplier links, needs with their timelines.
// The consent (授权): whom the firm's identity goes to, what exactly, until when — said in full as it is chosen.
function consentBox(until) {
  const scope = h("select", { name: "consent_scope" }, h("option", { value: "" }, t("pickOne")),
    ["lead_bank_only", "chain_banks", "any_eligible_bank"].map((x) => h("option", { value: x }, t(`scopes.${x}`))));
  const date = h("input", { name: "consent_until", type: "date", value: until });
  const text = h("p", { class: "consent-text", id: "consent-text", "aria-live": "polite" });
  const say = () => {
    text.textContent = scope.value ? fill(t("consentFull"), { who: t(`consentWho.${scope.value}`), until: date.value }) : "";
  };
  scope.addEventListener("change", say);
  date.addEventListener("change", say);
  return h("fieldset", { class: "consent" }, h("legend", {}, t("consentTitle")),
    field("consent_scope", t("consent"), scope), field("consent_until", t("consentUntil"), date), text);
}

function needForm(chains, claims, onDone) {
  const until = beijingDay(180);
  const form = h("form", { class: "grid", novalidate: true, id: "need-form" },
    field("chain", t("chain"), h("select", { name: "chain" }, chains.map((c) => h("option", { value: c.code }, chainLabel(c))))),
    field("amount", t("amount"), h("input", { name: "amount", inputmode: "decimal", value: "1000000" })),
    field("term_months", t("term"), h("input", { name: "term_months", type: "number", value: "12" })),
    field("purpose", t("purpose"), h("input", { name: "purpose", value: "采购原材料" })),
    field("max_annual_rate", t("maxRate"), h("input", { name: "max_annual_rate", inputmode: "decimal", value: "5.5" })),
    checks("product_types", t("products"), optionsOf("product_types"), []),
    checks("collateral", t("collateral"), optionsOf("collateral_kinds"), ["none"]),
    field("receivable_id", t("receivableForNeed"), h("select", { name: "receivable_id" },
      h("option", { value: "" }, t("noneOption")), claims.filter((r) => r.status === "confirmed").map((r) =>
        h("option", { value: r.receivable_id }, claimLabel(r))))),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "first_loan" }), t("firstLoan")),
    consentBox(until),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("submit")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, (data) => call("firms", "POST", "/v1/needs", {
    chain: data.get("chain"), amount: yuan(data.get("amount")), term_months: data.get("term_months"),
    purpose: data.get("purpose"), max_annual_rate: data.get("max_annual_rate") ? percent(data.get("max_annual_rate")) : null,
    consent_scope: data.get("consent_scope") || null, consent_until: data.get("consent_until"),
    product_types: data.getAll("product_types"), collateral: data.getAll("collateral"),
    first_loan: data.get("first_loan") === "on", receivable_id: data.get("receivable_id") || null,
  }, { "Idempotency-Key": crypto.randomUUID() }), { done: onDone });
}

// The five stages of a need, the one it is at, and what happens now with the time left as a duration.
const STAGES = ["submitted", "matched", "contacted", "approved", "disbursed"];
const STAGE_OF = { submitted: 0, matched: 1, escalated: 1, contacted: 2, approved: 3, rejected: 3, disbursed: 4 };

function stageBar(need) {
  const reached = STAGE_OF[need.status] ?? -1;
  const proposal = [...need.timeline].reverse().find((e) => ["matched", "rerouted"].includes(e.milestone));
  const now = need.status === "matched" && proposal && proposal.detail.answer_by
    ? h("span", { "data-due": proposal.detail.answer_by }, dueText(proposal.detail.answer_by))
    : t(`stageNow.${need.status}`);
  const stopped = ["escalated", "rejected", "withdrawn"].includes(need.status);
  return h("div", { class: `stages${stopped ? " stopped" : ""}`, "data-stage": STAGES[reached] || need.status },
    h("ol", { class: "stage-bar", "aria-label": t("myNeeds") }, STAGES.map((stage, i) => h("li", {
      class: i < reached || need.status === "disbursed" ? "done" : i === reached ? "current" : "",
      "aria-current": i === reached ? "step" : null }, t(`stages.${stage}`)))),
    h("p", { class: "stage-now", "data-stage-now": need.status }, now));
}

function dueText(answerBy) {
  const left = (new Date(answerBy) - Date.now()) / 1000;
  return left > 0 ? fill(t("stageNow.matched"), { left: duration(left) }) : t("stageNow.matchedLate");
}


// What each milestone means for the SME, in words: who, how much, why, and what it can change.
function milestoneDetail(e) {
  const d = e.detail;
  switch (e.milestone) {
    case "matched": case "rerouted":
      return [h("div", {}, `${d.bank_name} · ${d.product_name} · ${t("officer")} ${d.officer_name}`),
        d.components ? whyThisBank(d.components, d.score) : ""];
    case "declined":
      return h("div", { class: "muted", "data-reason": d.reason }, fill(t("declineWhy"), { reason: t(`reasons.${d.reason}`) }));
    case "approved":
      return h("div", { "data-terms": "approved" }, fill(t("approvedTerms"), { amount: money(d.amount), rate: pct(d.annual_rate),
        term: d.term_months }));
    case "disbursed":
      return h("div", { "data-terms": "disbursed" }, fill(t("disbursedTerms"), { amount: money(d.amount), date: d.disbursed_on }));
    case "rejected":
      return h("div", { class: "muted", "data-reason": d.reason },
        `${t("reason")}：${t(`reasons.${d.reason}`)}。${(TEXT[LANG].rejectAdvice || {})[d.reason] || ""}`);
    case "escalated":
      return [d.reasons && d.reasons.length ? h("ul", { class: "why" }, d.reasons.map((r) => h("li", { "data-code": r.code },
        fill(t(`why.${r.code}`), r.params), r.products ? h("span", { class: "muted" }, ` · ${fill(t("products_n"), { n: r.products })}`) : "")))
        : "", h("p", { class: "muted" }, t("escalatedAdvice"))];
    case "confirmation_revoked":
      return d.reason ? h("span", { class: "muted" }, `${t("reason")}：${d.reason}`) : "";
    default:
      return "";
  }
}

function timeline(need) {
  return h("ol", { class: "timeline" }, need.timeline.map((e) => h("li", { "data-milestone": e.milestone,
    "data-bank": e.detail.bank_name || "", "data-officer": e.detail.officer_name || "" },
    h("span", { class: "muted" }, new Date(e.at).toLocaleString(), " "), h("strong", {}, t(`milestones.${e.milestone}`)),
    milestoneDetail(e))));
}

// Changing a need that no bank holds (not matched yet, or escalated): the terms a bank looks at, matched again.
function amendForm(need, done) {
  const terms = need.terms;
  const form = h("form", { class: "grid", novalidate: true, "data-form": "amend" },
    field("amount", t("amount"), h("input", { name: "amount", inputmode: "decimal", value: money(terms.amount) })),
    field("term_months", t("term"), h("input", { name: "term_months", type: "number", value: terms.term_months })),
    field("max_annual_rate", t("maxRate"), h("input", { name: "max_annual_rate", inputmode: "decimal",
      value: terms.max_annual_rate ? pct(terms.max_annual_rate).replace("%", "") : "" })),
    field("consent_scope", t("consent"), h("select", { name: "consent_scope" }, ["lead_bank_only", "chain_banks",
      "any_eligible_bank"].map((x) => h("option", { value: x, selected: x === terms.consent_scope }, t(`scopes.${x}`))))),
    checks("product_types", t("products"), optionsOf("product_types"), terms.product_types),
    checks("collateral", t("collateral"), optionsOf("collateral_kinds"), terms.collateral),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("amendSave")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, (d) => call("firms", "PATCH", `/v1/needs/${need.need_id}`, {
    amount: yuan(d.get("amount")), term_months: d.get("term_months"),
    max_annual_rate: d.get("max_annual_rate") ? percent(d.get("max_annual_rate")) : null,
    consent_scope: d.get("consent_scope"), product_types: d.getAll("product_types"), collateral: d.getAll("collateral"),
  }), { done });
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
        contact: { name: d.get("contact_name"), phone: d.get("contact_phone").replace(/[\s()（）]/g, "") } });
      route();
    } catch (problem) {
      problem.errors = problem.errors.map((e) => ({ ...e, pointer: e.pointer.replace("/contact/phone", "/contact_phone").replace("/contact/name", "/contact") }))
        .map((e) => (e.pointer === "/contact_phone" && e.code === "string_pattern_mismatch" ? { ...e, code: "phone_invalid" } : e));
      showErrors(form, problem);
    }
  });
  view.append(h("section", {}, h("h1", {}, LANG === "zh" ? "企业注册" : "Register the firm"), form));
}

const claimLabel = (r) => `${t(`claimKinds.${r.kind}`)} ${money(r.amount)} ${t("yuan")} · ${t("dueDate")} ${r.due_date}`;

// A receivable or an order on a confirmed link, for the chain master to confirm (确权): products that lend against
// confirmed receivables need one.
function claimForm(link, done) {
  const due = beijingDay(90);
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

function linkForm(me, masters, chainName, done) {
  const form = h("form", { class: "row", id: "declare-link" },
    h("select", { name: "master", "aria-label": t("roles.chain_master") }, masters.flatMap((m) => m.chains.map((c) =>
      h("option", { value: `${m.firm_id}|${c}` }, `${m.legal_name} · ${chainName(c)}`)))),
    h("select", { name: "tier", "aria-label": t("tier") }, ["tier_1", "tier_2", "tier_3"].map((x) => h("option", { value: x }, t(`tiers.${x}`)))),
    h("input", { name: "annual_supply_value", "aria-label": t("supplyValue"), value: "5000000" }),
    h("button", { type: "submit" }, LANG === "zh" ? "申报供货关系" : "Declare supplying"),
    h("span", { class: "error", "data-error": "annual_supply_value", "aria-live": "polite" }),
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
  const form = needForm(chains, claims, () => refresh());
  const refresh = async () => {
    const needs = await call("firms", "GET", "/v1/needs");
    const details = await Promise.all(needs.map((n) => call("firms", "GET", `/v1/needs/${n.need_id}`)));
    // Redrawn only when a need changed, in one go (an overlapping refresh cannot interleave cards): a card being read
    // keeps its open explanation, and a keyboard user keeps their place.
    const version = details.map((n) => `${n.need_id}|${n.status}|${n.updated_at}|${n.timeline.length}`).join(",");
    if (version === list.dataset.version) return;
    list.dataset.version = version;
    const opened = new Set([...list.querySelectorAll("details[open]")].map((d) => d.closest("[data-need]").dataset.need));
    list.replaceChildren(...(details.length ? details.map((need) => needCard(need, form, refresh))
      : [h("p", { class: "muted" }, t("none"))]));
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
      linkForm(me, masters, chainName, () => route()),
      h("h2", {}, t("receivables")), h("ul", { id: "my-claims" }, claims.length ? claims.map((r) => h("li", {
        "data-claim": r.receivable_id }, `${claimLabel(r)} · `, h("span", { class: `status ${r.status}`, "data-status": r.status },
        t(`statuses.${r.status}`)))) : h("li", { class: "muted" }, t("none")))),
    h("section", {}, h("h2", {}, t("newNeed")), form),
    h("section", {}, h("h2", {}, t("myNeeds")), list));
  await refresh();
  const timer = setInterval(refresh, 5000);  // the timeline follows the matcher and the bank
  const ticking = setInterval(() => view.querySelectorAll("[data-due]").forEach((el) => {
    el.textContent = dueText(el.dataset.due);
  }), 1000);
  return () => { clearInterval(timer); clearInterval(ticking); };
};

// One need: its stage, its story, and what the SME can do now (change it, withdraw it, start again from it).
function needCard(need, form, refresh) {
  const live = !["withdrawn", "disbursed", "rejected"].includes(need.status);
  const withdraw = live ? h("button", { type: "button", "data-action": "withdraw", onclick: async () => {
    const sure = await confirmAction({ title: t("withdrawTitle"), body: t("withdrawBody"), confirm: t("withdrawConfirm") });
    if (!sure) return;
    try { await call("firms", "POST", `/v1/needs/${need.need_id}/withdraw`, {}); refresh(); }
    catch (problem) { toast(problemText(problem)); }
  } }, t("withdraw")) : "";
  const amend = ["submitted", "escalated"].includes(need.status)
    ? h("details", { class: "amend" }, h("summary", {}, t("amend")), amendForm(need, refresh)) : "";
  const again = ["rejected", "withdrawn"].includes(need.status) ? h("button", { type: "button", "data-action": "resubmit",
    onclick: () => prefill(form, need) }, t("resubmit")) : "";
  return h("article", { class: "card", "data-need": need.need_id },
    h("div", { class: "row" }, h("strong", {}, `${money(need.terms.amount)} ${t("yuan")} · ${need.terms.term_months} ${t("months")}`),
      h("span", { class: `status ${need.status}`, "data-status": need.status }, t(`statuses.${need.status}`)), withdraw, again),
    h("div", { class: "muted" }, need.terms.purpose), stageBar(need), timeline(need), amend);
}

// The new-need form filled from an earlier need, to change what stopped it and submit again.
function prefill(form, need) {
  const set = (name, value) => { const el = form.querySelector(`[name="${name}"]`); if (el) el.value = value ?? ""; };
  set("chain", need.chain);
  set("amount", money(need.terms.amount));
  set("term_months", need.terms.term_months);
  set("purpose", need.terms.purpose);
  set("max_annual_rate", need.terms.max_annual_rate ? pct(need.terms.max_annual_rate).replace("%", "") : "");
  form.querySelectorAll('[name="product_types"], [name="collateral"]').forEach((box) => {
    box.checked = (need.terms[box.name] || []).includes(box.value);
  });
  form.scrollIntoView();
  form.querySelector('[name="amount"]').focus();
}
