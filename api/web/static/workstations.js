// Admin page: agent workstations and the USB-storage lock state their
// usb-lock scripts report (scripts/usb-lock). Needs settings_manage.
pages.workstations = async function workstations() {
  const state = new URLSearchParams(location.hash.split("?")[1] || "").get("state") || "";
  const list = await api("GET", "/workstations?page_size=500" + (state ? "&state=" + state : ""));
  const err = errorBox(), tokenBox = h("div");
  const showToken = (w) => tokenBox.replaceChildren(h("p", {}, `${t("token_once")} ${w.name}`), h("p", { class: "token" }, w.token));

  const add = h("form", { class: "row" },
    h("label", {}, h("span", {}, t("name")), h("input", { name: "name", required: "", placeholder: "pc-agent-01" })),
    h("label", {}, h("span", {}, t("note")), h("input", { name: "note" })), h("button", {}, t("register")));
  add.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    try {
      const w = await api("POST", "/workstations", Object.fromEntries(new FormData(add)));
      await refreshList();
      showToken(w);
    } catch (x) { err.textContent = x.message; }
  });

  const filter = select("state", ["", "locked", "unlocked", "partial", "unknown"]);
  [...filter.options].forEach((o) => { o.textContent = t(o.value || "all"); o.selected = o.value === state; });
  filter.addEventListener("change", () => { location.hash = "workstations" + (filter.value ? "?state=" + filter.value : ""); });

  const when = (v) => (v ? new Date(v).toLocaleString(lang) : "");
  const body = h("div");
  function render(items) {
    body.replaceChildren(table([
      ["name", (w) => w.name], ["note", (w) => w.note],
      ["state", (w) => h("span", { class: "ws-" + (w.state || "unknown") }, t(w.state || "unknown"))],
      ["fresh", (w) => t(w.fresh ? "yes" : "no")], ["platform", (w) => w.platform], ["address", (w) => w.address],
      ["reported_at", (w) => when(w.reported_at)], ["last_agent", (w) => (w.last_agent_id ? "#" + w.last_agent_id : "")],
      ["token", (w) => h("button", { type: "button", onclick: async () => { showToken(await api("POST", `/workstations/${w.id}/token`)); } }, t("new_token"))],
      ["delete", (w) => h("button", { type: "button", onclick: async () => { await api("DELETE", "/workstations/" + w.id); await refreshList(); } }, t("delete"))],
    ], items));
  }
  async function refreshList() {
    const l = await api("GET", "/workstations?page_size=500" + (state ? "&state=" + state : ""));
    render(l.items);
  }
  render(list.items);
  return [h("div", { class: "card" }, add, err, tokenBox), h("div", { class: "card" }, h("label", {}, h("span", {}, t("state")), filter), body)];
};
