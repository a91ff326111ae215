// The router: #/<page>; the session decides who may see which page.
let cleanup = null;

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const view = document.getElementById("view");
  view.replaceChildren();
  applyStaticText();
  const me = session.get();
  const page = (location.hash.replace(/^#\//, "") || "login").split("?")[0];
  document.getElementById("who").textContent = me ? `${me.name} · ${t(`roles.${me.role}`)}` : "";
  document.getElementById("logout").hidden = !me;
  refreshBell();
  if (!me && page !== "login") { location.hash = "#/login"; return; }
  try {
    cleanup = (await (PAGES[page] || PAGES.login)(view)) || null;
  } catch (problem) {
    view.append(h("section", { role: "alert" }, h("p", { class: "error" }, problem instanceof Problem ? problemText(problem) : String(problem))));
  }
  // A new page takes the focus (a screen reader announces it) unless the person already moved into it while it loaded.
  if (!view.contains(document.activeElement)) view.focus();
}

document.getElementById("lang").addEventListener("click", () => {
  LANG = LANG === "zh" ? "en" : "zh";
  localStorage.setItem("lang", LANG);
  route();
});
document.getElementById("logout").addEventListener("click", () => { session.clear(); location.hash = "#/login"; });
window.addEventListener("hashchange", route);
route();
