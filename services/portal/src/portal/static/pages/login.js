// The login page: on a demo installation the demo's people by role (said plainly), or a pasted token.
PAGES.login = async (view) => {
  const reply = await fetch("/demo-identities");
  const demo = reply.ok;
  const people = demo ? await reply.json() : [];
  const byRole = {};
  people.forEach((p) => (byRole[p.role] ||= []).push(p));
  const pasted = h("input", { name: "token", "aria-label": t("pasteToken"), placeholder: t("pasteToken") });
  view.append(h("section", {}, h("h1", {}, t("login")),
    h("p", { class: demo ? "notice" : "muted", "data-demo": String(demo) }, t(demo ? "demoMode" : "notDemo")),
    h("p", { class: "muted" }, t("loginHelp")),
    ...Object.entries(byRole).map(([role, list]) => h("div", {},
      h("h2", {}, t(`roles.${role}`)),
      h("div", { class: "people" }, list.map((p) => h("button", {
        type: "button", "data-person": p.name, onclick: () => enter({ ...p }) }, p.name))))),
    h("div", { class: "row" }, pasted, h("button", { type: "button", onclick: () => {
      const [, payload] = pasted.value.split(".");
      const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
      enter({ name: claims.sub, role: claims.role, token: pasted.value, firm_id: claims.firm, bank_id: claims.bank,
              officer_id: claims.officer });
    } }, t("use")))));
};

function enter(person) {
  session.set(person);
  location.hash = HOME[person.role] || "#/login";
}
