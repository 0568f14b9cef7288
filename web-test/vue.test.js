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
const { still } = require("./still");

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
  await still(page);
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
    assert.ok(r.ok, `sign-in of admin: ${r.status} ${await r.clone().text()}`);
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
  assert.ok(r.ok, `sign-in of ${username}: ${r.status} ${await r.clone().text()}`);
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
// when a wallboard notice is sent. Extension 1008 is one the built-in
// simulator registers (web-test/simulator.yaml; the desk test uses 1009).
const agentName = "监控测试坐席";
let agentToken, agentId, agentGroup;
async function agentReady() {
  if (agentToken) return;
  // A group of its own: the desk test (vuedesk.test.js, maybe running at the
  // same time) has its agent and campaigns in another.
  const groups = (await rest("GET", "/groups?page_size=500")).items;
  const group = groups.find((g) => g.name === "监控测试组") || (await rest("POST", "/groups", { name: "监控测试组", kind: "agent" }));
  const pw = "Agent-Pass-2026!";
  const u = await rest("POST", "/users", { username: "vue_agent", password: pw, role: "agent", display_name: agentName, extension: "1008", group_ids: [group.id] });
  agentId = u.id;
  agentGroup = group.id;
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
    await restAs(agentToken, "POST", "/me/state", { state: "break", reason: reasons[0].code });
    await page.waitForSelector(`.wb-agent[data-agent="${agentId}"][data-state=break]`);
    // The tiles count the agents shown (other tests' agents may come and go).
    const tilesMatch = () => page.waitForFunction(() => ["ready", "break"].every((s) =>
      Number(document.querySelector(`.wb-${s} .wb-value`).textContent) === document.querySelectorAll(`.wb-agent[data-state=${s}]`).length));
    await tilesMatch();
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

// waitUntil polls the API until check(value) holds (the safety net is patience).
async function waitUntil(what, get, check) {
  const end = Date.now() + patience;
  for (;;) {
    const v = await get();
    if (check(v)) return v;
    assert.ok(Date.now() < end, `waited for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("Vue call history and callbacks: a call the simulator connects to the agent is listed and its recording plays; the monitor offers listening; the callback booked is listed and moved", async () => {
  await agentReady();
  if ((await restAs(agentToken, "GET", "/me/state")).state !== "ready") await restAs(agentToken, "POST", "/me/state", { state: "ready" });
  const allDay = ["workday", "weekend", "holiday"].map((k) => ({ day_kind: k, start: "00:00", end: "24:00" }));
  const cal = await rest("POST", "/calendars", { name: "界面全天", timezone: "Asia/Shanghai", windows: allDay });
  const st = await rest("POST", "/strategies", { name: "界面全天策略", calendar_id: cal.id, batch_size: 10, batch_interval_s: 0 });
  const camp = await rest("POST", "/campaigns", { name: "界面通话活动", kind: "collection", media: "voice", dial_mode: "progressive",
    strategy_id: st.id, group_id: agentGroup, caller_ids: ["02161234567"], max_abandon_rate: 0.03 });
  // Several customers: the simulator's customers mostly answer; the first who does reaches the agent.
  const contacts = Array.from({ length: 8 }, (_, i) => ({ name: `通话客户${i + 1}`, phone: `1390000${String(7100 + i)}` }));
  await rest("POST", `/campaigns/${camp.id}/contacts`, { contacts });
  await rest("POST", `/campaigns/${camp.id}/start`);
  const onCall = await waitUntil("the agent on a call", () => restAs(agentToken, "GET", "/me/state"), (v) => v.state === "on_call" && v.call_uuid);
  await rest("POST", `/campaigns/${camp.id}/pause`);

  // The monitor shows the call with listen, whisper and barge; the admin has
  // no extension, so the server's refusal is shown as it says.
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=monitor]");
  const row = page.locator(".agents-table tr", { hasText: agentName });
  await row.locator(".do-listen").waitFor();
  await page.locator(".calls-table tr", { hasText: "界面通话活动" }).waitFor();
  await shot(page, "monitor-call-zh-CN");
  await row.locator(".do-listen").click();
  const msg = page.locator(".el-message--error, .el-message--success").first();
  await msg.waitFor();
  assert.ok((await msg.textContent()).trim().length > 3, "the answer is shown");

  await restAs(agentToken, "POST", `/me/calls/${onCall.call_uuid}/hangup`);
  await waitUntil("after-call work", () => restAs(agentToken, "GET", "/me/state"), (v) => v.state === "acw");
  const due = new Date(Date.now() + 24 * 3600e3);
  due.setUTCSeconds(0, 0);
  await restAs(agentToken, "POST", `/me/calls/${onCall.call_uuid}/disposition`, { result: "callback", note: "界面回拨备注", callback_at: due.toISOString().replace(/\.\d+Z$/, "Z") });
  const call = (await waitUntil("the call recorded", () => rest("GET", `/calls?campaign_id=${camp.id}`),
    (v) => v.items.some((c) => c.call_uuid === onCall.call_uuid && c.finished_at && (c.recordings || []).some((r) => r.url)))).items.find((c) => c.call_uuid === onCall.call_uuid);

  for (const lang of ["zh-CN", "en"]) {
    await toLang(page, lang);
    await page.click(".el-menu-item[data-page=calls]");
    const callRow = page.locator(".calls-table tr", { hasText: "界面通话活动" }).first();
    await callRow.waitFor();
    assert.match(await callRow.textContent(), lang === "en" ? /Talked|Success|Answered/ : /人工接通|成功|已接听/);
    await callRow.locator(".play").first().click();
    // The player streams the recording: it loads its length from the server.
    await page.waitForFunction(() => { const a = document.querySelector(".recording-player"); return a && a.readyState >= 1 && a.duration > 0; });
    assert.equal(await page.locator(".recording-player").getAttribute("src"), `/api/v1/calls/${call.id}/recording?recording_id=${call.recordings[0].id}`);
    await nothingCutOff(page, `calls with a call (${lang})`);
    await shot(page, `calls-call-${lang}`);

    await page.click(".el-menu-item[data-page=callbacks]");
    const cbRow = page.locator(".callbacks-table tr", { hasText: "界面回拨备注" });
    await cbRow.waitFor();
    assert.match(await cbRow.textContent(), lang === "en" ? /Scheduled/ : /待回拨/);
    await nothingCutOff(page, `callbacks with a callback (${lang})`);
    await shot(page, `callbacks-callback-${lang}`);
  }
  await toLang(page, "zh-CN");
  const audited = await rest("GET", "/audit?action=call.recording.play&page_size=10");
  assert.ok(audited.items.length > 0, "the play is audited");

  // A callback moved into the past is refused with the field named; then moved a day on.
  const cbRow = page.locator(".callbacks-table tr", { hasText: "界面回拨备注" });
  await cbRow.locator(".edit-callback").click();
  await page.waitForSelector("#callback-form");
  await page.fill("#callback-form .el-date-editor input", "2020-01-01 10:00:00");
  await page.keyboard.press("Enter");
  await page.click(".el-dialog:has(#callback-form) .save");
  // The server's refusal names due_at: shown under the time.
  await page.waitForFunction(() => (document.querySelector("#callback-form .f-due_at .el-form-item__error")?.textContent || "").trim() !== "");
  await shot(page, "callback-form-zh-CN");
  const later = new Date(due.getTime() + 24 * 3600e3);
  const local = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:00`;
  await page.fill("#callback-form .el-date-editor input", local(later));
  await page.keyboard.press("Enter");
  await page.click(".el-dialog:has(#callback-form) .save");
  await page.waitForSelector("#callback-form", { state: "hidden" });
  const cbs = await rest("GET", `/callbacks?campaign_id=${camp.id}`);
  assert.equal(Date.parse(cbs.items[0].due_at), later.getTime(), "the callback moved");

  // A callback booked from the page: the customer found by name, a time, the agent, a note.
  await page.click(".new-callback");
  await page.waitForSelector("#callback-form .f-contact_id");
  await page.locator("#callback-form .f-contact_id input").first().fill("通话客户3");
  await page.click(".el-select-dropdown__item:has-text('通话客户3')");
  const booked = new Date(due.getTime() + 2 * 24 * 3600e3);
  await page.fill("#callback-form .el-date-editor input", local(booked));
  await page.keyboard.press("Enter");
  await page.locator("#callback-form .f-agent_id .el-select").click();
  await page.click(`.el-select-dropdown__item:visible:has-text('${agentName}')`);
  await page.fill("#callback-form textarea[name=callback-note]", "界面预约的回拨");
  await page.click(".el-dialog:has(#callback-form) .save");
  await page.waitForSelector("#callback-form", { state: "hidden" });
  await page.locator(".callbacks-table tr", { hasText: "界面预约的回拨" }).waitFor();
  const mine = (await rest("GET", `/callbacks?campaign_id=${camp.id}`)).items.find((c) => c.note === "界面预约的回拨");
  assert.equal(Date.parse(mine.due_at), booked.getTime(), "booked for the time chosen");
  assert.equal(mine.contact_name, "通话客户3");
  assert.equal(mine.agent_id, agentId);
  await rest("POST", `/campaigns/${camp.id}/stop`);
  noErrors(page, /status of (400|409|422|503)/); // the refused moves and, without an extension, the refused listen
  await page.context().close();
});

test("Vue export, messages, shifts and the SMS/email log: open in both languages, nothing cut off; an export downloads the columns chosen, in order, with their headers", async () => {
  await agentReady(); // someone to receive the announcement
  const camp = await rest("POST", "/campaigns", { name: "界面导出活动", kind: "survey", media: "voice", dial_mode: "progressive" });
  await rest("POST", `/campaigns/${camp.id}/contacts`, { contacts: [{ name: "导出客户甲", phone: "13900008801" }, { name: "导出客户乙", phone: "13900008802" }] });
  await rest("POST", "/broadcasts", { kind: "announcement", title: "界面公告", text: "系统今晚维护", to: "all" });
  const page = await newPage();
  await signIn(page);
  const pages = [
    ["exports", ".columns-table", "导出名单", "Export contacts"],
    ["messages", ".messages-table", "消息与公告", "Messages and announcements"],
    ["shifts", ".attendance-table", "排班与考勤", "Shifts and attendance"],
    ["outbound", ".outbound-table", "短信邮件发送记录", "SMS and email log"],
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
    for (const [tab, ready] of [["roster", "#roster-grid"], ["shifts", ".shifts-table"]]) {
      await page.click(".el-menu-item[data-page=shifts]");
      await page.click(`.shift-tabs #tab-${tab}`);
      await page.waitForSelector(ready);
      await nothingCutOff(page, `${tab} (${lang})`);
      await shot(page, `shifts-${tab}-${lang}`);
    }
    await page.click(".el-menu-item[data-page=messages]");
    await page.click(".message-tabs #tab-broadcasts");
    await page.waitForSelector(".broadcasts-table .el-table__row");
    await nothingCutOff(page, `broadcasts (${lang})`);
    await shot(page, `broadcasts-${lang}`);
  }
  await toLang(page, "zh-CN");

  // Without a campaign the server refuses the export naming the field.
  await page.click(".el-menu-item[data-page=exports]");
  await page.click(".do-export");
  await page.waitForFunction(() => /campaign/.test(document.querySelector(".export-error")?.textContent || ""));
  // A campaign with contacts; id first, then phone and name in that order, name headed 客户.
  await page.click(".sel-campaign");
  await page.click(`.el-select-dropdown__item:visible:has-text("${camp.name}")`);
  await page.click(".el-radio-button:has-text('CSV')");
  await page.click(".add-field[data-field=id]");
  const fields = async () => (await page.locator(".columns-table .col-field").allTextContents()).map((s) => s.trim());
  while ((await fields())[0] !== "编号") await page.locator(".columns-table tr", { hasText: "编号" }).locator(".up").click();
  await page.locator(".columns-table tr", { hasText: "姓名" }).locator(".col-header input").fill("客户");
  const chosen = await fields();
  await shot(page, "exports-chosen-zh-CN");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(".do-export")]);
  const text = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  const header = text.split(/\r?\n/)[0].split(",");
  assert.equal(header.length, chosen.length, `${header} vs ${chosen}`);
  assert.equal(header[0], "编号");
  assert.equal(header[chosen.indexOf("姓名")], "客户");
  assert.equal(header[chosen.indexOf("联系电话")], "联系电话"); // no header given: the server's default
  assert.match(text, /导出客户甲/);
  noErrors(page, /status of 400 .*\/exports$/); // the export without a campaign
  await page.context().close();
});
