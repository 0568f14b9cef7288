// Browser tests of the Vue app's roster grid and an email campaign's
// attachments against the real server (scripts/test-ui.sh): an admin gives
// an agent a shift over a rectangle of cells and a day off in one cell, and
// sees the server's refusal of a shift deleted meanwhile, named by row; an
// admin makes an email campaign, uploads an attachment (one that is not what
// its name says is refused under the field) and saves it in order. No
// console errors beyond the refusals the test provokes.
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

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`${m.text()} ${m.location().url || ""}`.trim()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

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

async function signIn(page) {
  await page.goto(base + "/");
  await page.waitForSelector("#login");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", password);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#top #who");
}

async function shot(page, name) {
  await still(page);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

// day is today + n days in Shanghai (the browser's zone), YYYY-MM-DD.
const day = (n) => new Date(Date.now() + n * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });

test("Vue roster grid: a shift over a rectangle of cells, a day off in one, a refused cell named by row", async () => {
  const early = await rest("POST", "/shifts", { name: "网格早班", start: "08:00", end: "16:00", break_minutes: 30, timezone: "Asia/Shanghai" });
  const late = await rest("POST", "/shifts", { name: "网格晚班", start: "16:00", end: "23:00", break_minutes: 30, timezone: "Asia/Shanghai" });
  const a = await rest("POST", "/users", { username: "grid_agent_a", password: "Grid-Agent-Pass-2026", role: "agent", display_name: "网格甲" });
  const b = await rest("POST", "/users", { username: "grid_agent_b", password: "Grid-Agent-Pass-2026", role: "agent", display_name: "网格乙" });
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=shifts]");
  await page.click(".shift-tabs #tab-roster");
  const cell = (agent, n) => page.locator(`#roster-grid td[data-cell="${agent.id}|${day(n)}"]`);
  await cell(a, 0).waitFor();

  // Two agents × three days: a click, then shift-click the opposite corner.
  await cell(a, 0).click();
  await cell(b, 2).click({ modifiers: ["Shift"] });
  assert.equal(await page.locator("#roster-grid td.chosen").count(), 6);
  await page.click(".grid-plan .plan-shift");
  await page.click(`.el-select-dropdown__item:visible:has-text("网格早班")`);
  await page.click(".grid-plan .plan-apply");
  await page.waitForSelector(".grid-plan", { state: "detached" });
  await cell(b, 2).filter({ hasText: "网格早班" }).waitFor();
  const roster = await rest("GET", `/roster?from=${day(0)}&to=${day(2)}&page_size=500`);
  const ours = roster.items.filter((e) => e.agent_id === a.id || e.agent_id === b.id);
  assert.equal(ours.length, 6);
  assert.ok(ours.every((e) => e.shift_id === early.id), JSON.stringify(ours));

  // One cell: a day off.
  await cell(a, 3).click();
  await page.click(".grid-plan .plan-kind label:has-text('休息')");
  await page.click(".grid-plan .plan-apply");
  await cell(a, 3).filter({ hasText: "休息" }).waitFor();
  const off = await rest("GET", `/roster?agent_id=${a.id}&from=${day(3)}&to=${day(3)}`);
  assert.equal(off.items[0].day_off, true);
  await shot(page, "roster-grid-zh-CN");

  // The late shift is deleted behind the page's back: the server refuses the
  // cells, naming the row, and nothing changes.
  await rest("DELETE", `/shifts/${late.id}`);
  await cell(b, 4).click();
  await cell(b, 5).click({ modifiers: ["Shift"] });
  await page.click(".grid-plan .plan-kind label:has-text('班次')");
  await page.click(".grid-plan .plan-shift");
  await page.click(`.el-select-dropdown__item:visible:has-text("网格晚班")`);
  await page.click(".grid-plan .plan-apply");
  await page.waitForFunction((id) => new RegExp(`#1 shift_id no shift has id ${id}`).test(document.querySelector(".grid-error")?.textContent || ""), late.id);
  const none = await rest("GET", `/roster?agent_id=${b.id}&from=${day(4)}&to=${day(5)}`);
  assert.equal(none.items.length, 0);
  assert.deepEqual(page.errors.filter((e) => !/status of 4\d\d/.test(e)), [], "console errors");
  await page.context().close();
});

test("Vue campaign form: an email campaign's attachment uploaded and saved; a file that is not what it says refused under the field", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=campaigns]");
  await page.click(".new-campaign");
  await page.fill("#campaign-form input[name=name]", "界面邮件活动");
  await page.click("#campaign-form .sel-media");
  await page.click(`.el-select-dropdown__item:visible:has-text("邮件")`);
  await page.fill("#campaign-form input[name=subject]", "您的月度账单");
  await page.fill("#campaign-form textarea[name=text]", "{{name}}您好，附件是您的账单说明。");

  // A "PDF" that is text: refused by name under the attachments.
  await page.setInputFiles("#campaign-form input.attach-file", { name: "假账单.pdf", mimeType: "application/pdf", buffer: Buffer.from("not a pdf at all") });
  await page.waitForFunction(() => /假账单\.pdf/.test(document.querySelector("#campaign-form .attachments .el-form-item__error")?.textContent || ""));
  // A text file is attached.
  await page.setInputFiles("#campaign-form input.attach-file", { name: "账单说明.txt", mimeType: "text/plain", buffer: Buffer.from("账单说明：请于月底前还款。\n", "utf8") });
  await page.locator("#campaign-form .attachments .el-select", { hasText: "账单说明.txt" }).waitFor();
  await page.locator("#campaign-form .attachments .el-form-item__error").waitFor({ state: "detached" }); // the refusal is gone
  await shot(page, "campaign-email-zh-CN");
  await page.click(".el-dialog:has(#campaign-form) .save");
  await page.waitForSelector("#campaign-form", { state: "hidden" });

  const list = await rest("GET", "/campaigns?q=" + encodeURIComponent("界面邮件活动"));
  const camp = list.items.find((c) => c.name === "界面邮件活动");
  assert.equal(camp.media, "email");
  assert.equal(camp.message.subject, "您的月度账单");
  assert.equal(camp.message.attachments.length, 1);
  const doc = await rest("GET", `/documents/${camp.message.attachments[0]}`);
  assert.equal(doc.name, "账单说明.txt");
  assert.deepEqual(page.errors.filter((e) => !/status of 4\d\d/.test(e)), [], "console errors");
  await page.context().close();
});
