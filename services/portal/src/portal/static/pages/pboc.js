// The PBOC's dashboard: aggregate flows only, after disclosure control. A table by the chosen grouping, the weekly
// trend by chain, town or bank, late answers and escalations week by week, the lead banks' record; all redrawn when
// the oversight service's live feed says the figures changed, and the table exportable as CSV.

const FLOW_METRICS = ["submitted", "matched", "contacted", "approved", "disbursed", "escalated", "sla_breach"];
const GROUPINGS = ["chain", "chain,week", "town", "chain,town", "bank", "size_class"];
const PERIODS = [4, 12, 26, 52];  // weeks back from today

// The first day of a period of `weeks` weeks ending today, as the oversight API's `from`.
const periodStart = (weeks) => new Date(Date.now() - weeks * 7 * 864e5).toISOString().slice(0, 10);

// Codes to names: chains and towns from the firms service, banks from the banks service (banks are institutions;
// naming them discloses nothing about a firm).
async function dimensionNames() {
  const [chains, towns, banks] = await Promise.all([call("firms", "GET", "/v1/reference/chains"),
    call("firms", "GET", "/v1/reference/towns"), call("banks", "GET", "/v1/banks")]);
  return {
    chain: Object.fromEntries(chains.map((c) => [c.code, chainLabel(c)])),
    town: Object.fromEntries(towns.map((x) => [x.code, x.name_zh])),
    bank: Object.fromEntries([...banks.map((b) => [b.bank_id, b.name]), ["-", t("noBankYet")]]),
    size_class: TEXT[LANG].size_classes,
  };
}

// The period's key figures from the ungrouped flows: each a published figure or 未公布, never a guess.
function kpiCards(report, notPublished) {
  const cell = report.cells[0] || { metrics: {}, counts_withheld: [], amounts_withheld: [] };
  const m = cell.metrics;
  const countHeld = (k) => (cell.counts_withheld || []).includes(k);
  const amountHeld = (k) => (cell.amounts_withheld || []).includes(k);
  const count = (k) => (countHeld(k) ? null : (m[k] || {}).count || 0);
  const amount = (k) => (amountHeld(k) ? null : Number((m[k] || {}).amount || 0));
  const rejected = Object.keys(m).filter((k) => k.startsWith("rejected:"));
  const rejectedTotal = rejected.some(countHeld) ? null : rejected.reduce((n, k) => n + (m[k].count || 0), 0);
  const share = (a, b) => (a === null || b === null ? null : b ? `${Math.round((a / b) * 100)}%` : "—");
  const approved = count("approved");
  const card = (key, value, note) => h("div", { class: "kpi", "data-kpi": key },
    h("span", { class: "label" }, t(`kpi.${key}`)), h("span", { class: "value" }, value === null ? notPublished() : value),
    note ? h("span", { class: "kpi-note" }, note) : "");
  const seconds = (k) => (typeof m[k] === "number" ? duration(m[k]) : null);
  const timed = (key, base) => card(key, seconds(`${base}_median_s`) ?? (count("submitted") ? null : "—"),
    seconds(`${base}_p90_s`) ? fill(t("kpi.medianNote"), { p90: seconds(`${base}_p90_s`) }) : "");
  return h("div", { class: "kpis", id: "kpis" },
    card("needs", count("submitted"), fill(t("kpi.needsNote"), { amount: amount("submitted") === null ? t("notPublished") : money(amount("submitted")) })),
    card("contactRate", share(count("contacted"), count("submitted")), t("kpi.contactNote")),
    card("approvalRate", approved === null || rejectedTotal === null ? null : share(approved, approved + rejectedTotal), t("kpi.approvalNote")),
    card("disbursed", amount("disbursed") === null ? null : money(amount("disbursed")), fill(t("kpi.disbursedNote"), { n: count("disbursed") ?? t("notPublished") })),
    card("firstLoans", count("disbursed_first_loan"), fill(t("kpi.firstLoansNote"), { share: share(count("disbursed_first_loan"), count("disbursed")) ?? t("notPublished") })),
    card("unsecured", share(amount("disbursed_unsecured"), amount("disbursed")), t("kpi.unsecuredNote")),
    timed("toContact", "to_contact"), timed("toDecision", "to_decision"),
    card("breaches", count("sla_breach"), t("kpi.breachesNote")),
    card("escalated", count("escalated"), t("kpi.escalatedNote")));
}

const choice = (label, values, current, onchange, text = (v) => v) => h("label", { class: "row" }, label,
  h("select", { onchange: (e) => onchange(e.target.value) }, values.map((v) => h("option", { value: v,
    selected: v === current }, text(v)))));

PAGES.pboc = async (view) => {
  const names = await dimensionNames();
  const nameOf = (dim, value) => (names[dim] || {})[value] ?? value;
  const label = (key) => Object.entries(key).map(([d, v]) => (d === "week" ? v : nameOf(d, v))).join(" · ");
  const groupingText = (g) => g.split(",").map((d) => t(d === "size_class" ? "sizeClass" : d)).join(" × ");
  let by = "chain", lineBy = "chain", lineMetric = "submitted", weeks = 12;

  const flows = h("div", { id: "flows" });
  const kpis = h("div");
  const flowsHeading = h("h2", { id: "flows-heading" });
  const trend = h("div", { id: "trend" });
  const late = h("div", { id: "sla" });
  const leads = h("div", { id: "lead-banks" });

  // A withheld figure reads 未公布 with the rule on hover, never 0 (0 means nothing happened).
  const notPublished = () => h("span", { class: "withheld", title: t("withheldRule") }, t("notPublished"));
  const countOf = (c, m) => ((c.counts_withheld || []).includes(m) ? notPublished() : (c.metrics[m] || {}).count || 0);
  const orWithheld = (v, show = (x) => x) => (v === null || v === undefined ? notPublished() : show(v));

  const drawFlows = (report) => { flowsHeading.textContent = fill(t("flows"), { by: groupingText(by) }); flows.replaceChildren(
    h("div", { class: "scroll" }, h("table", {}, h("tr", {}, h("th", {}, groupingText(by)),
      FLOW_METRICS.map((m) => h("th", { class: "num" }, t(`metrics.${m}`))), h("th", { class: "num" }, t("disbursedAmount"))),
      report.cells.map((c) => h("tr", { "data-chain": by === "chain" ? c.key.chain : label(c.key) }, h("td", {}, label(c.key)),
        FLOW_METRICS.map((m) => h("td", { class: "num", "data-metric": m }, countOf(c, m))),
        h("td", { class: "num" }, money((c.metrics.disbursed || {}).amount)))))),
    bars(report.cells, "submitted", (c) => label(c.key)),
    h("p", { class: "muted" }, `${report.week_cells_withheld ?? 0} ${t("withheld")}`)); };

  // One line per chain (town, bank): the six busiest, so the chart stays readable.
  const drawTrend = (report) => {
    const weeks = weeksBetween(report.from, report.to);
    const series = new Map();
    for (const c of report.cells) {
      const key = c.key[lineBy];
      if (!series.has(key)) series.set(key, { key, label: nameOf(lineBy, key), values: new Map() });
      if (!(c.counts_withheld || []).includes(lineMetric)) {  // a withheld week is a gap, not a dip to 0
        series.get(key).values.set(c.key.week, (c.metrics[lineMetric] || {}).count || 0);
      }
    }
    const total = (s) => [...s.values.values()].reduce((a, b) => a + b, 0);
    const busiest = [...series.values()].sort((a, b) => total(b) - total(a)).slice(0, 6);
    trend.replaceChildren(lineChart(weeks, busiest, `${t(`metrics.${lineMetric}`)} · ${groupingText(lineBy)}`));
  };

  const drawLate = (report) => {
    const weeks = weeksBetween(report.from, report.to);
    const series = ["sla_breach", "escalated", "rerouted"].map((m) => ({ key: m, label: t(`metrics.${m}`),
      values: new Map(report.cells.filter((c) => !(c.counts_withheld || []).includes(m))
        .map((c) => [c.key.week, (c.metrics[m] || {}).count || 0])) }));
    late.replaceChildren(lineChart(weeks, series, t("slaAndEscalations")));
  };

  const drawLeads = (table) => leads.replaceChildren(h("div", { class: "scroll" }, h("table", {}, h("tr", {},
    [t("chain"), t("leadBank"), t("needsRouted"), t("answered"), t("breaches"), t("approvalRate"), t("disbursedAmount"),
     t("lineUsed")].map((x) => h("th", {}, x))),
    table.map((r) => h("tr", {}, h("td", {}, nameOf("chain", r.chain)), h("td", {}, r.bank_name),
      h("td", { class: "num" }, orWithheld(r.needs_routed)), h("td", { class: "num" }, orWithheld(r.answered)),
      h("td", { class: "num" }, orWithheld(r.sla_breaches)),
      h("td", { class: "num" }, r.approved === null || r.rejected === null ? notPublished()
        : r.approval_rate === null ? "—" : `${Math.round(r.approval_rate * 100)}%`),
      h("td", { class: "num" }, money(r.amount_disbursed)),
      h("td", { class: "num" }, r.credit_line_used === null ? "—" : `${(r.credit_line_used * 100).toFixed(2)}%`))))));

  const get = (path) => call("oversight", "GET", path);
  const refresh = async () => {
    const from = `from=${periodStart(weeks)}`;
    const [table, lines, weekly, leadBanks, whole] = await Promise.all([get(`/v1/oversight/flows?by=${by}&${from}`),
      get(`/v1/oversight/flows?by=${lineBy},week&${from}`), get(`/v1/oversight/flows?by=week&${from}`),
      get(`/v1/oversight/lead-banks?${from}`), get(`/v1/oversight/flows?by=&${from}`)]);
    kpis.replaceChildren(kpiCards(whole, notPublished));
    drawFlows(table);
    drawTrend(lines);
    drawLate(weekly);
    drawLeads(leadBanks);
  };

  const csv = h("button", { type: "button", onclick: async () => {
    const response = await fetch(`/api/oversight/v1/oversight/flows.csv?by=${by}&from=${periodStart(weeks)}&lang=${LANG}`,
      { headers: { Authorization: `Bearer ${session.get().token}` } });
    h("a", { href: URL.createObjectURL(await response.blob()), download: "lianrong-flows.csv" }).click();
  } }, t("exportCsv"));
  view.append(
    h("section", {}, h("h1", {}, t("roles.regulator")),
      h("div", { class: "row" },
        choice(t("period"), PERIODS.map(String), String(weeks), (v) => { weeks = Number(v); refresh(); },
          (v) => `${t("lastWeeks")} ${v} ${t("weeks")}`),
        choice(t("groupBy"), GROUPINGS, by, (v) => { by = v; refresh(); }, groupingText), csv),
      h("h2", {}, t("kpiTitle")), kpis),
    h("section", {}, flowsHeading, flows),
    h("section", {}, h("h2", {}, t("trend")),
      h("div", { class: "row" },
        choice(t("seriesBy"), ["chain", "town", "bank"], lineBy, (v) => { lineBy = v; refresh(); }, groupingText),
        choice(t("metric"), FLOW_METRICS, lineMetric, (v) => { lineMetric = v; refresh(); }, (m) => t(`metrics.${m}`))),
      trend, h("p", { class: "muted" }, t("gapNote"))),
    h("section", {}, h("h2", {}, t("slaAndEscalations")), late),
    h("section", {}, h("h2", {}, t("leadBanks")), leads));
  await refresh();
  const stop = new AbortController();
  follow("oversight", "/v1/oversight/live", () => refresh(), stop.signal);
  return () => stop.abort();
};
