// The bank admin's page: products with their lines (publish, change the line, stop selling), the chains the bank is
// designated for and the officers who cover them (add, pause, resume, change the load limit).

function productRow(p, chainName, refresh) {
  const used = Number(p.terms.capacity) - Number(p.remaining);
  const line = h("form", { class: "row inline", "data-form": "line" },
    h("input", { name: "capacity", value: p.terms.capacity, inputmode: "decimal", "aria-label": t("capacity"), size: 12 }),
    h("button", { type: "submit" }, t("changeLine")),
    h("span", { class: "error", "data-error": "capacity", "aria-live": "polite" }),
    h("span", { class: "error", "data-error": "_" }));
  onSubmit(line, (d) => call("banks", "PATCH", `/v1/products/${p.product_id}`, { capacity: yuan(d.get("capacity")) }),
    { done: refresh });
  const stop = h("button", { type: "button", "data-action": "withdraw", onclick: async () => {
    if (!window.confirm(t("confirmStop"))) return;
    try { await call("banks", "POST", `/v1/products/${p.product_id}/withdraw`, {}); refresh(); }
    catch (problem) { toast(problemText(problem)); }
  } }, t("stopSelling"));
  return h("tr", { "data-product": p.terms.name },
    h("td", {}, h("strong", {}, p.terms.name), h("div", { class: "muted" }, `${t(`product_types.${p.terms.product_type}`)} · ${p.terms.chains.map(chainName).join("、")}`)),
    h("td", { class: "num", "data-field": "capacity" }, money(p.terms.capacity)),
    h("td", { class: "num" }, money(p.disbursed)),
    h("td", { class: "num", "data-field": "remaining" }, money(p.remaining)),
    h("td", {}, h("meter", { min: 0, max: p.terms.capacity, value: used, "aria-label": t("used") })),
    h("td", {}, p.withdrawn ? h("span", { class: "status withdrawn" }, t("withdrawnProduct")) : h("div", { class: "row" }, line, stop)));
}

function productForm(bankId, chains, ourChains, done) {
  const today = new Date().toISOString().slice(0, 10);
  const input = (name, value, extra = {}) => h("input", { name, value, ...extra });
  const form = h("form", { class: "grid", novalidate: true, id: "new-product" },
    field("name", t("productName"), input("name", "")),
    field("product_type", t("productType"), h("select", { name: "product_type" },
      optionsOf("product_types").map(([v, label]) => h("option", { value: v }, label)))),
    field("amount_min", t("amountMin"), input("amount_min", "100000", { inputmode: "decimal" })),
    field("amount_max", t("amountMax"), input("amount_max", "5000000", { inputmode: "decimal" })),
    field("term_min_months", t("termMin"), input("term_min_months", "3", { type: "number" })),
    field("term_max_months", t("termMax"), input("term_max_months", "36", { type: "number" })),
    field("rate_min", t("rateMin"), input("rate_min", "3.00", { inputmode: "decimal" })),
    field("rate_max", t("rateMax"), input("rate_max", "5.50", { inputmode: "decimal" })),
    field("capacity", t("capacity"), input("capacity", "100000000", { inputmode: "decimal" })),
    field("active_from", t("activeFrom"), input("active_from", today, { type: "date" })),
    checks("chains", t("chain"), chains.map((c) => [c.code, chainLabel(c)]), ourChains),
    checks("size_classes", t("sizeClasses"), optionsOf("size_classes").filter(([v]) => v !== "not_sme"),
      ["medium", "small", "micro"]),
    checks("collateral_accepted", t("collateralAccepted"), optionsOf("collateral_kinds"), ["none"]),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "requires_link_confirmation" }), t("requiresLink")),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("publish")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, (d) => {
    const body = Object.fromEntries(["name", "product_type", "term_min_months", "term_max_months", "active_from"]
      .map((k) => [k, d.get(k)]));
    for (const k of ["amount_min", "amount_max", "capacity"]) body[k] = yuan(d.get(k));
    for (const k of ["rate_min", "rate_max"]) body[k] = percent(d.get(k));
    return call("banks", "POST", `/v1/banks/${bankId}/products`, { ...body, chains: d.getAll("chains"),
      size_classes: d.getAll("size_classes"), collateral_accepted: d.getAll("collateral_accepted"),
      requires_link_confirmation: d.get("requires_link_confirmation") === "on" });
  }, { done, clear: ["name"] });
}

function officerRow(o, chainName, refresh) {
  const change = async (patch, form) => {
    try { await call("banks", "PATCH", `/v1/officers/${o.officer_id}`, patch); refresh(); }
    catch (problem) { if (form) showErrors(form, problem); else toast(problemText(problem)); }
  };
  const limit = h("form", { class: "row inline" },
    h("input", { name: "max_open_matches", type: "number", value: o.profile.max_open_matches, "aria-label": t("maxOpen"),
                 style: "width:5rem" }),
    h("button", { type: "submit" }, t("maxOpen")), h("span", { class: "error", "data-error": "max_open_matches" }),
    h("span", { class: "error", "data-error": "_" }));
  limit.addEventListener("submit", (e) => { e.preventDefault(); change({ max_open_matches: new FormData(limit).get("max_open_matches") }, limit); });
  return h("tr", { "data-officer": o.profile.name },
    h("td", {}, h("strong", {}, o.profile.name), h("div", { class: "muted" }, o.profile.centre)),
    h("td", {}, o.profile.chains.map(chainName).join("、")),
    h("td", { class: "num" }, `${o.open_matches}/${o.profile.max_open_matches}`),
    h("td", {}, h("span", { class: `status ${o.profile.available ? "approved" : "withdrawn"}`, "data-available": String(o.profile.available) },
      t(o.profile.available ? "available" : "unavailable"))),
    h("td", {}, h("div", { class: "row" }, h("button", { type: "button", "data-action": "availability",
      onclick: () => change({ available: !o.profile.available }) }, t(o.profile.available ? "setUnavailable" : "setAvailable")), limit)));
}

function officerForm(bankId, chains, ourChains, done) {
  const form = h("form", { class: "grid", novalidate: true, id: "new-officer" },
    field("name", t("name"), h("input", { name: "name" })),
    field("centre", t("centre"), h("input", { name: "centre" })),
    field("max_open_matches", t("maxOpen"), h("input", { name: "max_open_matches", type: "number", value: "20" })),
    checks("chains", t("chain"), chains.map((c) => [c.code, chainLabel(c)]), ourChains),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("newOfficer")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, (d) => call("banks", "POST", `/v1/banks/${bankId}/officers`, { name: d.get("name"),
    centre: d.get("centre"), max_open_matches: d.get("max_open_matches"), chains: d.getAll("chains") }),
  { done, clear: ["name"] });
}

// Each chain the bank is designated for, with the officers on duty for it: a chain nobody covers loses its needs to
// other banks, which a bank admin wants to see before the PBOC does.
function coverageTable(designations, officers, chainName) {
  return h("table", { id: "coverage" }, h("tr", {}, [t("chain"), t("role"), t("chainLine"), t("officersOn"), t("load")]
    .map((x) => h("th", {}, x))),
    designations.map((d) => {
      const on = officers.filter((o) => o.profile.available && o.profile.chains.includes(d.chain));
      const open = on.reduce((n, o) => n + o.open_matches, 0);
      const room = on.reduce((n, o) => n + o.profile.max_open_matches, 0);
      return h("tr", { "data-chain": d.chain, class: on.length ? "" : "uncovered" },
        h("td", {}, chainName(d.chain)), h("td", {}, t(`bankRole.${d.role}`)),
        h("td", { class: "num" }, money(d.chain_credit_line)),
        h("td", {}, on.length ? on.map((o) => o.profile.name).join("、") : h("span", { class: "error" }, t("noOfficer"))),
        h("td", { class: "num" }, on.length ? `${open}/${room}` : "—"));
    }));
}

PAGES.bank = async (view) => {
  const me = session.get();
  const [chains, designations] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
                                                    call("banks", "GET", "/v1/designations")]);
  const ours = designations.filter((d) => d.bank_id === me.bank_id);
  const ourChains = [...new Set(ours.map((d) => d.chain))];
  const chainName = chainNamer(chains);
  const products = h("div", { id: "products" });
  const officers = h("div", { id: "officers" });
  const coverage = h("div");
  const refresh = async () => {
    const [productList, officerList] = await Promise.all([call("banks", "GET", `/v1/banks/${me.bank_id}/products`),
                                                          call("banks", "GET", `/v1/banks/${me.bank_id}/officers`)]);
    products.replaceChildren(h("table", {}, h("tr", {}, h("th", {}, t("productName")), h("th", { class: "num" }, t("capacity")),
      h("th", { class: "num" }, t("disbursedSoFar")), h("th", { class: "num" }, t("remaining")), h("th", {}, t("used")), h("th", {}, "")),
      productList.map((p) => productRow(p, chainName, refresh))));
    officers.replaceChildren(h("table", {}, officerList.map((o) => officerRow(o, chainName, refresh))));
    coverage.replaceChildren(coverageTable(ours, officerList, chainName));
  };
  view.append(
    h("section", {}, h("h1", {}, t("productsOf")), products),
    h("section", {}, h("h2", {}, t("newProduct")), productForm(me.bank_id, chains, ourChains, refresh)),
    h("section", {}, h("h2", {}, t("coverage")), coverage),
    h("section", {}, h("h2", {}, t("officers")), officers, h("h3", {}, t("newOfficer")),
      officerForm(me.bank_id, chains, ourChains, refresh)));
  await refresh();
};
