// Desk pages over the REST API: messages and announcements (everyone),
// broadcasts (broadcast_manage), shifts, roster and attendance
// (shift_manage), and the live stream that keeps them current. Plain and
// small on purpose: the Vue desktop replaces it.
Object.assign(I18N["zh-CN"], {
  messages: "消息", broadcasts: "公告", shifts: "排班", to: "发送给", text: "内容", send: "发送", from: "发件人",
  read: "已读", unread: "未读", mark_read: "标为已读", announcements: "公告通知", all_users: "全体", title_f: "标题",
  announcement: "公告", wallboard: "大屏通知", expires_at: "截止时间", recipients: "接收人数", read_count: "已读人数",
  receipts: "阅读回执", withdraw: "撤回", start: "开始", end: "结束", break_minutes: "休息(分钟)", crosses_midnight: "跨午夜",
  roster: "排班表", assign: "排班", agents: "坐席", group_id: "组ID", date_from: "从", date_to: "到", shift: "班次",
  day_off: "休息日", clear: "清除", attendance: "考勤", date: "日期", first_sign_in: "首次签入", last_sign_out: "最后签出",
  late: "迟到(分)", early_leave: "早退(分)", break_used: "休息(分)", absent: "缺勤", yes: "是", live: "实时",
});
Object.assign(I18N.en, {
  messages: "Messages", broadcasts: "Broadcasts", shifts: "Shifts", to: "To", text: "Text", send: "Send", from: "From",
  read: "Read", unread: "Unread", mark_read: "Mark read", announcements: "Announcements", all_users: "Everyone", title_f: "Title",
  announcement: "Announcement", wallboard: "Wallboard", expires_at: "Expires", recipients: "Recipients", read_count: "Read",
  receipts: "Receipts", withdraw: "Withdraw", start: "Start", end: "End", break_minutes: "Break (min)", crosses_midnight: "Crosses midnight",
  roster: "Roster", assign: "Assign", agents: "Agents", group_id: "Group ID", date_from: "From", date_to: "To", shift: "Shift",
  day_off: "Day off", clear: "Clear", attendance: "Attendance", date: "Date", first_sign_in: "First sign-in", last_sign_out: "Last sign-out",
  late: "Late (min)", early_leave: "Left early (min)", break_used: "Break (min)", absent: "Absent", yes: "yes", live: "Live",
});

const when = (v) => (v ? new Date(v).toLocaleString(lang) : "");
const today = () => new Date().toISOString().slice(0, 10);

// submitJSON wires a form to a POST of its fields (shaped by build), then reloads the page.
function submitJSON(form, err, path, build) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { await api("POST", path, build(Object.fromEntries(new FormData(form)))); route(); } catch (x) { err.textContent = x.message; }
  });
}

function input(name, attrs = {}) { return h("label", {}, h("span", {}, t(attrs.label || name)), h("input", { name, ...attrs })); }

pages.messages = async () => {
  const [box, dir, mine] = await Promise.all([api("GET", "/messages?page_size=100"), api("GET", "/directory?page_size=500"), api("GET", "/me/broadcasts?page_size=50")]);
  const err = errorBox();
  const form = h("form", { class: "row" },
    h("label", {}, h("span", {}, t("to")), h("select", { name: "to_user_id" },
      dir.items.filter((u) => u.id !== me.id).map((u) => h("option", { value: u.id }, u.display_name || u.username)))),
    h("label", {}, h("span", {}, t("text")), h("input", { name: "text", required: "", maxlength: "2000" })), h("button", {}, t("send")));
  submitJSON(form, err, "/messages", (f) => ({ to_user_id: Number(f.to_user_id), text: f.text }));
  const readBtn = (path) => h("button", { onclick: async () => { await api("POST", path); route(); } }, t("mark_read"));
  return [h("div", { class: "card" }, form, err),
    h("div", { class: "card" }, h("h3", {}, t("messages")), table([["time", (m) => when(m.created_at)], ["from", (m) => m.from_name],
      ["to", (m) => m.to_name], ["text", (m) => m.text],
      ["read", (m) => (m.read_at ? t("read") : m.to_user_id === me.id ? readBtn(`/messages/${m.id}/read`) : t("unread"))]], box.items)),
    h("div", { class: "card" }, h("h3", {}, t("announcements")), table([["time", (b) => when(b.created_at)], ["from", (b) => b.sender_name],
      ["title_f", (b) => b.title], ["text", (b) => b.text], ["read", (b) => (b.read_at ? t("read") : readBtn(`/broadcasts/${b.id}/read`))]], mine.items))];
};

pages.broadcasts = async (id) => {
  if (id) {
    const r = await api("GET", `/broadcasts/${id}/receipts`);
    return [h("p", {}, h("a", { href: "#broadcasts" }, "← " + t("back"))), h("div", { class: "card" },
      h("h3", {}, `${t("receipts")} ${r.read_count}/${r.total}`),
      table([["username", (x) => x.username], ["display_name", (x) => x.display_name], ["read", (x) => when(x.read_at) || t("unread")]], r.items))];
  }
  const list = await api("GET", "/broadcasts?page_size=100");
  const err = errorBox();
  const form = h("form", { class: "row" }, h("label", {}, h("span", {}, t("kind")), h("select", { name: "kind" },
      ["announcement", "wallboard"].map((k) => h("option", { value: k }, t(k))))),
    input("to", { value: "all", required: "", placeholder: "all | group:3 | user:7" }), input("title", { label: "title_f" }),
    input("text", { required: "" }), input("expires_at", { type: "datetime-local" }), h("button", {}, t("send")));
  submitJSON(form, err, "/broadcasts", (f) => ({ kind: f.kind, to: f.to, title: f.title, text: f.text,
    expires_at: f.expires_at ? new Date(f.expires_at).toISOString() : undefined }));
  return [h("div", { class: "card" }, form, err), h("div", { class: "card" }, table([["time", (b) => when(b.created_at)],
    ["kind", (b) => t(b.kind)], ["title_f", (b) => b.title], ["text", (b) => b.text], ["expires_at", (b) => when(b.expires_at)],
    ["read_count", (b) => h("a", { href: "#broadcasts/" + b.id }, `${b.read_count}/${b.recipients}`)],
    ["withdraw", (b) => h("button", { onclick: async () => { await api("DELETE", "/broadcasts/" + b.id); route(); } }, t("withdraw"))]], list.items))];
};

pages.shifts = async () => {
  const from = today(), to = new Date(Date.now() + 6 * 864e5).toISOString().slice(0, 10);
  const [shifts, roster, att] = await Promise.all([api("GET", "/shifts?page_size=200"),
    api("GET", `/roster?from=${from}&to=${to}&page_size=500`), api("GET", `/attendance?from=${from}&to=${from}&page_size=500`)]);
  const err = errorBox(), err2 = errorBox();
  const def = h("form", { class: "row" }, input("name", { required: "" }), input("start", { type: "time", required: "" }),
    input("end", { type: "time", required: "" }), input("break_minutes", { type: "number", min: "0", value: "60" }), h("button", {}, t("create")));
  submitJSON(def, err, "/shifts", (f) => ({ name: f.name, start: f.start, end: f.end, break_minutes: Number(f.break_minutes) }));
  const assign = h("form", { class: "row" }, input("agent_ids", { label: "agents", placeholder: "7,8" }), input("group_id", { type: "number" }),
    input("from", { label: "date_from", type: "date", required: "", value: from }), input("to", { label: "date_to", type: "date", required: "", value: to }),
    h("label", {}, h("span", {}, t("shift")), h("select", { name: "shift" }, [["", t("day_off")], ["clear", t("clear")]]
      .concat(shifts.items.map((s) => [String(s.id), s.name])).map(([v, l]) => h("option", { value: v }, l)))), h("button", {}, t("assign")));
  submitJSON(assign, err2, "/roster/assign", (f) => ({
    agent_ids: f.agent_ids ? f.agent_ids.split(/[,\s]+/).filter(Boolean).map(Number) : [], group_id: Number(f.group_id) || 0,
    from: f.from, to: f.to, shift_id: /^\d+$/.test(f.shift) ? Number(f.shift) : undefined, day_off: f.shift === "", clear: f.shift === "clear" }));
  return [h("div", { class: "card" }, h("h3", {}, t("shifts")), def, err, table([["name", (s) => s.name], ["start", (s) => s.start],
      ["end", (s) => s.end], ["break_minutes", (s) => String(s.break_minutes)], ["crosses_midnight", (s) => (s.crosses_midnight ? t("yes") : "")]], shifts.items)),
    h("div", { class: "card" }, h("h3", {}, t("roster")), assign, err2, table([["date", (r) => r.date], ["username", (r) => r.display_name || r.username],
      ["shift", (r) => (r.day_off ? t("day_off") : `${r.shift_name} ${r.start}-${r.end}`)]], roster.items)),
    h("div", { class: "card" }, h("h3", {}, `${t("attendance")} ${from}`), table([["username", (d) => d.display_name || d.username],
      ["shift", (d) => d.shift_name], ["first_sign_in", (d) => when(d.first_sign_in)], ["last_sign_out", (d) => when(d.last_sign_out)],
      ["late", (d) => String(d.late_minutes)], ["early_leave", (d) => String(d.early_leave_minutes)],
      ["break_used", (d) => `${d.break_minutes}/${d.break_allowance_minutes}`], ["absent", (d) => (d.absent ? t("yes") : "")]], att.items))];
};

// The live stream: messages and announcements show in the header at once
// and refresh the page that lists them. EventSource resumes by itself with
// Last-Event-ID; on reset it reloads the page's data.
function startLive() {
  if (!window.EventSource || startLive.es) return;
  const es = (startLive.es = new EventSource("/api/v1/me/events"));
  const note = document.getElementById("live");
  const show = (text) => { if (note) note.textContent = text; };
  const refresh = (pagesShown) => { if (pagesShown.includes((location.hash.slice(1) || "").split(/[/?]/)[0])) route(); };
  es.addEventListener("message", (e) => { const m = JSON.parse(e.data); if (m.to_user_id === me.id) show(`${t("messages")}: ${m.from_name}`); refresh(["messages"]); });
  es.addEventListener("announcement", (e) => { show(`${t("announcements")}: ${JSON.parse(e.data).title || ""}`); refresh(["messages", "broadcasts"]); });
  es.addEventListener("reset", () => refresh(["messages", "broadcasts"]));
  es.addEventListener("end", (e) => {
    if (JSON.parse(e.data).reason !== "shutdown") { es.close(); startLive.es = null; } // after a shutdown EventSource reconnects
  });
}

// The header shows once signed in (app.js's start) and hides at sign-out.
new MutationObserver(() => {
  if (me) startLive();
  else if (startLive.es) { startLive.es.close(); startLive.es = null; }
}).observe(document.getElementById("top"), { attributes: true, attributeFilter: ["hidden"] });
