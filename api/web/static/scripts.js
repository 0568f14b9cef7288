// Script pages: the list with keyword search and import, a simple designer
// (the node list with branch targets, a preview that walks the flow as an
// agent would), a call's script run (#callscript/<call uuid>) and the
// knowledge-base search.
Object.assign(I18N["zh-CN"], {
  scripts: "话术", kb: "知识库", script_title: "标题", version: "版本", published_version: "已发布版本", new_script: "新建话术",
  save: "保存", publish: "发布", save_publish: "保存并发布", start_node: "开始节点", node_id: "节点编号", node_type: "节点类型",
  node_text: "文本", answer_type: "答案类型", options: "选项（每行：值|显示|跳转）", next: "下一步", outcome: "结果",
  add_node: "添加节点", remove: "移除", preview_walk: "预览（按坐席视角走一遍）", restart: "重新开始", answer: "回答", go_on: "继续",
  ended_with: "结束，结果：", import_script: "导入话术（xlsx / docx / doc / txt）", question: "问题", end: "结束",
  single: "单选", multi: "多选", number: "数字", rating: "评分", yes_no: "是非", updated_at: "更新时间",
  not_published: "未发布", pause: "暂停", resume: "继续话术", pause_reason: "暂停原因", service: "业务办理", complaint: "投诉",
  other: "其他", script_paused: "话术已暂停", answers: "已答", submit_results: "提交结果", business: "业务结果（每行：名称=值）",
  type_question: "问题", type_text: "话术", type_end: "结束", at_single: "单选", at_multi: "多选", at_number: "数字",
  at_date: "日期", at_text: "文本", at_rating: "评分", at_yes_no: "是非",
  script_answers: "话术答案报表", download_xlsx: "下载 xlsx", sessions: "通数", count: "次数", disposition: "处理结果",
  article_ids: "知识库文章ID", branches: "分支（每行：条件|值|跳转，条件 eq ne lt le gt ge contains）", feedback: "对本节点的反馈",
  flag: "提交反馈", feedback_sent: "反馈已提交", open_feedback: "待处理的坐席反馈", reply: "答复", resolve: "解决", call_uuid: "通话ID", category: "分类", tags: "标签", articles: "文章", open: "打开", active: "进行中", finished: "已结束",
});
Object.assign(I18N.en, {
  scripts: "Scripts", kb: "Knowledge base", script_title: "Title", version: "Version", published_version: "Published", new_script: "New script",
  save: "Save", publish: "Publish", save_publish: "Save and publish", start_node: "Start node", node_id: "Node id", node_type: "Node type",
  node_text: "Text", answer_type: "Answer type", options: "Options (one a line: value|label|next)", next: "Next", outcome: "Outcome",
  add_node: "Add node", remove: "Remove", preview_walk: "Preview (walk it as an agent)", restart: "Restart", answer: "Answer", go_on: "Continue",
  ended_with: "Ended with outcome: ", import_script: "Import a script (xlsx / docx / doc / txt)", question: "Question", end: "End",
  single: "Single choice", multi: "Multiple choice", number: "Number", rating: "Rating", yes_no: "Yes/no", updated_at: "Updated",
  not_published: "not published", pause: "Pause", resume: "Resume script", pause_reason: "Pause reason", service: "Service request", complaint: "Complaint",
  other: "Other", script_paused: "Script paused", answers: "Answers", submit_results: "Submit results", business: "Business results (one a line: name=value)",
  type_question: "Question", type_text: "Text to read", type_end: "End", at_single: "Single choice", at_multi: "Multiple choice",
  at_number: "Number", at_date: "Date", at_text: "Free text", at_rating: "Rating", at_yes_no: "Yes/no",
  script_answers: "Script answers", download_xlsx: "Download xlsx", sessions: "Sessions", count: "Count", disposition: "Disposition",
  article_ids: "KB article ids", branches: "Branches (one a line: op|value|next; op eq ne lt le gt ge contains)",
  feedback: "Feedback on this node", flag: "Flag", feedback_sent: "Feedback sent", open_feedback: "Open feedback from agents",
  reply: "Reply", resolve: "Resolve", call_uuid: "Call ID", category: "Category", tags: "Tags", articles: "Articles", open: "Open", active: "Active", finished: "Finished",
});

const NODE_TYPES = ["question", "text", "end"];
const ANSWER_TYPES = ["single", "multi", "number", "date", "text", "rating", "yes_no"];

function labelled(key, el) { return h("label", {}, h("span", {}, t(key)), el); }

function selectOf(name, values, current, labelOf = (v) => t(v) || v) {
  const s = h("select", { name }, values.map((v) => h("option", { value: v }, v === "" ? "—" : labelOf(v))));
  s.value = current ?? "";
  return s;
}

pages.scripts = async function scripts() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "").get("q") || "";
  const list = await api("GET", "/scripts?page_size=200&q=" + encodeURIComponent(q));
  const err = errorBox();
  const search = h("form", { class: "row" }, h("input", { name: "q", value: q }), h("button", {}, t("search")));
  search.addEventListener("submit", (e) => { e.preventDefault(); location.hash = "scripts?q=" + encodeURIComponent(search.q.value); });
  const imp = h("form", { class: "row" }, labelled("file", h("input", { type: "file", name: "file", required: "" })),
    labelled("script_title", h("input", { name: "title" })), h("button", {}, t("import")));
  const details = h("div");
  imp.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = ""; details.replaceChildren();
    try {
      const sc = await api("POST", "/scripts/import", new FormData(imp));
      location.hash = "script/" + sc.id;
    } catch (x) {
      err.textContent = x.message;
      if (x.error && x.error.details) details.replaceChildren(table([["row", (d) => String(d.row || "")], ["field", (d) => d.field], ["message", (d) => d.message]], x.error.details));
    }
  });
  const canEdit = me.permissions.includes("script_edit");
  const feedback = h("div", { class: "card", id: "feedback" });
  if (canEdit) {
    const fl = await api("GET", "/script-feedback?page_size=50&status=open");
    const fbErr = errorBox();
    feedback.append(h("h3", {}, t("open_feedback")), table([["script_title", (f) => h("a", { href: "#script/" + f.script_id }, "#" + f.script_id + " v" + f.version)],
      ["node_id", (f) => f.node_id], ["message", (f) => f.comment], ["time", (f) => when(f.created_at)],
      ["answer", (f) => {
        const inp = h("input", { name: "answer", size: "20" });
        const send = (status) => api("PATCH", "/script-feedback/" + f.id, { answer: inp.value, status }).then(route).catch((x) => { fbErr.textContent = x.message; });
        return h("span", {}, inp, h("button", { type: "button", class: "fb-answer", onclick: () => send("answered") }, t("reply")),
          h("button", { type: "button", class: "fb-resolve", onclick: () => send("resolved") }, t("resolve")));
      }]], fl.items), fbErr);
  }
  return [h("div", { class: "card" }, search, canEdit ? h("p", {}, h("a", { href: "#script/new", id: "new-script" }, "+ " + t("new_script"))) : ""),
    canEdit ? h("div", { class: "card" }, h("h3", {}, t("import_script")), imp, err, details) : "",
    h("div", { class: "card" }, table([["script_title", (s) => h("a", { href: "#script/" + s.id }, s.title)],
      ["version", (s) => String(s.version)], ["published_version", (s) => (s.published_version ? String(s.published_version) : t("not_published"))],
      ["updated_at", (s) => when(s.updated_at)]], list.items)), canEdit ? feedback : ""];
};

// optionsText and parseOptions turn options into "value|label|next" lines and back.
function optionsText(opts) { return (opts || []).map((o) => [o.value, o.label, o.next || ""].join("|")).join("\n"); }
function parseOptions(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const [value, label, next] = l.split("|").map((x) => (x || "").trim());
    return { value, label: label || value, next: next || "" };
  });
}

pages.script = async function script(id) {
  const isNew = id === "new";
  const sc = isNew ? { title: "", start: "q1", nodes: [{ id: "q1", type: "question", answer_type: "single", text: "", options: [] }], version: 0 }
    : await api("GET", "/scripts/" + id);
  let nodes = sc.nodes.map((n) => ({ ...n }));
  const err = errorBox(), list = h("div", { id: "nodes" }), preview = h("div", { class: "card", id: "preview" });
  const title = h("input", { name: "title", value: sc.title, required: "" });
  const startSel = h("select", { name: "start" });
  const canPublish = me.permissions.includes("script_publish");

  function ids() { return nodes.map((n) => n.id); }
  function refreshStart() {
    const cur = startSel.value || sc.start;
    startSel.replaceChildren(...ids().map((i) => h("option", { value: i }, i)));
    startSel.value = ids().includes(cur) ? cur : ids()[0] || "";
  }
  function targetSelect(name, cur, onchange) {
    const s = selectOf(name, ["", ...ids()], cur, (v) => v);
    s.addEventListener("change", () => onchange(s.value));
    return s;
  }
  function nodeRow(n, i) {
    const idIn = h("input", { name: "id", value: n.id, size: "8" });
    idIn.addEventListener("change", () => { n.id = idIn.value.trim(); render(); });
    const type = selectOf("type", NODE_TYPES, n.type, (v) => t("type_" + v));
    type.addEventListener("change", () => { n.type = type.value; if (n.type === "question" && !n.answer_type) n.answer_type = "single"; render(); });
    const text = h("textarea", { name: "text", rows: "2", cols: "40" }, n.text || "");
    text.addEventListener("input", () => { n.text = text.value; });
    const row = h("div", { class: "node", "data-node": n.id }, labelled("node_id", idIn), labelled("node_type", type), labelled("node_text", text));
    if (n.type === "question") {
      const at = selectOf("answer_type", ANSWER_TYPES, n.answer_type, (v) => t("at_" + v));
      at.addEventListener("change", () => { n.answer_type = at.value; render(); });
      const opts = h("textarea", { name: "options", rows: "3", cols: "30" }, optionsText(n.options));
      opts.addEventListener("input", () => { n.options = parseOptions(opts.value); });
      const br = h("textarea", { name: "branches", rows: "2", cols: "22" }, (n.branches || []).map((b) => [b.op, b.value, b.next].join("|")).join("\n"));
      br.addEventListener("input", () => {
        n.branches = br.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
          const [op, value, next] = l.split("|").map((x) => (x || "").trim());
          return { op, value: value || "", next: next || "" };
        });
      });
      row.append(labelled("answer_type", at), labelled("options", opts), labelled("branches", br));
    }
    const arts = h("input", { name: "article_ids", value: (n.article_ids || []).join(","), size: "6" });
    arts.addEventListener("input", () => { n.article_ids = arts.value.split(/[,，\s]+/).filter(Boolean).map(Number).filter((x) => x > 0); });
    row.append(labelled("article_ids", arts));
    if (n.type === "end") {
      const oc = h("input", { name: "outcome", value: n.outcome || "", size: "14" });
      oc.addEventListener("input", () => { n.outcome = oc.value.trim(); });
      row.append(labelled("outcome", oc));
    } else {
      row.append(labelled("next", targetSelect("next", n.next, (v) => { n.next = v; })));
    }
    row.append(h("button", { type: "button", onclick: () => { nodes.splice(i, 1); render(); } }, t("remove")));
    return row;
  }
  const diagram = h("div", { class: "card diagram", id: "diagram" });
  function render() {
    refreshStart();
    list.replaceChildren(...nodes.map(nodeRow));
    drawDiagram();
  }
  function drawDiagram() { diagram.replaceChildren(flowDiagram({ start: startSel.value, nodes: nodes.map(clean) })); }
  list.addEventListener("input", () => drawDiagram());
  list.addEventListener("change", () => drawDiagram());
  startSel.addEventListener("change", () => drawDiagram());
  function body(publish) {
    const b = { title: title.value, start: startSel.value, nodes: nodes.map(clean), publish };
    if (!isNew) b.base_version = sc.version;
    return b;
  }
  function clean(n) {
    const o = { id: n.id, type: n.type, text: n.text || "" };
    if (n.type === "question") { o.answer_type = n.answer_type; o.options = n.options || []; if (n.branches) o.branches = n.branches; }
    if (n.type !== "end" && n.next) o.next = n.next;
    if (n.type === "end") o.outcome = n.outcome || "";
    if (n.article_ids && n.article_ids.length) o.article_ids = n.article_ids;
    return o;
  }
  async function save(publish) {
    err.textContent = "";
    try {
      const r = await api(isNew ? "POST" : "PATCH", isNew ? "/scripts" : "/scripts/" + id, body(publish));
      if (isNew) { location.hash = "script/" + r.id; return; }
      route();
    } catch (x) {
      err.textContent = x.message;
      for (const d of (x.error && x.error.details) || []) err.append(h("br"), `${d.field}: ${d.message}`);
    }
  }
  const add = h("button", { type: "button", id: "add-node", onclick: () => {
    let k = nodes.length + 1;
    while (ids().includes("n" + k)) k++;
    nodes.push({ id: "n" + k, type: "text", text: "" }); render();
  } }, t("add_node"));
  render();
  const actions = h("p", {}, h("button", { type: "button", id: "save", onclick: () => save(false) }, t("save")), " ",
    canPublish ? h("button", { type: "button", id: "save-publish", onclick: () => save(true) }, t("save_publish")) : "",
    " ", h("button", { type: "button", id: "walk", onclick: () => walk(preview, { start: startSel.value, nodes: nodes.map(clean) }) }, t("preview_walk")));
  walk(preview, { start: sc.start, nodes: sc.nodes || [] });
  return [h("p", {}, h("a", { href: "#scripts" }, "← " + t("back"))),
    h("div", { class: "card" }, labelled("script_title", title), " ", labelled("start_node", startSel),
      isNew ? "" : h("span", {}, ` ${t("version")} ${sc.version} · ${t("published_version")} ${sc.published_version || t("not_published")}`)),
    h("div", { class: "card" }, list, add, actions, err), diagram, preview];
};

// flowDiagram draws the flow as boxes and arrows: a column per step from
// the start (breadth first), nodes the start cannot reach in a last column
// in red, arrows labelled with the option or branch that takes them.
function flowDiagram(flow) {
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const byId = Object.fromEntries(flow.nodes.map((n) => [n.id, n]));
  const edges = (n) => [...(n.branches || []).map((b) => [b.next, `${b.op} ${b.value}`]),
    ...(n.options || []).filter((o) => o.next).map((o) => [o.next, o.label || o.value]), ...(n.next ? [[n.next, ""]] : [])];
  const depth = {}, cols = [];
  const queue = byId[flow.start] ? [flow.start] : [];
  if (queue.length) depth[flow.start] = 0;
  while (queue.length) {
    const id = queue.shift();
    for (const [to] of edges(byId[id])) if (byId[to] && depth[to] === undefined) { depth[to] = depth[id] + 1; queue.push(to); }
  }
  const last = Math.max(0, ...Object.values(depth)) + 1;
  for (const n of flow.nodes) {
    const d = depth[n.id] ?? last;
    (cols[d] = cols[d] || []).push(n.id);
  }
  const W = 150, H = 46, GX = 70, GY = 24, pos = {};
  cols.forEach((ids, c) => (ids || []).forEach((id, r) => { pos[id] = { x: 10 + c * (W + GX), y: 10 + r * (H + GY) }; }));
  const width = 20 + cols.length * (W + GX), height = 20 + Math.max(1, ...cols.map((c) => (c || []).length)) * (H + GY);
  const svg = el("svg", { width, height, class: "flow", viewBox: `0 0 ${width} ${height}` });
  const defs = el("defs", {});
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
  marker.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#4a5468" }));
  defs.append(marker); svg.append(defs);
  for (const n of flow.nodes) {
    for (const [to, label] of edges(n)) {
      const a = pos[n.id], b = pos[to];
      if (!b) continue;
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const back = x2 <= x1;
      const d = back ? `M ${a.x + W / 2} ${a.y + H} C ${a.x + W / 2} ${a.y + H + 40}, ${b.x + W / 2} ${b.y + H + 40}, ${b.x + W / 2} ${b.y + H}`
        : `M ${x1} ${y1} C ${x1 + GX / 2} ${y1}, ${x2 - GX / 2} ${y2}, ${x2} ${y2}`;
      svg.append(el("path", { d, fill: "none", stroke: "#4a5468", "marker-end": "url(#arrow)", class: "edge", "data-from": n.id, "data-to": to }));
      if (label) svg.append(el("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "font-size": "11", "text-anchor": "middle", fill: "#1f3b64" }, label));
    }
  }
  for (const n of flow.nodes) {
    const p = pos[n.id], unreachable = depth[n.id] === undefined;
    const fill = unreachable ? "#fde2e0" : n.type === "end" ? "#e3f4e8" : n.type === "question" ? "#eef3fb" : "#fff";
    svg.append(el("rect", { x: p.x, y: p.y, width: W, height: H, rx: "6", fill, stroke: unreachable ? "#b3261e" : "#8a97ad", class: "box", "data-node": n.id }));
    svg.append(el("text", { x: p.x + 8, y: p.y + 17, "font-size": "12", "font-weight": "bold" }, `${n.id} · ${t("type_" + n.type)}`));
    const sub = n.type === "end" ? n.outcome || "" : (n.text || "").slice(0, 10);
    svg.append(el("text", { x: p.x + 8, y: p.y + 35, "font-size": "12" }, sub));
  }
  return svg;
}

// nextOf computes where an answer leads, as the server does.
function nextOf(n, answer) {
  for (const b of n.branches || []) {
    const x = parseFloat(answer), y = parseFloat(b.value);
    const cmp = n.answer_type === "date" ? (answer < b.value ? -1 : answer > b.value ? 1 : 0) : (x < y ? -1 : x > y ? 1 : 0);
    const ok = { eq: answer === b.value, ne: answer !== b.value, lt: cmp < 0, le: cmp <= 0, gt: cmp > 0, ge: cmp >= 0,
      contains: answer.split(",").map((s) => s.trim()).includes(b.value) || answer.includes(b.value) }[b.op];
    if (ok) return b.next;
  }
  const o = (n.options || []).find((o) => o.value === answer && o.next);
  return o ? o.next : n.next;
}

// walk shows a flow one node at a time, as the agent sees it.
function walk(box, flow) {
  const byId = Object.fromEntries(flow.nodes.map((n) => [n.id, n]));
  const path = [];
  function show(id) {
    const n = byId[id];
    const head = [h("h3", {}, t("preview_walk")), h("p", { class: "path" }, path.join(" → ")),
      h("button", { type: "button", onclick: () => { path.length = 0; show(flow.start); } }, t("restart"))];
    if (!n) { box.replaceChildren(...head, h("p", { class: "error" }, id ? `${id}?` : "—")); return; }
    const go = (answer) => { path.push(answer ? `${n.id}=${answer}` : n.id); show(nextOf(n, answer || "")); };
    const parts = [h("p", { class: "walk-text", "data-node": n.id }, n.text || "")];
    if (n.type === "end") parts.push(h("p", { class: "walk-end" }, t("ended_with") + n.outcome));
    else if (n.type === "text") parts.push(h("button", { type: "button", class: "walk-next", onclick: () => go("") }, t("go_on")));
    else if (n.answer_type === "single" || n.answer_type === "yes_no") {
      const opts = n.options && n.options.length ? n.options : [{ value: "yes", label: "是" }, { value: "no", label: "否" }];
      parts.push(h("p", {}, opts.map((o) => h("button", { type: "button", class: "walk-option", onclick: () => go(o.value) }, o.label || o.value))));
    } else {
      const inp = h("input", { name: "answer", type: n.answer_type === "number" || n.answer_type === "rating" ? "number" : n.answer_type === "date" ? "date" : "text" });
      parts.push(h("p", {}, inp, h("button", { type: "button", class: "walk-answer", onclick: () => go(inp.value) }, t("answer"))));
    }
    box.replaceChildren(...head, ...parts);
  }
  show(flow.start);
}

// callscript runs the script of a call: #callscript/<call uuid>. The agent
// desk opens it for the call it handles; a reload finds the session as it was.
pages.callscript = async function callscript(uuid) {
  const err = errorBox(), box = h("div", { class: "card", id: "session" }), reader = h("div", { class: "card", id: "article" });
  let view;
  try { view = await api("GET", "/me/script-sessions/" + encodeURIComponent(uuid)); } catch (x) {
    if (x.status !== 404) throw x;
    const script = Number(new URLSearchParams(location.hash.split("?")[1] || "").get("script") || 0);
    view = await api("POST", "/me/script-sessions", { call_uuid: uuid, script_id: script });
  }
  const base = "/me/script-sessions/" + encodeURIComponent(uuid);
  async function act(path, body) {
    err.textContent = "";
    try { view = await api("POST", base + path, body); render(); } catch (x) { err.textContent = x.message; }
  }
  function render() {
    const n = view.node;
    const parts = [h("h3", {}, `${view.title} · ${t("version")} ${view.version}`), h("p", {}, `${t("status")}: ${t(view.status)}`)];
    if (view.status === "paused") {
      parts.push(h("p", { class: "paused" }, `${t("script_paused")} (${t(view.pause_reason)})`),
        h("button", { type: "button", id: "resume", onclick: () => act("/resume") }, t("resume")));
    } else if (n && view.status === "active") {
      parts.push(h("p", { class: "walk-text", "data-node": n.id }, n.text || ""));
      if ((n.article_ids || []).length) {
        parts.push(h("p", { class: "kb-links" }, t("articles") + ": ", ...n.article_ids.map((aid) =>
          h("a", { href: "#", class: "kb-link", onclick: (e) => { e.preventDefault(); openArticle(reader, aid).catch((x) => { err.textContent = x.message; }); } }, "#" + aid + " "))));
      }
      if (n.type === "text") parts.push(h("button", { type: "button", class: "walk-next", onclick: () => act("/answers", { node_id: n.id }) }, t("go_on")));
      else if (n.answer_type === "single" || n.answer_type === "yes_no") {
        parts.push(h("p", {}, (n.options || []).map((o) => h("button", { type: "button", class: "walk-option", onclick: () => act("/answers", { node_id: n.id, value: o.value }) }, o.label))));
      } else {
        const inp = h("input", { name: "answer" });
        parts.push(h("p", {}, inp, h("button", { type: "button", class: "walk-answer", onclick: () => act("/answers", { node_id: n.id, value: inp.value }) }, t("answer"))));
      }
      const fb = h("input", { name: "feedback", size: "30" });
      parts.push(h("p", {}, labelled("feedback", fb), h("button", { type: "button", id: "send-feedback", onclick: async () => {
        err.textContent = "";
        try {
          await api("POST", `/scripts/${view.script_id}/feedback`, { version: view.version, node_id: n.id, comment: fb.value });
          fb.value = ""; err.textContent = t("feedback_sent");
        } catch (x) { err.textContent = x.message; }
      } }, t("flag"))));
      const reason = selectOf("reason", ["service", "complaint", "other"], "service");
      parts.push(h("p", {}, labelled("pause_reason", reason), h("button", { type: "button", id: "pause", onclick: () => act("/pause", { reason: reason.value }) }, t("pause"))));
    } else if (view.outcome) {
      parts.push(h("p", { class: "walk-end" }, t("ended_with") + view.outcome));
    }
    const byId = Object.fromEntries(view.nodes.map((x) => [x.id, x]));
    parts.push(h("h4", {}, t("answers")), table([["question", (a) => (byId[a.node_id] || {}).text || a.node_id], ["answer", (a) => a.value]], view.answers));
    if (!view.disposition) {
      const result = h("input", { name: "result", value: view.outcome || "" });
      const business = h("textarea", { name: "business", rows: "2" });
      parts.push(h("p", {}, labelled("result", result), labelled("business", business),
        h("button", { type: "button", id: "results", onclick: () => {
          const b = Object.fromEntries(business.value.split("\n").map((l) => l.split("=").map((s) => s.trim())).filter((p) => p[0]));
          act("/results", { result: result.value, business: b });
        } }, t("submit_results"))));
    } else {
      parts.push(h("p", { class: "disposition" }, `${t("result")}: ${view.disposition} ${Object.entries(view.business || {}).map(([k, v]) => `${k}=${v}`).join(" ")}`));
    }
    box.replaceChildren(...parts, err);
  }
  render();
  return [h("p", {}, `${t("call_uuid")}: ${uuid}`), box, reader];
};

// scriptanswers is a campaign's answer report: #scriptanswers/<campaign id>.
pages.scriptanswers = async function scriptanswers(id) {
  const rep = await api("GET", `/campaigns/${id}/script-answers`);
  const rows = rep.questions.flatMap((q) => q.values.map((v) => ({ q, v })));
  const outcomes = rep.outcomes.map((o) => o.outcome);
  return [h("p", {}, h("a", { href: "#campaign/" + id }, "← " + t("back"))),
    h("div", { class: "card" }, h("h3", {}, `${t("script_answers")} · ${t("sessions")} ${rep.sessions}`),
      h("p", {}, h("a", { href: `/api/v1/campaigns/${id}/script-answers?format=xlsx`, id: "answers-xlsx" }, t("download_xlsx"))),
      table([["question", (r) => r.q.text || r.q.node_id], ["answer", (r) => r.v.label], ["count", (r) => String(r.v.count)],
        ...[...new Set(outcomes)].map((o) => [o || "—", (r) => String(r.v.by_outcome[o] || 0)])], rows)),
    h("div", { class: "card" }, table([["outcome", (o) => o.outcome || "—"], ["disposition", (o) => o.disposition], ["sessions", (o) => String(o.count)]], rep.outcomes))];
};

// openArticle shows a published article with its attachments in box.
async function openArticle(box, id) {
  const a = await api("GET", "/kb/read/" + id);
  box.replaceChildren(h("h3", {}, a.title), h("p", {}, `${t("category")}: ${a.category} · ${t("tags")}: ${(a.tags || []).join(", ")}`),
    h("pre", { class: "article-body" }, a.body),
    ...(a.attachments || []).map((f) => h("p", {}, h("a", { href: `/api/v1/kb/read/${a.id}/attachments/${f.id}` }, f.name))));
}

pages.kb = async function kb() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "").get("q") || "";
  const res = await api("GET", "/kb/search?page_size=50&q=" + encodeURIComponent(q));
  const search = h("form", { class: "row" }, h("input", { name: "q", value: q }), h("button", {}, t("search")));
  search.addEventListener("submit", (e) => { e.preventDefault(); location.hash = "kb?q=" + encodeURIComponent(search.q.value); });
  const reader = h("div", { class: "card", id: "article" });
  const open = (id) => openArticle(reader, id);
  return [h("div", { class: "card" }, search), h("div", { class: "card" }, table([["script_title", (a) => h("a", { href: "#kb?q=" + encodeURIComponent(q), onclick: (e) => { e.preventDefault(); open(a.id); } }, a.title)],
    ["category", (a) => a.category], ["tags", (a) => (a.tags || []).join(", ")]], res.items)), reader];
};

applyI18n(); // the header's links, now that every page's texts are in
