// A small admin UI over the REST API. The session token lives in an
// HttpOnly cookie set at login, so this script never stores it.
const main = document.getElementById("main");
let me = null;

// csrfToken is the session's CSRF token, which the server set in a cookie
// this script may read; every change is sent with it (X-CSRF-Token), so a
// page of another site cannot make changes with the session cookie.
function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)cc_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (method !== "GET") opts.headers["X-CSRF-Token"] = csrfToken();
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const r = await fetch("/api/v1" + path, opts);
  if (r.status === 401 && path !== "/auth/login") { showLogin(); throw new Error("401"); }
  if (r.status === 423) { dlp.showLock(); throw new Error("423"); }
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const e = new Error((data && data.error && data.error.message) || r.statusText);
    e.status = r.status; e.error = data && data.error;
    throw e;
  }
  return data;
}

function when(ts) { return ts ? new Date(ts).toLocaleString(lang) : ""; }

// reasonsText lists a blacklist entry's reasons, each with who gave it and when.
function reasonsText(e) {
  const rs = e.reasons && e.reasons.length ? e.reasons : [{ reason: e.reason, source: e.source, created_by_name: e.created_by_name, created_at: e.created_at }];
  const [open, close] = lang === "zh-CN" ? ["（", "）"] : [" (", ")"];
  return rs.map((r) => `${r.reason || "—"}${open}${t(r.source)} · ${r.created_by_name || "—"} · ${when(r.created_at)}${close}`).join("; ");
}

// blockedByText says which blacklist entries block a contact.
function blockedByText(c) {
  return (c.blocked_by || []).map((b) => `${t(b.field)} ${b.value}: ${reasonsText(b)}${b.expires_at ? " · " + t("until") + " " + when(b.expires_at) : ""}`).join("\n");
}

// duplicateText names what a duplicate row repeats.
function duplicateText(d) {
  if (!d) return "";
  if (d.row) return t("dup_of_row").replace("{n}", d.row);
  if (d.contact_id) return t("dup_of_contact").replace("{n}", d.contact_id);
  if (d.dnc_entry_id) return t("dup_of_entry").replace("{n}", d.dnc_entry_id);
  return "";
}

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v);
  }
  for (const k of kids.flat()) el.append(k instanceof Node ? k : document.createTextNode(k ?? ""));
  return el;
}

function table(cols, rows) {
  return h("table", {}, h("tr", {}, cols.map((c) => h("th", { "data-field": c[0] }, t(c[0])))),
    rows.map((r) => h("tr", {}, cols.map((c) => h("td", {}, c[1](r))))));
}

function errorBox() { return h("p", { class: "error" }); }

async function showLogin() {
  dlp.stop();
  document.getElementById("top").hidden = true;
  main.replaceChildren(document.getElementById("login-tpl").content.cloneNode(true));
  applyI18n(main);
  document.getElementById("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api("POST", "/auth/login", { username: f.get("username"), password: f.get("password") });
      await start();
    } catch (err) { document.getElementById("login-error").textContent = err.message; }
  });
}

async function start() {
  try { me = await api("GET", "/me"); } catch { return; }
  document.getElementById("top").hidden = false;
  document.getElementById("who").textContent = me.display_name || me.username;
  document.querySelectorAll("[data-perm]").forEach((a) => { a.hidden = !me.permissions.includes(a.dataset.perm); });
  if (await dlp.start(me)) route();
}

async function signOut() { await api("POST", "/auth/logout").catch(() => {}); me = null; showLogin(); }

const pages = {
  async campaigns() {
    const list = await api("GET", "/campaigns?page_size=100");
    const err = errorBox();
    const form = h("form", { class: "row" },
      h("label", {}, h("span", {}, t("name")), h("input", { name: "name", required: "" })),
      h("label", {}, h("span", {}, t("kind")), select("kind", ["notification", "collection", "survey", "confirmation", "sales"])),
      h("label", {}, h("span", {}, t("media")), select("media", ["voice", "ivr", "sms", "email", "fax"])),
      h("label", {}, h("span", {}, t("dial_mode")), select("dial_mode", ["progressive", "preview", "predictive", "broadcast"])),
      h("button", {}, t("create")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = Object.fromEntries(new FormData(form));
      try { await api("POST", "/campaigns", f); route(); } catch (x) { err.textContent = x.message; }
    });
    return [h("div", { class: "card" }, form, err),
      h("div", { class: "card" }, table([["name", (c) => h("a", { href: "#campaign/" + c.id }, c.name)],
        ["kind", (c) => c.kind], ["media", (c) => c.media], ["dial_mode", (c) => c.dial_mode],
        ["priority", (c) => String(c.priority)], ["status", (c) => t(c.status)]], list.items))];
  },
  async campaign(id) {
    const c = await api("GET", "/campaigns/" + id);
    const contacts = await api("GET", `/campaigns/${id}/contacts?page_size=50`);
    const err = errorBox(), out = h("div", { "data-customer": `campaign/${id}/preview` });
    const form = h("form", { class: "row" }, h("label", {}, h("span", {}, t("file")), h("input", { type: "file", name: "file", required: "" })),
      h("button", { type: "button", onclick: () => upload(true) }, t("preview")), h("button", {}, t("import")));
    async function upload(preview) {
      err.textContent = "";
      try {
        const r = await api("POST", `/campaigns/${id}/imports${preview ? "/preview" : ""}`, new FormData(form));
        if (preview) {
          out.replaceChildren(table([["row", (row) => String(row.row)], ...r.header.map((hd, i) => [hd, (row) => row.cells[i] || ""]),
            ["message", (row) => [duplicateText(row.duplicate_of), ...(row.errors || []).slice(0, row.duplicate_of ? -1 : undefined).map((e) => e.message)].filter(Boolean).join("; ")]], r.rows));
          return;
        }
        poll(r.id);
      } catch (x) { err.textContent = x.message; }
    }
    async function poll(job) {
      const j = await api("GET", "/imports/" + job);
      out.replaceChildren(h("p", {}, `${t("status")}: ${j.status} · ${t("total")} ${j.total} · ${t("imported")} ${j.imported} · ${t("duplicates")} ${j.duplicates} · ${t("blocked")} ${j.blocked} · ${t("rejected")} ${j.rejected}`),
        table([["row", (e) => String(e.row)], ["field", (e) => e.field], ["duplicate_of", (e) => duplicateText(e.duplicate_of)], ["message", (e) => e.message]], j.errors || []));
      if (j.status === "queued" || j.status === "running") setTimeout(() => poll(job), 1000);
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); upload(false); });
    return [h("p", {}, h("a", { href: "#campaigns" }, "← " + t("back")), " · ", h("a", { href: "#scriptanswers/" + id }, t("script_answers"))), h("h2", {}, c.name),
      h("div", { class: "card" }, h("h3", {}, t("import")), form, err, out),
      h("div", { class: "card", "data-customer": `campaign/${id}/contacts` }, h("h3", {}, `${t("contacts")} (${contacts.total})`),
        table([["name", (x) => x.name], ["phone", (x) => x.phone], ["id_number", (x) => x.id_number],
          ["status", (x) => t(x.status)], ["attempts", (x) => String(x.attempts)], ["not_dialable", (x) => x.not_dialable_reason ? t(x.not_dialable_reason) : ""],
          ["blocked_by", (x) => h("span", { class: "blocked-by" }, blockedByText(x))]], contacts.items))];
  },
  async dnc() {
    const q = new URLSearchParams(location.hash.split("?")[1] || "").get("q") || "";
    const list = await api("GET", "/dnc?q=" + encodeURIComponent(q));
    const err = errorBox();
    const search = h("form", { class: "row" }, h("input", { name: "q", value: q }), h("button", {}, t("search")));
    search.addEventListener("submit", (e) => { e.preventDefault(); location.hash = "dnc?q=" + encodeURIComponent(search.q.value); });
    const add = h("form", { class: "row" }, h("label", {}, h("span", {}, t("phone")), h("input", { name: "phone" })),
      h("label", {}, h("span", {}, t("id_number")), h("input", { name: "id_number" })),
      h("label", {}, h("span", {}, t("reason")), h("input", { name: "reason" })), h("button", {}, t("add")));
    add.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = Object.fromEntries(new FormData(add));
      for (const k of Object.keys(f)) if (!f[k]) delete f[k];
      err.replaceChildren();
      try { await api("POST", "/dnc", f); route(); } catch (x) {
        const ex = x.status === 409 && x.error && x.error.existing;
        if (!ex) { err.textContent = x.message; return; }
        // Already listed: say by whom, when and why; the entry is kept, the user may add a reason.
        err.append(h("span", { class: "dnc-exists" }, t("dnc_exists").replace("{value}", ex.value).replace("{reasons}", reasonsText(ex))), " ");
        if (f.reason) {
          err.append(h("button", { type: "button", onclick: async () => {
            try { await api("POST", "/dnc", { ...f, add_reason: true }); route(); } catch (y) { err.textContent = y.message; }
          } }, t("add_reason")));
        }
      }
    });
    return [h("div", { class: "card" }, search), h("div", { class: "card" }, add, err),
      h("div", { class: "card", "data-customer": "dnc" }, table([["value", (e) => e.value], ["kind", (e) => t(e.kind)], ["reason", (e) => reasonsText(e)],
        ["time", (e) => when(e.created_at)],
        ["delete", (e) => h("button", { onclick: async () => { await api("DELETE", "/dnc/" + e.id); route(); } }, t("delete"))]], list.items))];
  },
  async users() {
    const list = await api("GET", "/users?page_size=200");
    return [h("div", { class: "card" }, table([["username", (u) => u.username], ["display_name", (u) => u.display_name],
      ["role", (u) => u.role], ["extension", (u) => u.extension]], list.items))];
  },
  async audit() {
    const list = await api("GET", "/audit?page_size=100");
    return [h("div", { class: "card" }, table([["time", (e) => new Date(e.at).toLocaleString(lang)], ["username", (e) => e.username],
      ["action", (e) => e.action], ["result", (e) => e.result], ["message", (e) => e.detail]], list.items))];
  },
};

function select(name, options) { return h("select", { name }, options.map((o) => h("option", { value: o }, o))); }

async function route() {
  const [page, arg] = (location.hash.slice(1).split("?")[0] || "campaigns").split("/");
  try { main.replaceChildren(...await (pages[page] || pages.campaigns)(arg)); }
  catch (x) { if (x.message !== "401" && x.message !== "423") main.replaceChildren(h("p", { class: "error" }, x.message)); }
}

window.addEventListener("hashchange", () => me && route());
document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "zh-CN" ? "en" : "zh-CN"; localStorage.setItem("lang", lang); applyI18n(); if (me) route();
});
document.getElementById("logout").addEventListener("click", signOut);

fetch("/healthz").then((r) => r.json()).then((hz) => { document.getElementById("sim").hidden = !hz.simulated; });
applyI18n();
start().catch(showLogin);
