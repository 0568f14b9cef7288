// Browser tests of the Vue admin app (/app/) against the real server
// (simulated switch, throw-away SQLite), run by scripts/test-ui.sh: sign-in
// in Chinese, English everywhere, a campaign created, an xlsx imported
// through the wizard with its row errors, the server's refusal to start a
// campaign without its settings, then its start and pause once a strategy,
// group and caller ID are chosen, the guards (watermark, idle lock), no console
// errors, and a screenshot of every page in both languages at 1366×768
// (CC_UI_SCREENSHOTS, git-ignored).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
const shots = process.env.CC_UI_SCREENSHOTS || path.join(__dirname, "screenshots");
// Every wait is for a condition; patience is only the safety net.
const patience = 120_000;
const campaignName = "Vue界面活动";
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

// newPage opens a page at 1366×768 that records console errors and uncaught
// exceptions (allowed: the 401 of a refused sign-in, when the test says so).
async function newPage(viewport = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`${m.text()} ${m.location().url || ""}`.trim()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

function noErrors(page, allowed = /^$/) {
  const left = page.errors.filter((e) => !allowed.test(e));
  assert.deepEqual(left, [], "console errors");
}

async function shot(page, name) {
  await page.waitForLoadState("networkidle");
  // No loading mask left fading out over a table.
  await page.waitForFunction(() => [...document.querySelectorAll(".el-loading-mask")].every((m) => getComputedStyle(m).display === "none"));
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

// nothingCutOff fails when a visible label is wider than its box at this size
// (a table cell's text that wraps is fine; one hidden by overflow is not).
async function nothingCutOff(page, where, extra = "") {
  const cut = await page.evaluate((more) => {
    // Labels, titles, headers and the chosen value of a select.
    const out = [];
    for (const el of document.querySelectorAll(".el-menu-item span, .el-button span, .el-tabs__item, .el-form-item__label, .kpi-label, .el-step__title, .page-head h2, .el-table th .cell, .el-select__selected-item span" + more)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") out.push(el.textContent.trim());
    }
    return out;
  }, extra);
  assert.deepEqual(cut, [], `labels cut off on ${where}`);
}

// rest calls the API as the admin (bearer token), for what a test sets up
// outside the pages under test.
let token;
async function rest(method, p, body) {
  if (!token) {
    const r = await fetch(base + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "admin", password }) });
    token = (await r.json()).token;
  }
  const r = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", Authorization: "Bearer " + token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// restAs calls the API with another user's bearer token.
async function restAs(tok, method, p, body) {
  const r = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", Authorization: "Bearer " + tok }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function loginAs(username, pw) {
  const r = await fetch(base + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password: pw }) });
  assert.ok(r.ok, `login ${username}: ${r.status}`);
  return (await r.json()).token;
}

async function signIn(page, user = "admin", pw = password) {
  await page.goto(base + "/app/");
  await page.waitForSelector("#login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", pw);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#top #who");
}

async function toLang(page, lang) {
  if ((await page.locator("html").getAttribute("lang")) === lang) return;
  await page.click("#lang");
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

test("Vue login: Chinese by default, SIMULATED, a wrong password refused, English on request", async () => {
  const page = await newPage();
  await page.goto(base + "/app/");
  await page.waitForURL(/\/app\/login/);
  assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
  await page.waitForSelector("#sim");
  assert.match(await page.textContent("#sim"), /模拟/);
  await shot(page, "login-zh-CN");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", "wrong-password");
  await page.click("#login button[type=submit]");
  await page.waitForFunction(() => document.getElementById("login-error").textContent.trim() !== "");
  assert.equal(await page.locator("#top").count(), 0);
  await toLang(page, "en");
  assert.match(await page.textContent("#login"), /Username/);
  assert.match(await page.textContent("#sim"), /SIMULATED/);
  await shot(page, "login-en");
  await toLang(page, "zh-CN");
  noErrors(page, /status of 401/);
  await page.context().close();
});

test("Vue admin: creates a campaign, is refused a start without settings, imports an xlsx and sees the row errors, in both languages", async () => {
  const page = await newPage();
  await signIn(page);
  await page.waitForSelector(".kpi-campaigns_running");
  assert.equal(await page.locator("#watermark").count(), 1, "watermark on the Vue pages");
  assert.match(await page.locator("#watermark").getAttribute("data-text"), /admin \d{4}-\d\d-\d\d \d\d:\d\d$/);

  await page.click(".el-menu-item[data-page=campaigns]");
  await page.click(".new-campaign");
  await page.fill("#campaign-form input[name=name]", campaignName);
  await page.click(".el-dialog .save");
  const row = page.locator(".campaign-table tr", { hasText: campaignName });
  await row.waitFor();
  assert.match(await row.textContent(), /草稿/);

  // The server decides: no strategy, so the start is refused naming the field.
  await row.locator(".run-start").click();
  const msg = page.locator(".el-message--error");
  await msg.waitFor();
  assert.match(await msg.textContent(), /strategy_id/);
  assert.match(await row.textContent(), /草稿/);

  await row.locator(".campaign-link").click();
  await page.waitForSelector(".campaign-name");
  await page.click(".el-tabs__item:has-text('导入名单')");
  await page.setInputFiles(".step-upload input[type=file]", process.env.CC_UI_FIXTURE);
  await page.click(".wizard-preview");
  await page.waitForSelector(".mapping-table");
  await page.waitForSelector(".preview-table .el-table__row");
  assert.match(await page.textContent(".mapping-table"), /手机号码/);
  await shot(page, "import-mapping-zh-CN");
  await page.click(".wizard-import");
  await page.waitForSelector(".step-result .row-errors .el-table__row");
  const errors = await page.textContent(".row-errors");
  assert.match(errors, /\d/);
  assert.ok(Number(await page.textContent(".count-rejected")) > 0, "the fixture has rejected rows");
  assert.ok(Number(await page.textContent(".count-imported")) > 0, "the fixture has good rows");
  await shot(page, "import-result-zh-CN");
  await toLang(page, "en");
  await page.waitForSelector(".step-result >> text=Errors by row");
  await shot(page, "import-result-en");
  await page.click(".el-tabs__item:has-text('Contacts')");
  await page.waitForSelector(".contacts-table .el-table__row");
  assert.match(await page.textContent(".contacts-table"), /Pending/);
  await toLang(page, "zh-CN");
  await page.waitForSelector(".contacts-table >> text=待拨打");

  // With a strategy, a group and a caller ID chosen in the edit form, the
  // campaign starts; then it pauses.
  const cal = await rest("POST", "/calendars", { name: "Vue测试日历", timezone: "Asia/Shanghai", windows: [
    { day_kind: "workday", start: "00:00", end: "23:59" }, { day_kind: "holiday", start: "00:00", end: "23:59" }] });
  await rest("POST", "/strategies", { name: "Vue测试策略", calendar_id: cal.id, min_attempts: 1, max_attempts: 3, max_attempts_per_contact: 3 });
  await rest("POST", "/groups", { name: "Vue测试组", kind: "agent" });
  await page.reload();
  await page.waitForSelector(".campaign-name");
  await page.click(".page-head button:has-text('编辑')");
  await page.waitForSelector("#campaign-form");
  const pick = async (label, option) => {
    await page.click(`#campaign-form .el-form-item:has(label:text-is("${label}")) .el-select`);
    await page.click(`.el-select-dropdown__item:visible:has-text("${option}")`);
  };
  await pick("拨打策略", "Vue测试策略");
  await pick("坐席组", "Vue测试组");
  await page.fill("#campaign-form .el-input-tag input", "02161234567");
  await page.keyboard.press("Enter");
  await page.click(".el-dialog .save");
  await page.waitForSelector("#campaign-form", { state: "hidden" });
  await page.click(".page-head .run-start");
  await page.waitForSelector(".page-head [data-status=running]");
  await page.click(".page-head .run-pause");
  await page.waitForSelector(".page-head [data-status=paused]");
  noErrors(page, /status of 422 .*\/start$/); // the refused start
  await page.context().close();
});

test("Vue pages: every label switches, nothing cut off at 1366×768, a screenshot of each in both languages", async () => {
  const page = await newPage();
  await signIn(page);
  const pages = [
    ["dashboard", ".kpi-campaigns_running", "运营总览", "Dashboard"],
    ["campaigns", ".campaign-table", "外呼活动", "Campaigns"],
    ["blacklist", ".dnc-table", "黑名单", "Do-not-call list"],
    ["users", ".users-table", "用户", "Users"],
    ["audit", ".audit-table", "审计日志", "Audit log"],
  ];
  for (const lang of ["zh-CN", "en"]) {
    await toLang(page, lang);
    for (const [name, ready, zh, en] of pages) {
      await page.click(`.el-menu-item[data-page=${name}]`);
      await page.waitForSelector(ready);
      const title = await page.textContent(".page-head h2");
      assert.equal(title.trim(), lang === "en" ? en : zh, `${name} title in ${lang}`);
      await nothingCutOff(page, `${name} (${lang})`);
      await shot(page, `${name}-${lang}`);
    }
    await page.click(".el-menu-item[data-page=campaigns]");
    await page.locator(".campaign-table .campaign-link", { hasText: campaignName }).click();
    await page.waitForSelector(".contacts-table .el-table__row");
    await nothingCutOff(page, `campaign (${lang})`);
    await shot(page, `campaign-${lang}`);
    await page.click(".el-menu-item[data-page=campaigns]");
    await page.click(".new-campaign");
    await page.waitForSelector("#campaign-form");
    await nothingCutOff(page, `campaign form (${lang})`);
    await shot(page, `campaign-form-${lang}`);
    await page.keyboard.press("Escape");
    await page.waitForSelector("#campaign-form", { state: "hidden" });
  }
  // In English no Chinese label is left (customer data aside).
  await page.click(".el-menu-item[data-page=dashboard]");
  await page.waitForSelector(".kpi-campaigns_running");
  // (The language button names the other language: 中文.)
  const chrome = await page.evaluate(() => [...document.querySelectorAll(".aside, .header > :not(#lang), .page-head, .kpi-label, .el-card__header")].map((e) => e.textContent).join(" "));
  assert.doesNotMatch(chrome.replace(/Vue界面活动|界面测试活动/g, ""), /[\u4e00-\u9fff]/, "Chinese left in English: " + chrome);
  await toLang(page, "zh-CN");
  noErrors(page);
  await page.context().close();
});

test("Vue sign-out ends the watermark and returns to the login page", async () => {
  const page = await newPage();
  await signIn(page);
  await page.waitForSelector("#watermark", { state: "attached" });
  await page.evaluate(() => document.getElementById("watermark").remove());
  await page.waitForSelector("#watermark", { state: "attached" }); // put back
  await page.click("#logout");
  await page.waitForSelector("#login");
  assert.equal(await page.locator("#watermark").count(), 0);
  noErrors(page);
  await page.context().close();
});

test("Vue idle lock: the screen locks after the idle time, a reload stays locked, the password unlocks", async () => {
  const page = await newPage();
  await page.clock.install();
  await signIn(page);
  await page.waitForSelector(".kpi-campaigns_running");
  await page.clock.fastForward("10:30");
  await page.waitForSelector("#screen-lock");
  assert.equal(await page.locator(".kpi-campaigns_running").count(), 0, "no data behind the lock");
  assert.match(await page.locator(".el-aside").evaluate((el) => getComputedStyle(el).filter), /blur/);
  await page.reload();
  await page.waitForSelector("#screen-lock");
  await page.fill("input[name=unlock-password]", "wrong-password");
  await page.click("#unlock button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#unlock .error").textContent !== "");
  await page.fill("input[name=unlock-password]", password);
  await page.click("#unlock button[type=submit]");
  await page.waitForSelector("#screen-lock", { state: "detached" });
  await page.waitForSelector(".kpi-campaigns_running");
  noErrors(page, /status of (400|423)/); // the wrong password; requests refused while locked
  await page.context().close();
});

test("Vue without export: menu by permission, blank print and Ctrl+P refused, bulk copy of contacts refused, one cell allowed", async () => {
  const qaPassword = "Vue-Qa-Pass-2026!";
  await rest("POST", "/users", { username: "vue_qa", password: qaPassword, role: "qa", display_name: "质检小李" });
  const page = await newPage();
  await signIn(page, "vue_qa", qaPassword);
  await page.waitForSelector(".el-menu-item[data-page=campaigns]");
  assert.equal(await page.locator(".el-menu-item[data-page=users]").count(), 0, "no users page for qa");
  assert.equal(await page.locator(".el-menu-item[data-page=audit]").count(), 0, "no audit page for qa");
  assert.match(await page.locator("#watermark").getAttribute("data-text"), /^质检小李 vue_qa /);
  await page.click(".el-menu-item[data-page=campaigns]");
  assert.equal(await page.locator(".new-campaign").count(), 0, "qa may not create campaigns");
  await page.locator(".campaign-table .campaign-link", { hasText: campaignName }).click();
  await page.waitForSelector(".contacts-table .el-table__row");

  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("#app").evaluate((el) => getComputedStyle(el).display), "none");
  assert.match(await page.evaluate(() => getComputedStyle(document.body, "::after").content), /打印/);
  await page.emulateMedia({ media: "screen" });
  await page.keyboard.press("Control+p");
  await page.waitForSelector("#dlp-toast");

  const copy = (selector) => page.evaluate((sel) => {
    const nodes = document.querySelectorAll(sel);
    const range = document.createRange();
    range.setStartBefore(nodes[0]); range.setEndAfter(nodes[nodes.length - 1]);
    const s = document.getSelection(); s.removeAllRanges(); s.addRange(range);
    const ev = new ClipboardEvent("copy", { clipboardData: new DataTransfer(), bubbles: true, cancelable: true });
    document.dispatchEvent(ev);
    return ev.defaultPrevented;
  }, selector);
  assert.equal(await copy(".contacts-table .el-table__body tr"), true, "copying every contact row is refused");
  assert.equal(await copy(".contacts-table .el-table__body tr:first-child td.field-phone"), false, "one phone may be copied");
  const audited = async () => (await rest("GET", "/audit?action=client.&page_size=100")).items.filter((e) => e.username === "vue_qa").map((e) => e.action + " " + e.detail);
  for (let i = 0; i < 600; i++) {
    const a = await audited();
    if (a.some((x) => x.startsWith("client.copy_blocked")) && a.some((x) => /client\.copy .*contacts:phone/.test(x)) && a.some((x) => x.startsWith("client.print_blocked"))) break;
    assert.notEqual(i, 599, "copies and the refused print audited: " + JSON.stringify(a));
    await new Promise((r) => setTimeout(r, 100));
  }
  noErrors(page);
  await page.context().close();
});

// The supervisor pages (issue 13). An agent made through the API signs the
// softphone in and goes ready: the monitor lists them; the wallboard (a page
// that never reloads) follows the stream when the agent takes a break and
// when a wallboard notice is sent. Extension 1009 is one the built-in
// simulator registers (esltest.DefaultScenario: 1001..1010).
const agentName = "监控测试坐席";
let agentToken, agentId;
async function agentReady() {
  if (agentToken) return;
  const groups = (await rest("GET", "/groups?page_size=500")).items;
  const group = groups[0] || (await rest("POST", "/groups", { name: "监控测试组", kind: "agent" }));
  const pw = "Agent-Pass-2026!";
  const u = await rest("POST", "/users", { username: "vue_agent", password: pw, role: "agent", display_name: agentName, extension: "1009", group_ids: [group.id] });
  agentId = u.id;
  agentToken = await loginAs("vue_agent", pw);
  await restAs(agentToken, "POST", "/me/softphone/login", {});
  await restAs(agentToken, "POST", "/me/state", { state: "ready" });
}

test("Vue monitor: the signed-in agent listed with state and time in state, in both languages", async () => {
  await agentReady();
  const page = await newPage();
  await signIn(page);
  const row = page.locator(".agents-table tr", { hasText: agentName });
  for (const lang of ["zh-CN", "en"]) {
    await toLang(page, lang);
    await page.click(".el-menu-item[data-page=monitor]");
    await row.waitFor();
    await page.waitForSelector(".live-tag[data-live=true]");
    assert.match(await row.textContent(), lang === "en" ? /Ready/ : /空闲/);
    assert.match(await row.locator(".time-in-state").textContent(), /^\d+:\d\d$/);
    assert.equal(await page.textContent(".page-head h2"), lang === "en" ? "Live monitor" : "实时监控");
    assert.match(await page.textContent(".nodes-table"), lang === "en" ? /Up/ : /在线/);
    await nothingCutOff(page, `monitor (${lang})`);
    await shot(page, `monitor-${lang}`);
  }
  await toLang(page, "zh-CN");
  noErrors(page);
  await page.context().close();
});

for (const [w, h] of [[1920, 1080], [1366, 768]]) {
  test(`Vue wallboard at ${w}×${h}: live figures and notices from the stream, no reload, nothing cut off`, async () => {
    await agentReady();
    const page = await newPage({ width: w, height: h });
    await signIn(page);
    await page.goto(base + "/app/wallboard");
    const card = page.locator(`.wb-agent[data-agent="${agentId}"]`);
    if ((await restAs(agentToken, "GET", "/me/state")).state !== "ready") await restAs(agentToken, "POST", "/me/state", { state: "ready" });
    await page.waitForSelector(`.wb-agent[data-agent="${agentId}"][data-state=ready]`);
    await page.waitForSelector(".wb-live[data-live=true]");
    await page.evaluate(() => { window.__sameDocument = true; });
    // Drive the agent: a break, then ready again; the stream brings each.
    const reasons = (await rest("GET", "/break-reasons")).items;
    const ready = Number(await page.textContent(".wb-ready .wb-value"));
    await restAs(agentToken, "POST", "/me/state", { state: "break", reason: reasons[0].code });
    await page.waitForSelector(`.wb-agent[data-agent="${agentId}"][data-state=break]`);
    assert.equal(Number(await page.textContent(".wb-ready .wb-value")), ready - 1);
    assert.ok(Number(await page.textContent(".wb-break .wb-value")) >= 1);
    assert.match(await card.textContent(), new RegExp(reasons[0].label_zh));
    const title = `大屏通知 ${w}`;
    await rest("POST", "/broadcasts", { kind: "wallboard", title, text: "今天下午三点开会", to: "all" });
    await page.locator(".wb-notice-title", { hasText: title }).waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the wallboard did not reload");
    for (const lang of ["zh-CN", "en"]) {
      await toLang(page, lang);
      await page.waitForFunction((l) => document.querySelector(".wb-title").textContent.includes(l === "en" ? "wallboard" : "大屏"), lang);
      await nothingCutOff(page, `wallboard ${w}×${h} (${lang})`, ", .wb-title, .wb-label, .wb-clock, .wb-date, .wb-agent-name, .wb-agent-state > span, .wb-notices h2");
      const fits = await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth);
      assert.ok(fits, `the wallboard fits ${w}×${h} without scrolling`);
      await shot(page, `wallboard-${w}x${h}-${lang}`);
    }
    await toLang(page, "zh-CN");
    await restAs(agentToken, "POST", "/me/state", { state: "ready" });
    await page.waitForSelector(`.wb-agent[data-agent="${agentId}"][data-state=ready]`);
    noErrors(page);
    await page.context().close();
  });
}

test("Vue strategies, calendars, callbacks and call history: open in both languages, nothing cut off, server errors shown with their field", async () => {
  // A calendar whose month shows a company holiday on the 15th of this month.
  const now = new Date();
  const fifteenth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-15`;
  await rest("POST", "/calendars", { name: "界面月历", timezone: "Asia/Shanghai", dates: [{ date: fifteenth, kind: "holiday" }],
    windows: [{ day_kind: "workday", start: "09:00", end: "20:00" }, { day_kind: "weekend", start: "10:00", end: "16:00" }] });
  const page = await newPage();
  await signIn(page);
  const pages = [
    ["strategies", ".strategies-table", "策略与日历", "Strategies and calendars"],
    ["callbacks", ".callbacks-table", "预约回拨", "Callbacks"],
    ["calls", ".calls-table", "通话记录", "Call history"],
  ];
  for (const lang of ["zh-CN", "en"]) {
    await toLang(page, lang);
    for (const [name, ready, zh, en] of pages) {
      await page.click(`.el-menu-item[data-page=${name}]`);
      await page.waitForSelector(ready);
      assert.equal((await page.textContent(".page-head h2")).trim(), lang === "en" ? en : zh, `${name} title in ${lang}`);
      await nothingCutOff(page, `${name} (${lang})`);
      await shot(page, `${name}-${lang}`);
    }
    // The calendar's month view, then the strategy form.
    await page.click(".el-menu-item[data-page=strategies]");
    await page.click(".strategy-tabs .el-tabs__item#tab-calendars");
    await page.locator(".calendars-table tr", { hasText: "界面月历" }).click();
    await page.locator(".selected-calendar", { hasText: "界面月历" }).waitFor();
    await page.waitForSelector(`.calendar-month [data-day="${fifteenth}"][data-kind=holiday]`);
    await nothingCutOff(page, `calendars (${lang})`);
    await shot(page, `calendars-${lang}`);
    await page.click(".strategy-tabs .el-tabs__item#tab-holidays");
    await page.waitForSelector(".holidays-table .el-table__row");
    await shot(page, `holidays-${lang}`);
    await page.click(".strategy-tabs .el-tabs__item#tab-strategies");
    await page.click(".new-strategy");
    await page.waitForSelector("#strategy-form");
    await nothingCutOff(page, `strategy form (${lang})`);
    await shot(page, `strategy-form-${lang}`);
    // No calendar chosen: the server's refusal names the field.
    await page.fill("#strategy-form input[name=name]", `界面策略${lang}`);
    await page.click(".el-dialog .save");
    await page.waitForFunction(() => /calendar_id/.test(document.querySelector("#strategy-form .form-error")?.textContent || ""));
    await page.keyboard.press("Escape");
    await page.waitForSelector("#strategy-form", { state: "hidden" });
  }
  await toLang(page, "zh-CN");
  // A calendar made in the form shows its month with the windows given.
  await page.click(".strategy-tabs .el-tabs__item#tab-calendars");
  await page.click(".new-calendar");
  await page.fill("#calendar-form input[name=name]", "界面日历");
  await page.click("#calendar-form + * .save, .el-dialog:has(#calendar-form) .save");
  await page.locator(".selected-calendar", { hasText: "界面日历" }).waitFor();
  assert.match(await page.textContent(".calendar-month"), /09:00–12:00, 13:30–20:00/);
  noErrors(page, /status of 400 .*\/strategies$/); // the refused strategies
  await page.context().close();
});
