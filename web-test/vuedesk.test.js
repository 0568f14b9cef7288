// Browser test of the Vue agent desktop (/app/desk) against the real server
// and its built-in simulator (scripts/test-ui.sh, web-test/simulator.yaml):
// an admin sets up a group, an agent (extension 1009: vue.test.js signs 1008 in), a progressive campaign with a script
// and a contact through the API; the agent, in a second browser context,
// signs the softphone in, goes ready, gets a message live, receives the
// simulator's call with the customer's data (masked), holds and resumes it,
// sends the customer to the IVR's identity check and gets them back verified,
// answers the script, opens the knowledge-base article linked to a node, flags
// the node with feedback, pauses it, reloads (call, script and pause survive),
// resumes, hangs up and disposes with a callback; the API shows the
// disposition, the callback and the answers. Screenshots of the desk in
// zh-CN and en at 1366×768; no console errors.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { still } = require("./still");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
const shots = process.env.CC_UI_SCREENSHOTS || path.join(__dirname, "screenshots");
// Every wait is for a condition; patience is only the safety net.
const patience = 120_000;
const agentUser = "vue_desk_agent";
const agentPass = "Vue-Desk-Pass-2026";
let browser;

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    timeout: patience,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await browser?.close(); });

// rest calls the API with a bearer token (the admin's unless given).
const tokens = {};
async function rest(method, p, body, user = "admin", pw = password) {
  if (!tokens[user]) {
    const r = await fetch(base + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: user, password: pw }) });
    assert.ok(r.ok, `sign-in of ${user}: ${r.status} ${await r.clone().text()}`);
    tokens[user] = (await r.json()).token;
  }
  const r = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", Authorization: "Bearer " + tokens[user] }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// until polls cond (an async function) until it holds; patience is only the safety net.
async function until(cond) {
  const deadline = Date.now() + patience;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, "timed out: " + cond);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`${m.text()} ${m.location().url || ""}`.trim()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

async function shot(page, name) {
  await still(page);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

// nothingCutOff fails when a visible label is wider than its box (as vue.test.js).
async function nothingCutOff(page, where) {
  const cut = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll(".el-menu-item span, .el-button span, .el-form-item__label, .el-descriptions__label, .el-card__header, .el-tag__content, .el-select__selected-item span")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") out.push(el.textContent.trim());
    }
    return out;
  });
  assert.deepEqual(cut, [], `labels cut off on ${where}`);
}

async function toLang(page, lang) {
  if ((await page.locator("html").getAttribute("lang")) === lang) return;
  await page.click("#lang");
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

// option clicks the script's answer button labelled exactly so ("是", not "不是").
const option = (page, label) => page.locator("#script .walk-option", { hasText: new RegExp(`^${label}$`) }).click();
const state = (page, s) => page.waitForSelector(`#desk-state[data-state='${s}']`);

// setup makes the group, the agent on extension 1009 (vue.test.js has 1008), a calendar open all
// day, a strategy, a published script and a progressive campaign with one
// customer who answers and stays on the line (web-test/simulator.yaml).
async function setup() {
  const group = await rest("POST", "/groups", { name: "Vue坐席组", kind: "agent" });
  const agent = await rest("POST", "/users", { username: agentUser, password: agentPass, role: "agent", display_name: "赵敏", extension: "1009", group_ids: [group.id] });
  const allDay = ["workday", "weekend", "holiday"].map((d) => ({ day_kind: d, start: "00:00", end: "24:00" }));
  const cal = await rest("POST", "/calendars", { name: "Vue全天", timezone: "Asia/Shanghai", windows: allDay });
  const strategy = await rest("POST", "/strategies", { name: "Vue外呼", calendar_id: cal.id, batch_size: 10, batch_interval_s: 0 });
  // A published knowledge-base article, linked from the node q2.
  const art = await rest("POST", "/kb/articles", { title: "还款渠道说明", category: "信用卡", body: "手机银行、柜台、自动扣款均可还款。" });
  await rest("POST", `/kb/articles/${art.id}/status`, { status: "published" });
  const script = await rest("POST", "/scripts", {
    title: "Vue话术：还款提醒", start: "q1", publish: true, nodes: [
      { id: "q1", type: "question", text: "您好，请问是{{name}}本人吗？", answer_type: "yes_no",
        options: [{ value: "yes", label: "是", next: "q2" }, { value: "no", label: "不是", next: "end_no" }] },
      { id: "q2", type: "question", text: "您计划何时还款？", answer_type: "single", article_ids: [art.id],
        options: [{ value: "this_month", label: "本月内", next: "t1" }, { value: "next_month", label: "下月", next: "t1" }] },
      { id: "t1", type: "text", text: "感谢您的配合，再见。", next: "end_ok" },
      { id: "end_ok", type: "end", outcome: "promised" },
      { id: "end_no", type: "end", outcome: "wrong_person" },
    ],
  });
  const camp = await rest("POST", "/campaigns", { name: "Vue坐席外呼", kind: "collection", media: "voice", dial_mode: "progressive",
    strategy_id: strategy.id, group_id: group.id, caller_ids: ["02161234567"], max_abandon_rate: 0.03, script_id: script.id });
  await rest("POST", `/campaigns/${camp.id}/contacts`, { contacts: [{ name: "钱多多", phone: "13900770001", id_number: "110101199003071233", attributes: { 欠款金额: "3000" } }] });
  return { agent, camp, script };
}

test("Vue desk: an agent takes a simulated call with its script, holds it, and disposes with a callback", async () => {
  const { agent, camp, script } = await setup();
  const page = await newPage();
  await page.goto(base + "/app/desk");
  await page.waitForSelector("#login");
  await page.fill("input[name=username]", agentUser);
  await page.fill("input[name=password]", agentPass);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#desk");
  // The agent's menu has the desk.
  await page.waitForSelector(".el-menu-item[data-page='desk']");

  await page.click("#softphone-in");
  await state(page, "break"); // signed in on a break (reason "other") until ready
  await page.waitForSelector("#stream:has-text('实时连接')");
  await page.click("#ready");
  await state(page, "ready");
  // The timer counts the time in state.
  await page.waitForFunction(() => /^0:0[1-9]$|^0:[1-5]\d$/.test(document.getElementById("desk-timer").textContent.trim()));

  // A message arrives live as a notification.
  await rest("POST", "/messages", { to_user_id: agent.id, text: "请注意今天的回拨任务" });
  await page.waitForSelector(".desk-notice:has-text('请注意今天的回拨任务')");

  // The campaign dials the customer for the ready agent.
  await rest("POST", `/campaigns/${camp.id}/start`);
  await page.waitForSelector("#call-status[data-status='connected']");
  await state(page, "on_call");
  const customer = await page.textContent("#customer");
  assert.match(customer, /钱多多/);
  assert.match(customer, /欠款金额\s*3000/);
  assert.doesNotMatch(customer, /13900770001/); // masked for an agent without pii_view
  assert.match(customer, /\*{4}/);

  await page.click("#hold");
  await state(page, "hold");
  await page.waitForSelector("#call-status[data-status='held']");
  await page.click("#unhold");
  await state(page, "on_call");

  // The IVR identity check: the customer keys their ID number (the
  // simulator's DTMF) and comes back to the agent; the desk shows the result.
  await page.click("#verify");
  await page.waitForSelector("#verify-result[data-status='verified']");
  await state(page, "on_call");
  assert.doesNotMatch(await page.textContent("#customer"), /110101199003071233/);

  // The script, merged with the customer's name.
  await page.waitForSelector("#script .walk-text:text('您好，请问是钱多多本人吗？')");
  await option(page, "是");
  await page.waitForSelector("#script .walk-text:text('您计划何时还款？')");
  // Back to the first question and on again with the same answer.
  await page.click("#script-back");
  await page.waitForSelector("#script .walk-text:text('您好，请问是钱多多本人吗？')");
  await option(page, "是");
  await page.waitForSelector("#script .walk-text:text('您计划何时还款？')");
  // The article linked to the node opens in one click; feedback on the
  // node goes to the script's managers.
  await page.click("#script .kb-link");
  await page.waitForSelector(".kb-reader:has-text('手机银行、柜台、自动扣款均可还款。')");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".kb-reader", { state: "hidden" });
  await page.fill("#script input[name=feedback]", "客户常问能否分期，建议补充");
  await page.click("#send-feedback");
  await page.waitForSelector(".el-message--success:has-text('反馈已提交')");
  await option(page, "本月内");
  await page.waitForSelector("#script .walk-text:text('感谢您的配合，再见。')");
  await page.click("#script-pause");
  await page.waitForSelector("#script-paused");
  await nothingCutOff(page, "desk (zh-CN)");
  await shot(page, "desk-zh-CN");
  await toLang(page, "en");
  await page.waitForSelector("#desk-state:has-text('On a call')");
  await page.waitForSelector("#script-paused:has-text('Script paused')");
  await nothingCutOff(page, "desk (en)");
  await shot(page, "desk-en");
  await toLang(page, "zh-CN");

  // A reload keeps the call, its customer, the script and its pause.
  await page.reload();
  await state(page, "on_call");
  await page.waitForSelector("#customer:has-text('钱多多')");
  await page.waitForSelector("#script-paused");
  await page.waitForSelector("#stream:has-text('实时连接')");
  await page.click("#script-resume");
  await page.waitForSelector("#script .walk-next");
  await page.click("#script .walk-next");
  await page.waitForSelector("#script .walk-end:has-text('promised')");

  await page.click("#hangup");
  await state(page, "acw");
  await page.waitForSelector("#call-status[data-status='ended']");
  // The disposition shows the answers and starts from the script's outcome.
  assert.match(await page.textContent("#dispo-answers"), /您好，请问是钱多多本人吗？\s*是[\s\S]*您计划何时还款？\s*本月内/);
  await page.click("#dispo-result");
  await page.click(".el-select-dropdown__item:has-text('预约回拨')");
  await page.fill("#disposition textarea[name=note]", "客户要求下周再联系");
  // A week ahead at 10:00 in Shanghai (the browser's zone).
  const day = new Date(Date.now() + 7 * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  const callback = page.locator("#dispo-callback");
  await callback.click();
  await callback.fill(`${day} 10:00`);
  await callback.press("Enter");
  await page.waitForFunction((v) => document.querySelector("#dispo-callback").value === v, `${day} 10:00`);
  await page.click("body", { position: { x: 5, y: 5 } }); // the picker closes
  await shot(page, "desk-acw-zh-CN");
  await page.click("#dispose");
  await page.waitForSelector("#call:has-text('暂无通话')");
  await page.waitForFunction(() => document.querySelector("#desk-state").dataset.state !== "acw");

  // The API shows the disposition, the callback and the answers.
  // The attempt is closed by the dialer after the disposition: wait for it.
  let call;
  await until(async () => {
    const calls = await rest("GET", `/calls?campaign_id=${camp.id}`);
    call = calls.items[0];
    return calls.items.length === 1 && call.finished_at && call.disposition;
  });
  assert.equal(call.disposition, "callback");
  const cbs = await rest("GET", `/callbacks?contact_id=${call.contact_id}`);
  assert.equal(cbs.items.length, 1);
  assert.equal(new Date(cbs.items[0].due_at).getTime(), new Date(`${day}T10:00:00+08:00`).getTime());
  const ss = await rest("GET", `/me/script-sessions/${call.call_uuid}`, undefined, agentUser, agentPass);
  assert.deepEqual(ss.answers.map((a) => [a.node_id, a.value]).sort(), [["q1", "yes"], ["q2", "this_month"]]);
  assert.equal(ss.disposition, "callback");
  const fb = await rest("GET", `/script-feedback?script_id=${script.id}`);
  assert.ok(fb.items.some((f) => f.node_id === "q2" && f.comment === "客户常问能否分期，建议补充"), JSON.stringify(fb.items));
  const hist = await rest("GET", `/history?contact_id=${call.contact_id}`);
  assert.ok(hist.notes.some((n) => n.text === "客户要求下周再联系"));

  await page.click("#softphone-out");
  await page.waitForSelector("#softphone-in");
  assert.deepEqual(page.errors, [], "console errors");
  await page.context().close();
});

// Manual dial and the answer button: an agent (opening the server's root,
// which leads to the app's desk; extension 1021, a phone
// without auto-answer in web-test/simulator.yaml) on a break dials a number
// from the desk with no caller ID of their own (the server picks it); the
// customer answers, the agent's phone rings, the desk offers the answer
// button, the agent answers (uuid_phone_event talk), talks, hangs up,
// disposes and is back on the break. The attempt is stored with the caller
// ID the server chose.
test("Vue desk: an agent dials a number by hand and answers the ringing phone from the desk", async () => {
  const user = "vue_manual_agent";
  const pass = "Vue-Manual-Pass-2026";
  const agent = await rest("POST", "/users", { username: user, password: pass, role: "agent", display_name: "孙立", extension: "1021" });
  const page = await newPage();
  // The server's root leads to the app; an agent lands on the desk.
  await page.goto(base + "/");
  await page.waitForSelector("#login");
  assert.match(new URL(page.url()).pathname, /^\/app\//);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", pass);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#desk");
  await page.click("#softphone-in");
  await state(page, "break");
  await page.waitForSelector("#stream:has-text('实时连接')");

  // An agent may not pick a campaign (no campaign_view): only the number.
  await page.waitForSelector("#manual-dial");
  assert.equal(await page.locator("#dial-campaign").count(), 0);
  await nothingCutOff(page, "desk with manual dial (zh-CN)");
  await toLang(page, "en");
  await page.waitForSelector("#manual-dial:has-text('Manual call')");
  await nothingCutOff(page, "desk with manual dial (en)");
  await toLang(page, "zh-CN");
  await page.fill("#manual-dial input[name=dial-phone]", "13900770021");
  await page.click("#dial");
  // The customer answers after a second; then the agent's phone rings.
  await page.waitForSelector("#answer");
  await state(page, "reserved");
  assert.equal(await page.locator("#manual-dial").count(), 0); // one call at a time
  // The phone rings for acd.agent_ring (15 s): answered at once, checked after.
  await page.click("#answer");
  await state(page, "on_call");
  await page.waitForSelector("#call-status[data-status='connected']");
  await page.waitForSelector("#answer", { state: "detached" });
  // The customer card shows the number the agent keyed, and that it is a manual call.
  assert.equal((await page.textContent("#dialed")).trim(), "13900770021");
  await page.waitForSelector("#customer:has-text('手工外呼')");
  await nothingCutOff(page, "desk on a manual call (zh-CN)");
  await shot(page, "desk-manual-zh-CN");

  await page.click("#hangup");
  await state(page, "acw");
  await page.click("#dispo-result");
  await page.click(".el-select-dropdown__item:has-text('成功')");
  await page.click("#dispose");
  await page.waitForSelector("#call:has-text('暂无通话')");
  await state(page, "break"); // back on the break the dial started from
  await page.waitForSelector("#manual-dial");

  let call;
  await until(async () => {
    const calls = await rest("GET", `/calls?agent_id=${agent.id}`);
    call = calls.items.find((c) => c.destination === "+8613900770021");
    return call && call.finished_at && call.disposition;
  });
  assert.equal(call.disposition, "success");
  assert.equal(call.caller_id, "02161230000"); // the desk's pool (acd.caller_id in scripts/test-ui.sh)
  await page.click("#softphone-out");
  await page.waitForSelector("#softphone-in");
  assert.deepEqual(page.errors, [], "console errors");
  await page.context().close();
});
