// Admin page: the delivery log of sms, email and fax (campaign messages,
// result notifications, test messages), simulated ones labelled, and a
// "send test message" form. Needs settings_manage.
pages.outbound = async function outbound() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = ["purpose", "channel", "status"].filter((k) => params.get(k));
  const query = filters.map((k) => `&${k}=${encodeURIComponent(params.get(k))}`).join("");
  const load = () => api("GET", "/outbound-messages?page_size=100" + query);
  const list = await load();
  const err = errorBox(), done = h("p", { class: "saved" });

  const channel = select("channel", ["sms", "email"]);
  [...channel.options].forEach((o) => { o.textContent = t("ob_" + o.value); });
  const send = h("form", { class: "row", id: "test-message" },
    h("label", {}, h("span", {}, t("ob_channel")), channel),
    h("label", {}, h("span", {}, t("ob_to")), h("input", { name: "to", required: "", placeholder: "13800138000 / ops@bank.example" })),
    h("label", {}, h("span", {}, t("ob_subject")), h("input", { name: "subject" })),
    h("label", {}, h("span", {}, t("ob_text")), h("input", { name: "text", placeholder: "callcenter test message / 测试消息" })),
    h("button", {}, t("ob_send")));
  send.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = ""; done.textContent = "";
    try {
      const m = await api("POST", "/outbound-messages/test", Object.fromEntries(new FormData(send)));
      done.textContent = `${t("ob_test_sent")}#${m.id} ${t("ob_" + m.status)}${m.simulated ? " (" + t("ob_simulated_tag") + ")" : ""}${m.error ? " · " + m.error : ""}`;
      showLog(await load());
    } catch (x) { err.textContent = x.message; }
  });

  const filterRow = h("form", { class: "row" }, ...[["purpose", ["", "campaign", "notification", "test", "report"]],
    ["channel", ["", "sms", "email", "fax"]], ["status", ["", "queued", "sent", "delivered", "failed"]]].map(([name, opts]) => {
    const s = select(name, opts);
    [...s.options].forEach((o) => { o.textContent = t("ob_" + (o.value || "all")); o.selected = o.value === (params.get(name) || ""); });
    s.addEventListener("change", () => {
      const q = new URLSearchParams(new FormData(filterRow));
      for (const [k, v] of [...q]) if (!v) q.delete(k);
      location.hash = "outbound" + (q.toString() ? "?" + q : "");
    });
    return h("label", {}, h("span", {}, t("ob_" + name)), s);
  }), h("button", { type: "button", onclick: () => route() }, t("ob_refresh")));

  const logBox = h("div", { "data-customer": "outbound" });
  function showLog(l) {
    const rows = table([
      ["time", (m) => when(m.created_at)],
      ["ob_purpose", (m) => t("ob_" + m.purpose)],
      ["ob_channel", (m) => t("ob_" + m.channel)],
      ["ob_to", (m) => m.to],
      ["ob_subject", (m) => m.subject || ""],
      ["ob_body", (m) => m.body || ""],
      ["ob_provider", (m) => (m.simulated ? h("span", { class: "sim-tag" }, t("ob_simulated_tag")) : m.provider)],
      ["ob_status", (m) => h("span", { class: "msg-" + m.status }, t("ob_" + m.status))],
      ["ob_parts", (m) => (m.parts ? String(m.parts) : "")],
      ["ob_code", (m) => m.code || ""],
      ["ob_error", (m) => m.error || ""],
    ], l.items);
    rows.id = "outbound-log";
    logBox.replaceChildren(l.items.some((m) => m.simulated) ? h("p", { class: "note" }, t("ob_simulated_note")) : "",
      h("p", {}, `${t("total")}: ${l.total}`), rows);
  }
  showLog(list);
  const cards = [h("div", { class: "card" }, h("h3", {}, t("ob_send_test")), send, err, done),
    h("div", { class: "card" }, filterRow, logBox)];
  if (me.permissions.includes("campaign_manage")) cards.push(await faxDocuments());
  return cards;
};

// faxDocuments: upload a PDF as a fax document (converted to a fax TIFF on
// the server) and list the documents a fax campaign's document_id names.
async function faxDocuments() {
  const err = errorBox(), listBox = h("div");
  const show = (l) => listBox.replaceChildren(table([["ob_doc_id", (d) => String(d.id)], ["name", (d) => d.name],
    ["ob_pages", (d) => String(d.pages)], ["time", (d) => when(d.created_at)]], l.items));
  const form = h("form", { class: "row", id: "fax-upload" },
    h("label", {}, h("span", {}, t("ob_pdf")), h("input", { type: "file", name: "file", accept: "application/pdf,.pdf", required: "" })),
    h("button", {}, t("ob_upload")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    try {
      await api("POST", "/documents", new FormData(form));
      form.reset();
      show(await api("GET", "/documents?page_size=50"));
    } catch (x) { err.textContent = x.message; }
  });
  show(await api("GET", "/documents?page_size=50"));
  return h("div", { class: "card" }, h("h3", {}, t("ob_fax_documents")), h("p", { class: "note" }, t("ob_fax_note")), form, err, listBox);
}
