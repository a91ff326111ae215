// The router: #/<page>; the session decides who may see which page.
let cleanup = null;
let generation = 0;

// Each visit draws into a container of its own: a page still loading when the person moves on (or switches the
// language) finishes into a container no longer shown, and its timers are stopped, so two pages never mix.
async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const current = ++generation;
  const main = document.getElementById("view");
  const view = document.createElement("div");
  main.replaceChildren(view);
  applyStaticText();
  const me = session.get();
  const page = (location.hash.replace(/^#\//, "") || "login").split("?")[0];
  document.getElementById("who").textContent = me ? `${me.name} · ${t(`roles.${me.role}`)}` : "";
  document.getElementById("logout").hidden = !me;
  refreshBell();
  if (!me && page !== "login") { location.hash = "#/login"; return; }
  let stop = null;
  try {
    stop = (await (PAGES[page] || PAGES.login)(view)) || null;
  } catch (problem) {
    view.append(h("section", { role: "alert" }, h("p", { class: "error" }, problem instanceof Problem ? problemText(problem) : String(problem))));
  }
  if (current !== generation) { if (stop) stop(); return; }  // superseded while it loaded
  cleanup = stop;
  // A new page takes the focus (a screen reader announces it) unless the person already moved into it while it loaded.
  if (!main.contains(document.activeElement)) main.focus();
}

document.getElementById("lang").addEventListener("click", () => {
  LANG = LANG === "zh" ? "en" : "zh";
  localStorage.setItem("lang", LANG);
  route();
});
document.getElementById("logout").addEventListener("click", () => { session.clear(); location.hash = "#/login"; });
window.addEventListener("hashchange", route);
route();
