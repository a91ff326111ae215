// The officer's live queue: matches appear without reload, each with the time left to answer as a duration; a card
// whose time ran out is greyed and says why (the matcher is passing it on). Counts by state, a sort and filters keep
// a long queue workable. Passing a match on and refusing a loan are confirmed first, with a reason chosen (never
// pre-selected) and the consequence said.

function countdown(due, card) {
  const el = h("span", { class: "due", "data-due-at": due });
  const tick = () => {
    const left = (new Date(due) - Date.now()) / 1000;
    el.textContent = left > 0 ? `${t("left")} ${duration(left)}` : t("expiredNow");
    el.classList.toggle("late", left <= 60);
    if (left <= 0 && card) expire(card);
  };
  el.tick = tick;
  return el;
}

// Out of time: the card stays for reference, its actions go.
function expire(card) {
  if (card.classList.contains("expired")) return;
  card.classList.add("expired");
  card.querySelectorAll("button, select, input").forEach((el) => { el.disabled = true; });
  card.append(h("p", { class: "expired-note", role: "status" }, t("expiredCard")));
}

const DECLINE_REASONS = ["outside_appetite", "capacity_exhausted", "insufficient_information", "conflict_of_interest",
  "officer_unavailable", "other"];
const REJECT_REASONS = ["credit_history", "insufficient_cash_flow", "insufficient_collateral", "chain_relation_unverified",
  "policy_restriction", "firm_withdrew", "other"];

function matchCard(m, chainName, refresh) {
  const act = async (action, body, form) => {
    try { await call("banks", "POST", `/v1/matches/${m.match_id}/${action}`, body); refresh(); }
    catch (problem) { if (form) showErrors(form, problem); else toast(problemText(problem)); }
  };
  // A reason first (none chosen for the officer), then the consequence to confirm.
  const guarded = (action, reasons, label, consequence) => {
    const form = h("form", { class: "row", "data-form": action }, h("select", { name: "reason", "aria-label": t("reason") },
      h("option", { value: "" }, t("chooseReason")), reasons.map((v) => h("option", { value: v }, t(`reasons.${v}`)))),
      h("button", { type: "submit" }, label), h("span", { class: "error", "data-error": "reason", "aria-live": "polite" }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const reason = new FormData(form).get("reason");
      if (!reason) {
        showErrors(form, { errors: [{ pointer: "/reason", code: "choose_reason", detail: t("chooseReason") }] });
        return;
      }
      const sure = await confirmAction({ title: `${label}？`, confirm: label,
        body: fill(consequence, { reason: t(`reasons.${reason}`) }) });
      if (sure) act(action, { reason }, form);
    });
    return form;
  };
  const forms = [];
  if (m.status === "proposed") {
    forms.push(h("button", { class: "primary", type: "button", "data-action": "accept", onclick: () => act("accept") }, t("accept")),
      guarded("decline", DECLINE_REASONS, t("decline"), t("declineConsequence")));
  }
  if (m.status === "accepted") {
    const approve = h("form", { class: "grid", "data-form": "approve" },
      h("label", {}, t("amount"), h("input", { name: "amount", value: m.need ? money(m.need.terms.amount) : "" }), h("span", { class: "error", "data-error": "amount" })),
      h("label", {}, t("rate"), h("input", { name: "annual_rate", value: "4.00", inputmode: "decimal" }), h("span", { class: "error", "data-error": "annual_rate" })),
      h("label", {}, t("term"), h("input", { name: "term_months", type: "number", value: m.need ? m.need.terms.term_months : 12 }), h("span", { class: "error", "data-error": "term_months" })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("approve"))));
    approve.addEventListener("submit", (e) => { e.preventDefault(); const d = new FormData(approve);
      act("approve", { amount: yuan(d.get("amount")), annual_rate: percent(d.get("annual_rate")), term_months: d.get("term_months") }, approve); });
    forms.push(approve, guarded("reject", REJECT_REASONS, t("reject"), t("rejectConsequence")));
  }
  if (m.status === "approved") {
    const disburse = h("form", { class: "grid", "data-form": "disburse" },
      h("label", {}, t("amount"), h("input", { name: "amount", value: m.approved.amount }), h("span", { class: "error", "data-error": "amount" })),
      h("label", {}, t("date"), h("input", { name: "disbursed_on", type: "date", value: beijingDay() })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("disburse"))));
    disburse.addEventListener("submit", (e) => { e.preventDefault(); const d = new FormData(disburse);
      act("disburse", { amount: yuan(d.get("amount")), disbursed_on: d.get("disbursed_on") }, disburse); });
    forms.push(disburse);
  }
  const p = m.proposal;
  const card = h("article", { class: "card", "data-match": m.match_id, "data-need": m.need_id, "data-state": m.status,
    "data-chain": m.need ? m.need.chain : "" });
  const facts = m.need && m.need.firm ? m.need.firm : null;  // the firm's facts, without its identity
  card.append(
    h("div", { class: "row" }, h("strong", {}, m.firm ? m.firm.legal_name : t("notDisclosed")),
      h("span", { class: `status ${m.status}`, "data-status": m.status }, t(`statuses.${m.status}`)),
      m.status === "proposed" ? countdown(m.answer_by, card) : ""),
    m.firm ? h("div", { class: "muted" }, `${m.firm.contact_name} · ${m.firm.contact_phone}`) : "",
    facts ? h("div", { class: "muted", "data-facts": "" }, [t(`size_classes.${facts.size_class}`),
      `${facts.employees} ${t("people")}`,
      ...(facts.revenue_last_year != null ? [`${t("revenue")} ${money(facts.revenue_last_year)} ${t("yuan")}`] : []),
      ...(facts.honours || []).map((x) => (TEXT[LANG].honourNames || {})[x.code] || x.code)].join(" · ")) : "",
    m.need ? h("div", {}, `${money(m.need.terms.amount)} ${t("yuan")} · ${m.need.terms.term_months} ${t("months")} · ${m.need.terms.purpose} · ${chainName(m.need.chain)}`) : "",
    h("div", { class: "muted" }, `${p.product_name}`),
    p.components ? whyThisBank(p.components, p.score) : "",
    h("div", { class: "row" }, forms));
  card.querySelectorAll(".due").forEach((el) => el.tick());  // the time left shows at once, then every second
  return card;
}

// Counts by state, a sort and filters over the open matches.
function queueTools(state, chainName, redraw) {
  const counts = h("p", { class: "row", id: "queue-counts" });
  const select = (name, label, options) => h("label", {}, label, h("select", { name, onchange: (e) => {
    state[name] = e.target.value; redraw(); } }, options.map(([v, text]) => h("option", { value: v, selected: state[name] === v }, text))));
  const tools = h("div", { class: "row tools", id: "queue-tools" },
    select("sort", t("sortBy"), [["deadline", t("sortDeadline")], ["newest", t("sortNewest")], ["amount", t("sortAmount")]]),
    select("state", t("status"), [["", t("all")], ...["proposed", "accepted", "approved"].map((x) => [x, t(`statuses.${x}`)])]),
    select("chain", t("chain"), [["", t("all")], ...state.chains.map((c) => [c, chainName(c)])]));
  return { counts, tools };
}

PAGES.officer = async (view) => {
  const chains = await call("firms", "GET", "/v1/reference/chains");
  const chainName = chainNamer(chains);
  const queue = h("div", { class: "cards", id: "queue" });
  const done = h("div", { id: "closed" });
  const shown = new Map();  // match id → { version, card }: a card the officer is working on is redrawn only if it changed
  const state = { sort: "deadline", state: "", chain: "", chains: [], open: [] };
  const order = {
    deadline: (a, b) => (a.answer_by || "9").localeCompare(b.answer_by || "9"),
    newest: (a, b) => b.received_at.localeCompare(a.received_at),
    amount: (a, b) => Number(b.need ? b.need.terms.amount : 0) - Number(a.need ? a.need.terms.amount : 0),
  };
  const draw = () => {
    const by = (s) => state.open.filter((m) => m.status === s).length;
    tools.counts.replaceChildren(...["proposed", "accepted", "approved"].map((s) => h("span", { class: `status ${s}`,
      "data-count": s }, `${t(`statuses.${s}`)} ${by(s)}`)));
    const visible = state.open.filter((m) => (!state.state || m.status === state.state)
      && (!state.chain || (m.need && m.need.chain === state.chain))).sort(order[state.sort]);
    const cards = visible.map((m) => {
      const version = `${m.status}|${m.updated_at}`;
      const known = shown.get(m.match_id);
      if (known && known.version === version) return known.card;
      const card = matchCard(m, chainName, refresh);
      shown.set(m.match_id, { version, card });
      return card;
    });
    queue.replaceChildren(...(cards.length ? cards : [h("p", { class: "muted" }, t("none"))]));
  };
  const tools = queueTools(state, chainName, draw);
  const refresh = async () => {
    const matches = await call("banks", "GET", "/v1/matches?limit=200");
    state.open = matches.filter((m) => ["proposed", "accepted", "approved"].includes(m.status));
    state.chains = [...new Set(state.open.map((m) => m.need && m.need.chain).filter(Boolean))];
    draw();
    const closed = matches.filter((m) => !["proposed", "accepted", "approved"].includes(m.status))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at)).slice(0, 20);
    done.replaceChildren(closed.length ? h("table", {}, closed.map((m) => h("tr", { "data-match": m.match_id },
      h("td", {}, new Date(m.updated_at).toLocaleString()), h("td", {}, m.firm ? m.firm.legal_name : t("notDisclosed")),
      h("td", { class: "num" }, m.need ? `${money(m.disbursed_amount ?? m.need.terms.amount)} ${t("yuan")}` : ""),
      h("td", {}, h("span", { class: `status ${m.status}`, "data-status": m.status }, t(`statuses.${m.status}`))))))
      : h("p", { class: "muted" }, t("none")));
  };
  view.append(h("section", {}, h("h1", {}, t("queue"), " ", h("span", { class: "status", id: "live" }, t("live"))),
    tools.counts, tools.tools, queue),
    h("section", {}, h("h2", {}, t("recentlyClosed")), done));
  await refresh();
  const stop = new AbortController();
  follow("banks", "/v1/matches/stream", () => refresh(), stop.signal);  // no reload: the stream redraws the queue
  const ticking = setInterval(() => view.querySelectorAll(".due").forEach((el) => el.tick && el.tick()), 1000);
  return () => { stop.abort(); clearInterval(ticking); };
};
