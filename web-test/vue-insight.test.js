// Browser tests of the Vue reports, QA, voicemail and workstation pages
// (/app/) against the real server (simulated switch, throw-away SQLite), run
// by scripts/test-ui.sh: the admin runs a report that has data (a test SMS
// sent through the simulated capture), sees its chart, downloads it as xlsx
// and csv, saves it as a custom report, schedules it by e-mail, renames it
// through Edit and deletes it (its schedule with it), opens a
// campaign's result analysis; creates a
// QA scorecard, registers a workstation (its token shown once) and opens
// voicemail, all without console errors; a QA user's menu has no
// workstation or voicemail page. Users: admin and insight_qa_<run> (no
// extension).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { still } = require("./still");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
const shots = process.env.CC_UI_SCREENSHOTS || path.join(__dirname, "screenshots");
// Every wait is for a condition; patience is only the safety net.
const patience = 120_000;
// run makes names unique, so the file passes again on the same database.
const run = Date.now().toString(36).slice(-5);
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
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`${m.text()} ${m.location().url || ""}`.trim()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

// noErrors fails on console errors (allowed: a refusal the test asked for).
function noErrors(page, allowed = /^$/) {
  assert.deepEqual(page.errors.filter((e) => !allowed.test(e)), [], "console errors");
}

async function shot(page, name) {
  await page.waitForLoadState("networkidle");
  await still(page);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

// nothingCutOff fails when a visible label is wider than its box.
async function nothingCutOff(page, where) {
  const cut = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll(".el-menu-item span, .el-button span, .el-tabs__item, .el-form-item__label, .page-head h2, .el-table th .cell, .el-select__selected-item span")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") out.push(el.textContent.trim());
    }
    return out;
  });
  assert.deepEqual(cut, [], `labels cut off on ${where}`);
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

// choose picks an option of an Element Plus select (its list is in a popper).
async function choose(page, select, text) {
  await page.click(select);
  await page.locator(".el-select-dropdown__item:visible", { hasText: text }).first().click();
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "insight-")), dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(file) };
}

test("Vue reports: a report with data drawn as a chart, downloaded as xlsx and csv, saved, scheduled by e-mail, renamed and deleted", async () => {
  // One message in the delivery log: the messages report has a row today.
  await rest("POST", "/outbound-messages/test", { channel: "sms", to: "13800138111" });
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=reports]");
  await page.waitForSelector(".report-table");
  assert.equal((await page.textContent(".page-head h2")).trim(), "报表");

  await choose(page, ".report-name", "短信/邮件/传真");
  await page.waitForSelector(".report-chart canvas");
  const rows = await page.locator(".report-table .el-table__body tr").count();
  assert.ok(rows >= 1, "the report has a row");
  assert.match(await page.textContent(".report-table .el-table__footer"), /合计/);
  assert.match(await page.textContent(".report-table .el-table__header"), /送达率/);
  await nothingCutOff(page, "reports (zh-CN)");
  await shot(page, "reports-zh-CN");

  const xlsx = await download(page, ".download-xlsx");
  assert.match(xlsx.name, /^report-messages-\d{8}-\d{6}\.xlsx$/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), "PK", "an xlsx is a zip");
  const csv = await download(page, ".download-csv");
  assert.match(csv.name, /\.csv$/);
  const text = csv.bytes.toString("utf8");
  assert.match(text, /送达率/);
  assert.match(text, /合计\/Total/);

  // Saved as a custom report, then scheduled by e-mail.
  await page.click(".save-as");
  await page.waitForSelector("#save-report");
  await page.fill("#save-report input[name=saved-name]", `每日短信送达${run}`);
  await page.click("#save-report .save-report");
  await page.waitForSelector("#save-report", { state: "hidden" });
  await page.click(".el-tabs__item#tab-saved");
  await page.locator(".saved-table tr", { hasText: `每日短信送达${run}` }).locator(".schedule-saved").click();
  await page.waitForSelector("#report-schedule");
  await page.fill("#report-schedule textarea[name=schedule-emails]", "ops@bank.example");
  await page.click("#report-schedule .save-schedule");
  await page.waitForSelector("#report-schedule", { state: "hidden" });
  await page.locator(".schedules-table tr", { hasText: `每日短信送达${run}` }).filter({ hasText: "ops@bank.example" }).waitFor();
  await page.locator(".saved-table tr", { hasText: `每日短信送达${run}` }).locator(".run-saved").click();
  await page.waitForSelector(".el-tab-pane#pane-saved .report-table");

  // Renamed through Edit (the dialog filled in with it), the new name
  // listed, its schedule kept; then deleted after a confirmation naming it,
  // gone from the list and its schedule with it.
  const savedRow = (name) => page.locator(".saved-table .el-table__body tr", { hasText: name });
  await savedRow(`每日短信送达${run}`).locator(".edit-saved").click();
  await page.waitForSelector("#save-report");
  assert.equal(await page.inputValue("#save-report input[name=saved-name]"), `每日短信送达${run}`);
  await page.fill("#save-report input[name=saved-name]", `短信送达日报${run}`);
  await page.click("#save-report .save-report");
  await page.waitForSelector("#save-report", { state: "hidden" });
  await savedRow(`短信送达日报${run}`).waitFor();
  assert.equal(await savedRow(`每日短信送达${run}`).count(), 0, "the old name is no longer listed");
  await page.locator(".schedules-table tr", { hasText: `短信送达日报${run}` }).waitFor();
  const renamed = (await rest("GET", "/saved-reports")).items.find((r) => r.name === `短信送达日报${run}`);
  assert.ok(renamed, "the server has the new name");
  await savedRow(`短信送达日报${run}`).locator(".delete-saved").click();
  await page.waitForSelector(".delete-saved-confirm");
  assert.match(await page.textContent(".delete-saved-confirm"), new RegExp(`短信送达日报${run}`));
  await page.click(".delete-saved-confirm .el-button--primary");
  await savedRow(`短信送达日报${run}`).waitFor({ state: "detached" });
  await page.locator(".schedules-table tr", { hasText: `短信送达日报${run}` }).waitFor({ state: "detached" });
  assert.ok(!(await rest("GET", "/report-schedules")).items.some((s) => s.saved_report_id === renamed.id), "the schedule went with the report");

  // A campaign's result analysis (nothing dialed yet: empty, no error).
  await rest("POST", "/campaigns", { name: `洞察结果活动${run}`, kind: "collection", media: "voice", dial_mode: "progressive" });
  await page.click(".el-tabs__item#tab-results");
  await choose(page, ".results-campaign", `洞察结果活动${run}`);
  await page.waitForSelector(".campaign-results .el-card");
  assert.match(await page.textContent(".campaign-results"), /按拨打次数的漏斗/);
  await nothingCutOff(page, "campaign results (zh-CN)");

  await toLang(page, "en");
  await page.click(".el-tabs__item#tab-standard");
  await page.waitForSelector(".report-chart canvas");
  assert.equal((await page.textContent(".page-head h2")).trim(), "Reports");
  assert.match(await page.textContent(".report-table .el-table__header"), /Delivery rate/);
  await nothingCutOff(page, "reports (en)");
  await shot(page, "reports-en");
  await toLang(page, "zh-CN");
  noErrors(page);
  await page.context().close();
});

test("Vue QA, voicemail and workstations: each opens without console errors; a scorecard made, a PC registered", async () => {
  const page = await newPage();
  await signIn(page);
  for (const lang of ["zh-CN", "en"]) {
    await toLang(page, lang);
    await page.click(".el-menu-item[data-page=qa]");
    await page.waitForSelector(".qa-calls");
    await nothingCutOff(page, `qa (${lang})`);
    await shot(page, `qa-${lang}`);
    await page.click(".el-menu-item[data-page=voicemail]");
    await page.waitForSelector(".voicemail-table");
    await nothingCutOff(page, `voicemail (${lang})`);
    await shot(page, `voicemail-${lang}`);
    await page.click(".el-menu-item[data-page=workstations]");
    await page.waitForSelector(".workstation-table");
    await nothingCutOff(page, `workstations (${lang})`);
    await shot(page, `workstations-${lang}`);
  }
  await toLang(page, "zh-CN");

  await page.click(".el-menu-item[data-page=qa]");
  await page.click(".el-tabs__item#tab-scorecards");
  await page.click(".new-scorecard");
  await page.waitForSelector("#scorecard-form");
  await page.fill("#scorecard-form input[name=scorecard-name]", `浏览器质检表${run}`);
  await page.fill("#scorecard-form .item-label input", "Greeting");
  await page.click("#scorecard-form .save-scorecard");
  await page.waitForSelector("#scorecard-form", { state: "hidden" });
  await page.locator(".scorecards-table tr", { hasText: `浏览器质检表${run}` }).waitFor();

  await page.click(".el-menu-item[data-page=workstations]");
  await page.fill("input[name=ws-name]", `insight-pc-${run}`);
  await page.click(".register-ws");
  await page.waitForSelector(".token-box .token");
  assert.ok((await page.textContent(".token-box .token")).trim().length >= 20, "the token is shown once");
  await page.locator(".workstation-table tr", { hasText: `insight-pc-${run}` }).waitFor();
  // A second registration of the name: the server's refusal is shown.
  await page.fill("input[name=ws-name]", `insight-pc-${run}`);
  await page.click(".register-ws");
  await page.waitForSelector(".register .el-alert--error");
  noErrors(page, /status of 409 .*\/workstations$/); // the second registration
  await page.context().close();
});

test("Vue QA user: reports and QA in the menu, no workstations or voicemail", async () => {
  const qaPassword = "Insight-Qa-Pass-2026!";
  const user = `insight_qa_${run}`;
  await rest("POST", "/users", { username: user, password: qaPassword, role: "qa", display_name: "质检小赵" });
  const page = await newPage();
  await signIn(page, user, qaPassword);
  await page.waitForSelector(".el-menu-item[data-page=reports]");
  assert.equal(await page.locator(".el-menu-item[data-page=qa]").count(), 1);
  assert.equal(await page.locator(".el-menu-item[data-page=workstations]").count(), 0, "no workstations page for qa");
  assert.equal(await page.locator(".el-menu-item[data-page=voicemail]").count(), 0, "no voicemail page for qa");
  await page.click(".el-menu-item[data-page=qa]");
  await page.waitForSelector(".qa-calls");
  assert.equal(await page.locator(".el-tabs__item#tab-mine").count(), 0, "no own scores without agent_desk");
  noErrors(page);
  await page.context().close();
});
