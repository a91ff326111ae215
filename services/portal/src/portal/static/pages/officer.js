// The officer's live queue: matches appear without reload, with the answer deadline counting down.
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

function matchCard(m, chainName, refresh) {
  const act = async (action, body, form) => {
    try { await call("banks", "POST", `/v1/matches/${m.match_id}/${action}`, body); refresh(); }
    catch (problem) { if (form) showErrors(form, problem); else toast(problemText(problem)); }
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
      h("label", {}, t("rate"), h("input", { name: "annual_rate", value: "4.00", inputmode: "decimal" }), h("span", { class: "error", "data-error": "annual_rate" })),
      h("label", {}, t("term"), h("input", { name: "term_months", type: "number", value: m.need ? m.need.terms.term_months : 12 }), h("span", { class: "error", "data-error": "term_months" })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("approve"))));
    approve.addEventListener("submit", (e) => { e.preventDefault(); const d = new FormData(approve);
      act("approve", { amount: yuan(d.get("amount")), annual_rate: percent(d.get("annual_rate")), term_months: d.get("term_months") }, approve); });
    const reject = h("form", { class: "row" }, reasonSelect("reason", ["credit_history", "insufficient_cash_flow",
      "insufficient_collateral", "chain_relation_unverified", "policy_restriction", "firm_withdrew", "other"]),
      h("button", { type: "submit" }, t("reject")));
    reject.addEventListener("submit", (e) => { e.preventDefault(); act("reject", { reason: new FormData(reject).get("reason") }, reject); });
    forms.push(approve, reject);
  }
  if (m.status === "approved") {
    const disburse = h("form", { class: "grid", "data-form": "disburse" },
      h("label", {}, t("amount"), h("input", { name: "amount", value: m.approved.amount }), h("span", { class: "error", "data-error": "amount" })),
      h("label", {}, t("date"), h("input", { name: "disbursed_on", type: "date", value: new Date().toLocaleDateString("sv-SE") })),
      h("div", {}, h("button", { class: "primary", type: "submit" }, t("disburse"))));
    disburse.addEventListener("submit", (e) => { e.preventDefault(); const d = new FormData(disburse);
      act("disburse", { amount: yuan(d.get("amount")), disbursed_on: d.get("disbursed_on") }, disburse); });
    forms.push(disburse);
  }
  const p = m.proposal;
  return h("article", { class: "card", "data-match": m.match_id, "data-need": m.need_id },
    h("div", { class: "row" }, h("strong", {}, m.firm ? m.firm.legal_name : t("notDisclosed")),
      h("span", { class: `status ${m.status}`, "data-status": m.status }, t(`statuses.${m.status}`)),
      m.status === "proposed" ? h("span", {}, `${t("answerBy")} `, countdown(m.answer_by)) : ""),
    m.firm ? h("div", { class: "muted" }, `${m.firm.contact_name} · ${m.firm.contact_phone}`) : "",
    m.need ? h("div", {}, `${money(m.need.terms.amount)} ${t("yuan")} · ${m.need.terms.term_months} ${t("months")} · ${m.need.terms.purpose} · ${chainName(m.need.chain)}`) : "",
    h("details", {}, h("summary", {}, `${p.product_name} · ${t("score")} ${p.score}`),
      h("ul", {}, (p.components || []).map((c) => h("li", {}, `${c.explanation} (${c.value} × ${c.weight})`)))),
    h("div", { class: "row" }, forms));
}

PAGES.officer = async (view) => {
  const chains = await call("firms", "GET", "/v1/reference/chains");
  const chainName = chainNamer(chains);
  const queue = h("div", { class: "cards", id: "queue" });
  const done = h("div", { id: "closed" });
  const shown = new Map();  // match id → { version, card }: a card the officer is working on is redrawn only if it changed
  const refresh = async () => {
    const matches = await call("banks", "GET", "/v1/matches?limit=100");
    const open = matches.filter((m) => ["proposed", "accepted", "approved"].includes(m.status));
    const cards = open.map((m) => {
      const version = `${m.status}|${m.updated_at}`;
      const known = shown.get(m.match_id);
      if (known && known.version === version) return known.card;
      const card = matchCard(m, chainName, refresh);
      shown.set(m.match_id, { version, card });
      return card;
    });
    queue.replaceChildren(...(cards.length ? cards : [h("p", { class: "muted" }, t("none"))]));
    const closed = matches.filter((m) => !["proposed", "accepted", "approved"].includes(m.status))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at)).slice(0, 20);
    done.replaceChildren(closed.length ? h("table", {}, closed.map((m) => h("tr", { "data-match": m.match_id },
      h("td", {}, new Date(m.updated_at).toLocaleString()), h("td", {}, m.firm ? m.firm.legal_name : t("notDisclosed")),
      h("td", { class: "num" }, m.need ? `${money(m.disbursed_amount ?? m.need.terms.amount)} ${t("yuan")}` : ""),
      h("td", {}, h("span", { class: `status ${m.status}`, "data-status": m.status }, t(`statuses.${m.status}`))))))
      : h("p", { class: "muted" }, t("none")));
  };
  view.append(h("section", {}, h("h1", {}, t("queue"), " ", h("span", { class: "status", id: "live" }, t("live"))), queue),
    h("section", {}, h("h2", {}, t("recentlyClosed")), done));
  await refresh();
  const stop = new AbortController();
  follow("banks", "/v1/matches/stream", () => refresh(), stop.signal);  // no reload: the stream redraws the queue
  return () => stop.abort();
};
