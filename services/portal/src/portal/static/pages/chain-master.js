// The chain master confirms or rejects its suppliers' links and their receivables and orders (确权), and sees the
// suppliers it has confirmed.

// Confirm and reject buttons for `path` (/v1/links/<id> or /v1/receivables/<id>).
const decisionButtons = (path, done) => h("div", { class: "row" },
  h("button", { class: "primary", type: "button", "data-action": "confirm", onclick: async () => {
    await call("firms", "POST", `${path}/confirm`, {}); done(); } }, t("confirm")),
  h("button", { type: "button", "data-action": "reject", onclick: async () => {
    await call("firms", "POST", `${path}/reject`, {}); done(); } }, t("rejectLink")));

// Withdraw a confirmation given (撤销确权): a reason is required, and the page says what follows before it is sent.
const revokeForm = (path, done) => {
  const form = h("form", { class: "revoke", hidden: true },
    h("p", { class: "muted" }, t("revokeConsequence")),
    h("label", {}, t("revokeReason"), " ", h("input", { name: "reason", required: true, maxlength: 500 })),
    h("span", { class: "error", "data-error": "reason" }), h("span", { class: "error", "data-error": "_" }),
    h("div", { class: "row" }, h("button", { type: "submit", class: "danger", "data-action": "revoke-confirm" }, t("revokeConfirm")),
      h("button", { type: "button", onclick: () => { form.hidden = true; open.hidden = false; open.focus(); } }, t("cancel"))));
  const open = h("button", { type: "button", "data-action": "revoke", onclick: () => {
    form.hidden = false; open.hidden = true; form.querySelector("input").focus(); } }, t("revoke"));
  onSubmit(form, (d) => call("firms", "POST", `${path}/revoke`, { reason: d.get("reason") }), { done });
  return h("div", {}, open, form);
};

PAGES["chain-master"] = async (view) => {
  const chainName = chainNamer(await call("firms", "GET", "/v1/reference/chains"));
  const pendingLinks = h("div", { class: "cards", id: "links" });
  const claims = h("div", { class: "cards", id: "receivables" });
  const suppliers = h("div", { id: "suppliers" });
  const refresh = async () => {
    const [links, pendingClaims] = await Promise.all([call("firms", "GET", "/v1/links"),
      call("firms", "GET", "/v1/receivables?status=pending")]);
    const supplierOf = Object.fromEntries(links.map((l) => [l.link_id, l.supplier_name]));
    const pending = links.filter((l) => l.status === "pending");
    pendingLinks.replaceChildren(...(pending.length ? pending.map((l) => h("article", { class: "card", "data-link": l.link_id },
      h("strong", {}, l.supplier_name),
      h("div", { class: "muted" }, `${chainName(l.chain)} · ${t(`tiers.${l.tier}`)} · ${t("supplyValue")} ${money(l.annual_supply_value)}`),
      decisionButtons(`/v1/links/${l.link_id}`, refresh))) : [h("p", { class: "muted" }, t("none"))]));
    claims.replaceChildren(...(pendingClaims.length ? pendingClaims.map((r) => h("article", { class: "card",
      "data-claim": r.receivable_id },
      h("strong", {}, supplierOf[r.link_id] || ""),
      h("div", {}, `${t(`claimKinds.${r.kind}`)} ${money(r.amount)} ${t("yuan")} · ${t("dueDate")} ${r.due_date}`),
      decisionButtons(`/v1/receivables/${r.receivable_id}`, refresh))) : [h("p", { class: "muted" }, t("none"))]));
    const confirmed = links.filter((l) => l.status === "confirmed");
    suppliers.replaceChildren(confirmed.length ? h("table", {}, h("tr", {}, [t("supplier"), t("chain"), t("tier"),
      t("supplyValue"), ""].map((x) => h("th", {}, x))), confirmed.map((l) => h("tr", { "data-supplier-link": l.link_id },
      h("td", {}, l.supplier_name), h("td", {}, chainName(l.chain)), h("td", {}, t(`tiers.${l.tier}`)),
      h("td", { class: "num" }, money(l.annual_supply_value)), h("td", {}, revokeForm(`/v1/links/${l.link_id}`, refresh)))))
      : h("p", { class: "muted" }, t("none")));
  };
  view.append(h("section", {}, h("h1", {}, t("links")), pendingLinks),
    h("section", {}, h("h2", {}, t("receivables")), claims),
    h("section", {}, h("h2", {}, t("confirmedSuppliers")), suppliers));
  await refresh();
};
