// A person's notifications (the bell in the header) and how they want to be told: the list the notifier keeps for
// them, newest first, unread ones marked; their e-mail, mobile, channels and quiet hours.

const NOTIFIED_ROLES = ["sme", "chain_master", "officer", "bank_admin", "coordinator"];

// The bell's count, kept current while the person is logged in.
async function refreshBell() {
  const me = session.get();
  const bell = document.getElementById("bell");
  bell.hidden = !me || !NOTIFIED_ROLES.includes(me.role);
  if (bell.hidden) return;
  try {
    const { unread } = await call("notifier", "GET", "/v1/notifications?limit=1");
    const count = document.getElementById("unread");
    count.textContent = unread ? String(unread) : "";
    count.hidden = !unread;
    bell.setAttribute("aria-label", `${t("notes.bell")}${unread ? ` · ${fill(t("notes.unread"), { n: unread })}` : ""}`);
  } catch (problem) { /* the notifier is away: the bell shows its last count */ }
}
setInterval(refreshBell, 15000);

function preferencesForm(prefs) {
  const offered = prefs.available_channels;
  const channel = (value, label) => h("label", { class: "row" }, h("input", { type: "checkbox", name: "channels", value,
    checked: prefs.channels.includes(value), disabled: !offered.includes(value) }), label);
  const missing = ["email", "sms"].filter((c) => !offered.includes(c));
  const form = h("form", { class: "grid", novalidate: true, id: "notify-prefs" },
    h("p", { class: "muted" }, t("notes.settingsHelp")),
    field("email", t("notes.email"), h("input", { name: "email", type: "email", autocomplete: "email", value: prefs.email || "" })),
    field("phone", t("notes.phone"), h("input", { name: "phone", inputmode: "tel", autocomplete: "tel", value: prefs.phone || "" })),
    h("fieldset", {}, h("legend", {}, t("notes.settings")), channel("email", t("notes.byEmail")), channel("sms", t("notes.bySms")),
      missing.length ? h("p", { class: "muted" }, fill(t("notes.unavailable"), { channels: missing.map((c) =>
        t(c === "email" ? "notes.byEmail" : "notes.bySms")).join("、") })) : "",
      h("span", { class: "error", "data-error": "channels", "aria-live": "polite" })),
    field("quiet_start", t("notes.quietStart"), h("input", { name: "quiet_start", type: "time",
      value: prefs.quiet_hours ? prefs.quiet_hours.start.slice(0, 5) : "" })),
    field("quiet_end", t("notes.quietEnd"), h("input", { name: "quiet_end", type: "time",
      value: prefs.quiet_hours ? prefs.quiet_hours.end.slice(0, 5) : "" })),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("notes.save")), h("p", { class: "error", "data-error": "_" })));
  return onSubmit(form, async (d) => {
    const start = d.get("quiet_start"), end = d.get("quiet_end");
    try {
      await call("notifier", "PUT", "/v1/notifications/preferences", { email: d.get("email") || null,
        phone: d.get("phone") || null, channels: d.getAll("channels"),
        quiet_hours: start || end ? { start: start || null, end: end || null } : null });
    } catch (problem) {  // quiet hours are one object to the service, two fields here
      problem.errors = problem.errors.map((e) => ({ ...e, pointer: e.pointer.replace("/quiet_hours/start", "/quiet_start")
        .replace("/quiet_hours/end", "/quiet_end") }));
      throw problem;
    }
  });
}

PAGES.notifications = async (view) => {
  const me = session.get();
  if (!NOTIFIED_ROLES.includes(me.role)) { location.hash = "#/"; return null; }
  const list = h("ol", { class: "notes", id: "notes" });
  const summary = h("p", { class: "muted", id: "notes-unread" });
  const refresh = async () => {
    const { unread, items } = await call("notifier", "GET", "/v1/notifications?limit=100");
    summary.textContent = fill(t("notes.unread"), { n: unread });
    list.replaceChildren(...(items.length ? items.map((n) => h("li", { class: n.read ? "note" : "note unread",
      "data-note": n.notification_id, "data-kind": n.kind },
      h("strong", {}, n.title), " ", h("span", { class: "muted" }, new Date(n.occurred_at).toLocaleString()),
      h("p", {}, n.body),
      n.link ? h("a", { href: n.link }, t("notes.open")) : "",
      n.read ? "" : h("button", { type: "button", "data-action": "read", onclick: async () => {
        await call("notifier", "POST", "/v1/notifications/read", { ids: [n.notification_id] }); refresh(); refreshBell();
      } }, t("notes.markRead")))) : [h("li", { class: "muted" }, t("notes.none"))]));
  };
  const allRead = h("button", { type: "button", id: "notes-all-read", onclick: async () => {
    await call("notifier", "POST", "/v1/notifications/read", {}); refresh(); refreshBell(); } }, t("notes.allRead"));
  const prefs = await call("notifier", "GET", "/v1/notifications/preferences");
  view.append(
    h("section", {}, h("h1", {}, t("notes.title")), h("div", { class: "row" }, summary, allRead), list),
    h("section", {}, h("h2", {}, t("notes.settings")), preferencesForm(prefs)));
  await refresh();
  const timer = setInterval(refresh, 10000);
  return () => clearInterval(timer);
};
