// The bank admin's page: products with their lines (publish, change the line, stop selling), the chains the bank is
// designated for and the officers who cover them (add, pause, resume, change the load limit).

// A product's terms in words, as the bank admin set them (and as the matcher applies them).
function termsList(terms, chainName, townName) {
  const list = (xs, words) => (xs && xs.length ? xs.map(words).join("、") : "");
  const honour = (x) => t(`honourNames.${x}`);
  const rows = [
    [t("productType"), t(`product_types.${terms.product_type}`)],
    [t("amountRange"), `${money(terms.amount_min)} – ${money(terms.amount_max)} ${t("yuan")}`],
    [t("termRange"), `${terms.term_min_months} – ${terms.term_max_months} ${t("months")}`],
    [t("rateRange"), `${pct(terms.rate_min)} – ${pct(terms.rate_max)}`],
    [t("chain"), list(terms.chains, chainName)],
    [t("townsServed"), list(terms.towns, townName) || t("everyTown")],
    [t("sizeClasses"), list(terms.size_classes, (x) => t(`size_classes.${x}`))],
    [t("honoursRequired"), list(terms.honours_required, honour) || t("noneNeeded")],
    [t("honoursFavoured"), list(terms.honours_favoured, honour) || t("noneNeeded")],
    [t("requiresLink"), terms.requires_link_confirmation ? t("yes") : t("no")],
    [t("requiresClaim"), terms.requires_receivable_confirmation ? t("yes") : t("no")],
    [t("collateralAccepted"), list(terms.collateral_accepted, (x) => t(`collateral_kinds.${x}`))],
    [t("capacity"), `${money(terms.capacity)} ${t("yuan")}`],
    [t("activeFrom"), `${terms.active_from}${terms.active_until ? ` – ${terms.active_until}` : ""}`],
  ];
  return h("dl", { class: "terms" }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// The fields of a product's terms, for publishing (`fresh`) or changing one: the same words and the same checks.
function termFields(terms, chains, towns, { fresh }) {
  const input = (name, value, extra = {}) => h("input", { name, value: value ?? "", ...extra });
  return [
    field("name", t("productName"), input("name", terms.name)),
    fresh ? field("product_type", t("productType"), h("select", { name: "product_type" }, h("option", { value: "" }, t("pickOne")),
      optionsOf("product_types").map(([v, label]) => h("option", { value: v }, label)))) : "",
    field("amount_min", t("amountMin"), input("amount_min", terms.amount_min && money(terms.amount_min), { inputmode: "decimal" })),
    field("amount_max", t("amountMax"), input("amount_max", terms.amount_max && money(terms.amount_max), { inputmode: "decimal" })),
    field("term_min_months", t("termMin"), input("term_min_months", terms.term_min_months, { type: "number" })),
    field("term_max_months", t("termMax"), input("term_max_months", terms.term_max_months, { type: "number" })),
    field("rate_min", t("rateMin"), input("rate_min", terms.rate_min && pct(terms.rate_min).replace("%", ""), { inputmode: "decimal" })),
    field("rate_max", t("rateMax"), input("rate_max", terms.rate_max && pct(terms.rate_max).replace("%", ""), { inputmode: "decimal" })),
    field("capacity", t("capacity"), input("capacity", terms.capacity && money(terms.capacity), { inputmode: "decimal" })),
    fresh ? field("active_from", t("activeFrom"), input("active_from", terms.active_from, { type: "date" })) : "",
    field("active_until", t("activeUntil"), input("active_until", terms.active_until, { type: "date" })),
    checks("chains", t("chain"), chains.map((c) => [c.code, chainLabel(c)]), terms.chains || []),
    checks("size_classes", t("sizeClasses"), optionsOf("size_classes").filter(([v]) => v !== "not_sme"), terms.size_classes || []),
    checks("collateral_accepted", t("collateralAccepted"), optionsOf("collateral_kinds"), terms.collateral_accepted || []),
    checks("honours_required", t("honoursRequired"), optionsOf("honourNames"), terms.honours_required || []),
    checks("honours_favoured", t("honoursFavoured"), optionsOf("honourNames"), terms.honours_favoured || []),
    h("details", { class: "towns" }, h("summary", {}, `${t("townsServed")}（${t("everyTownIfNone")}）`),
      checks("towns", t("townsServed"), towns.map((x) => [x.code, LANG === "zh" ? x.name_zh : x.code]), terms.towns || [])),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "requires_link_confirmation",
      checked: Boolean(terms.requires_link_confirmation) }), t("requiresLink")),
    h("label", { class: "row" }, h("input", { type: "checkbox", name: "requires_receivable_confirmation",
      checked: Boolean(terms.requires_receivable_confirmation) }), t("requiresClaim")),
  ];
}

function termsBody(d, { fresh }) {
  const body = { name: d.get("name"), term_min_months: d.get("term_min_months"), term_max_months: d.get("term_max_months"),
    active_until: d.get("active_until") || null, chains: d.getAll("chains"), size_classes: d.getAll("size_classes"),
    collateral_accepted: d.getAll("collateral_accepted"), honours_required: d.getAll("honours_required"),
    honours_favoured: d.getAll("honours_favoured"), towns: d.getAll("towns"),
    requires_link_confirmation: d.get("requires_link_confirmation") === "on",
    requires_receivable_confirmation: d.get("requires_receivable_confirmation") === "on" };
  if (fresh) Object.assign(body, { product_type: d.get("product_type") || null, active_from: d.get("active_from") });
  for (const k of ["amount_min", "amount_max", "capacity"]) body[k] = yuan(d.get(k));
  for (const k of ["rate_min", "rate_max"]) body[k] = percent(d.get(k));
  return body;
}

// Ranges that run backwards, found here so they are reported together with the service's field errors (the service
// checks them only once every field is valid).
function inverted(d) {
  const num = (name, read = Number) => { const v = read(d.get(name)); return Number.isFinite(Number(v)) && d.get(name) !== "" ? Number(v) : null; };
  const pairs = [["amount_min", "amount_max", yuan, "amount_range_inverted"], ["term_min_months", "term_max_months", Number, "term_range_inverted"],
    ["rate_min", "rate_max", percent, "rate_range_inverted"]];
  return pairs.filter(([lo, hi, read]) => { const a = num(lo, read), b = num(hi, read); return a !== null && b !== null && a > b; })
    .map(([lo, , , code]) => ({ pointer: `/${lo}`, code, detail: code }));
}

async function sendTerms(form, send) {
  const d = new FormData(form);
  try {
    await send(d);
  } catch (problem) {
    if (problem.status === 422) {
      const named = new Set(problem.errors.map((e) => e.pointer));
      problem.errors = [...problem.errors, ...inverted(d).filter((e) => !named.has(e.pointer))];
    }
    throw problem;
  }
}

function productRow(p, chainName, townName, chains, towns, refresh) {
  const used = Number(p.terms.capacity) - Number(p.remaining);
  const edit = h("form", { class: "grid", novalidate: true, "data-form": "edit-product" },
    ...termFields(p.terms, chains, towns, { fresh: false }),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("saveTerms")), h("p", { class: "error", "data-error": "_" })));
  onSubmit(edit, () => sendTerms(edit, (d) => call("banks", "PATCH", `/v1/products/${p.product_id}`, termsBody(d, { fresh: false }))),
    { done: refresh });
  const line = h("form", { class: "row inline", "data-form": "line" },
    h("input", { name: "capacity", value: money(p.terms.capacity), inputmode: "decimal", "aria-label": t("capacity"), size: 12 }),
    h("button", { type: "submit" }, t("changeLine")),
    h("span", { class: "error", "data-error": "capacity", "aria-live": "polite" }),
    h("span", { class: "error", "data-error": "_" }));
  onSubmit(line, (d) => call("banks", "PATCH", `/v1/products/${p.product_id}`, { capacity: yuan(d.get("capacity")) }),
    { done: refresh });
  const stop = h("button", { type: "button", "data-action": "withdraw", onclick: async () => {
    const sure = await confirmAction({ title: fill(t("stopTitle"), { name: p.terms.name }), body: t("confirmStop"),
      confirm: t("stopSelling") });
    if (!sure) return;
    try { await call("banks", "POST", `/v1/products/${p.product_id}/withdraw`, {}); refresh(); }
    catch (problem) { toast(problemText(problem)); }
  } }, t("stopSelling"));
  return h("tr", { "data-product": p.terms.name },
    h("td", {}, h("strong", {}, p.terms.name), h("div", { class: "muted" }, `${t(`product_types.${p.terms.product_type}`)} · ${p.terms.chains.map(chainName).join("、")}`),
      h("details", { "data-terms": "" }, h("summary", {}, t("productTerms")), termsList(p.terms, chainName, townName),
        p.withdrawn ? "" : h("details", {}, h("summary", {}, t("editTerms")), edit))),
    h("td", { class: "num", "data-field": "capacity" }, money(p.terms.capacity)),
    h("td", { class: "num" }, money(p.disbursed)),
    h("td", { class: "num", "data-field": "remaining" }, money(p.remaining)),
    h("td", {}, h("meter", { min: 0, max: p.terms.capacity, value: used, "aria-label": t("used") })),
    h("td", {}, p.withdrawn ? h("span", { class: "status withdrawn" }, t("withdrawnProduct")) : h("div", { class: "row" }, line, stop)));
}

function productForm(bankId, chains, towns, ourChains, done) {
  const today = beijingDay();
  const blank = { amount_min: "100000", amount_max: "5000000", term_min_months: 3, term_max_months: 36, rate_min: "0.03",
    rate_max: "0.055", capacity: "100000000", active_from: today, chains: ourChains, size_classes: ["medium", "small", "micro"] };
  const form = h("form", { class: "grid", novalidate: true, id: "new-product" }, ...termFields(blank, chains, towns, { fresh: true }),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("publish")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, () => sendTerms(form, (d) => call("banks", "POST", `/v1/banks/${bankId}/products`, termsBody(d, { fresh: true }))),
    { done, clear: ["name"] });
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
function coverageTable(designations, officers, lines, chainName) {
  return h("table", { id: "coverage" }, h("tr", {}, [t("chain"), t("role"), t("chainLine"), t("lineReserved"),
    t("lineDisbursed"), t("lineFree"), t("officersOn"), t("load")].map((x) => h("th", {}, x))),
    designations.map((d) => {
      const on = officers.filter((o) => o.profile.available && o.profile.chains.includes(d.chain));
      const open = on.reduce((n, o) => n + o.open_matches, 0);
      const room = on.reduce((n, o) => n + o.profile.max_open_matches, 0);
      const line = lines.find((l) => l.chain === d.chain) || {};
      return h("tr", { "data-chain": d.chain, class: on.length ? "" : "uncovered" },
        h("td", {}, chainName(d.chain)), h("td", {}, t(`bankRole.${d.role}`)),
        h("td", { class: "num" }, money(d.chain_credit_line)),
        h("td", { class: "num", "data-line": "reserved" }, line.line != null ? money(line.reserved) : "—"),
        h("td", { class: "num", "data-line": "disbursed" }, line.line != null ? money(line.disbursed) : "—"),
        h("td", { class: "num", "data-line": "free" }, line.line != null ? money(line.free) : "—"),
        h("td", {}, on.length ? on.map((o) => o.profile.name).join("、") : h("span", { class: "error" }, t("noOfficer"))),
        h("td", { class: "num" }, on.length ? `${open}/${room}` : "—"));
    }));
}

PAGES.bank = async (view) => {
  const me = session.get();
  const [chains, towns, designations] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
    call("firms", "GET", "/v1/reference/towns"), call("banks", "GET", "/v1/designations")]);
  const townName = (code) => (towns.find((x) => x.code === code) || {}).name_zh || code;
  const ours = designations.filter((d) => d.bank_id === me.bank_id);
  const ourChains = [...new Set(ours.map((d) => d.chain))];
  const chainName = chainNamer(chains);
  const products = h("div", { id: "products" });
  const officers = h("div", { id: "officers" });
  const coverage = h("div");
  const refresh = async () => {
    const [productList, officerList, lines] = await Promise.all([call("banks", "GET", `/v1/banks/${me.bank_id}/products`),
      call("banks", "GET", `/v1/banks/${me.bank_id}/officers`), call("matcher", "GET", "/v1/chain-lines")]);
    products.replaceChildren(h("table", {}, h("tr", {}, h("th", {}, t("productName")), h("th", { class: "num" }, t("capacity")),
      h("th", { class: "num" }, t("disbursedSoFar")), h("th", { class: "num" }, t("remaining")), h("th", {}, t("used")), h("th", {}, "")),
      productList.map((p) => productRow(p, chainName, townName, chains, towns, refresh))));
    officers.replaceChildren(h("table", {}, officerList.map((o) => officerRow(o, chainName, refresh))));
    coverage.replaceChildren(coverageTable(ours, officerList, lines, chainName));
  };
  view.append(
    h("section", {}, h("h1", {}, t("productsOf")), products),
    h("section", {}, h("h2", {}, t("newProduct")), productForm(me.bank_id, chains, towns, ourChains, refresh)),
    h("section", {}, h("h2", {}, t("coverage")), coverage),
    h("section", {}, h("h2", {}, t("officers")), officers, h("h3", {}, t("newOfficer")),
      officerForm(me.bank_id, chains, ourChains, refresh)));
  await refresh();
};
