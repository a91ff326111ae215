// The chain master confirms or rejects its suppliers' links and receivables (确权).
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
