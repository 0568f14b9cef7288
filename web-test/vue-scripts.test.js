// Browser tests of the Vue app's scripts and knowledge-base pages against the
// real server (run by scripts/test-ui.sh): a manager builds a branching
// script in the designer by dragging (two questions, a branch, two
// outcomes), saves, sees the server's dead-end error on the node, fixes it
// by drawing the missing arrows, publishes, and the preview walks both
// branches; the layout survives a reload; an import's row errors are shown;
// an article is written, published and found by the search. Screenshots in
// zh-CN and en at 1366×768 (CC_UI_SCREENSHOTS); no console errors.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { still } = require("./still");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
const shots = process.env.CC_UI_SCREENSHOTS || path.join(__dirname, "screenshots");
const patience = 120_000; // a safety net: every wait is for a condition
// Names unique to this run: other test files share the server's database.
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
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`${m.text()} ${m.location().url || ""}`.trim()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

function noErrors(page, allowed = /^$/) {
  assert.deepEqual(page.errors.filter((e) => !allowed.test(e)), [], "console errors");
}

// shot saves a screenshot after checking that no label is cut off at this size.
async function shot(page, name) {
  await nothingCutOff(page, name);
  await page.waitForLoadState("networkidle");
  await still(page);
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

// nothingCutOff fails when a visible label is wider than its box (as in vue.test.js).
async function nothingCutOff(page, where) {
  const cut = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll(".el-menu-item span, .el-button span, .el-tabs__item, .el-form-item__label, .page-head h2, .el-table th .cell, .el-select__selected-item span, .exit-label, .node-badge")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") out.push(el.textContent.trim());
    }
    return out;
  });
  assert.deepEqual(cut, [], `labels cut off on ${where}`);
}

async function signIn(page) {
  await page.goto(base + "/app/");
  await page.waitForSelector("#login");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", password);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#top #who");
}

async function toLang(page, lang) {
  if ((await page.locator("html").getAttribute("lang")) === lang) return;
  await page.click("#lang");
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

// drag presses the mouse on a point, moves in steps (pointer events fire on
// the way) and releases on another.
async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

async function center(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, "element on screen");
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

// dropNode drags a palette item onto the canvas at (x, y) from its corner;
// the new node is selected and its id returned.
async function dropNode(page, type, x, y) {
  const canvas = await page.locator(".flow-canvas").boundingBox();
  const before = await page.locator(".flow-node").count();
  await drag(page, await center(page.locator(`.palette-item[data-add=${type}]`)), { x: canvas.x + x, y: canvas.y + y });
  await page.waitForFunction((n) => document.querySelectorAll(".flow-node").length === n + 1, before);
  return page.getAttribute("#node-panel form", "data-editing");
}

// link draws an arrow from a node's exit handle onto another node's head.
async function link(page, from, handle, to) {
  const h = page.locator(`.flow-node[data-node='${from}'] .handle[data-handle='${handle}']`);
  await drag(page, await center(h), await center(page.locator(`.flow-node[data-node='${to}'] .node-head`)));
  await page.waitForSelector(`.edge[data-from='${from}'][data-handle='${handle}'][data-to='${to}']`, { state: "attached" });
}

async function choose(page, select, label) {
  await page.click(select);
  await page.locator(".el-select-dropdown__item:visible", { hasText: label }).first().click();
}

async function fillNode(page, id, fill) {
  await page.click(`.flow-node[data-node='${id}'] .node-body`);
  await page.waitForSelector(`#node-panel form[data-editing='${id}']`);
  await fill(page.locator("#node-panel"));
}

test("Vue designer: a branching script built by dragging, a dead end named on its node, fixed, published, walked both ways", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=scripts]");
  await page.waitForSelector(".script-table");
  await shot(page, "scripts-zh-CN");
  await page.click("#new-script");
  await page.waitForSelector(".flow-canvas");
  await page.fill("input[name=script-title]", `界面话术：还款意向${run}`);

  // Two questions, two ends, dropped from the palette.
  assert.equal(await dropNode(page, "question", 120, 50), "q1");
  await fillNode(page, "q1", async (p) => {
    await p.locator("textarea[name=node-text]").fill("您好，请问是{{name}}本人吗？");
    await choose(page, "#node-panel .answer-type", "是非");
  });
  assert.equal(await dropNode(page, "question", 380, 50), "q2");
  await fillNode(page, "q2", async (p) => {
    await p.locator("textarea[name=node-text]").fill("您本月能还款多少元？");
    await choose(page, "#node-panel .answer-type", "数字");
  });
  assert.equal(await dropNode(page, "end", 640, 50), "end1");
  await fillNode(page, "end1", (p) => p.locator("input[name=node-outcome]").fill("promise_full"));
  assert.equal(await dropNode(page, "end", 640, 300), "end2");
  await fillNode(page, "end2", (p) => p.locator("input[name=node-outcome]").fill("promise_partial"));

  // Only q1's answers are drawn: q2 leads nowhere.
  await link(page, "q1", "opt:0", "q2");
  await link(page, "q1", "opt:1", "end2");
  await page.click("#save-script");
  await page.waitForSelector("#save-error");
  const q2err = page.locator(".flow-node[data-node='q2'] .node-errors");
  await q2err.waitFor();
  assert.match(await q2err.textContent(), /q2.*dead end/);
  assert.equal(await page.locator(".flow-node[data-node='q1'].invalid").count(), 0, "q1 is fine");
  assert.match(await page.textContent("#save-error"), /保存失败/);
  await shot(page, "designer-error-zh-CN");

  // Fixed with a branch on q2 (at least 1000) drawn to end1 and its other
  // answers to end2; a node dragged aside.
  await fillNode(page, "q2", async (p) => {
    await p.locator(".add-branch").click();
    await choose(page, "#node-panel .branch-row[data-branch='0'] .el-select", "不小于");
    await p.locator(".branch-row[data-branch='0'] input[name=branch-value]").fill("1000");
  });
  await link(page, "q2", "br:0", "end1");
  await link(page, "q2", "next", "end2");
  const end2 = page.locator(".flow-node[data-node='end2'] .node-head");
  const from = await center(end2);
  await drag(page, from, { x: from.x - 150, y: from.y + 40 });
  await page.click("#save-publish");
  await page.waitForSelector(".published-tag");
  await page.waitForURL(/\/app\/scripts\/\d+$/);
  assert.equal(await page.locator(".flow-node.invalid").count(), 0);
  await shot(page, "designer-zh-CN");

  // The preview walks both branches of q2 and the "no" of q1.
  const walk = async (answers, outcome) => {
    await page.click("#preview .pv-restart");
    await page.waitForSelector("#preview .pv-node[data-node='q1']");
    assert.match(await page.textContent("#preview .pv-text"), /张三本人/);
    for (const a of answers) {
      if (a.choice) await page.click(`#preview .pv-answer[data-value='${a.choice}']`);
      else {
        await page.fill("#preview input[name=pv-value]", a.value);
        await page.click("#preview .pv-next");
        if (a.bad) assert.match(await page.locator("#preview .pv-problem").textContent(), /不是数字/);
      }
    }
    await page.waitForSelector(`#preview .pv-outcome[data-outcome='${outcome}']`);
  };
  await page.click("#open-preview");
  await page.waitForSelector("#preview");
  await walk([{ choice: "yes" }, { value: "1500" }], "promise_full");
  // An answer that is no number is refused as the server would, then 300 goes the other way.
  await walk([{ choice: "yes" }, { value: "abc", bad: true }, { value: "300" }], "promise_partial");
  await shot(page, "designer-preview-zh-CN");
  await walk([{ choice: "no" }], "promise_partial");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#preview", { state: "detached" });

  // The layout is saved with the script: a reload draws end2 where it was left.
  const left = await page.locator(".flow-node[data-node='end2']").evaluate((e) => e.style.left + "," + e.style.top);
  await page.reload();
  await page.waitForSelector(".flow-node[data-node='end2']");
  assert.equal(await page.locator(".flow-node[data-node='end2']").evaluate((e) => e.style.left + "," + e.style.top), left);
  assert.equal(await page.locator(".edge").count(), 4);

  await toLang(page, "en");
  await page.waitForSelector("text=Save and publish");
  await shot(page, "designer-en");
  await page.click(".el-menu-item[data-page=scripts]");
  await page.waitForSelector(".script-table");
  // A Chinese keyword finds it.
  await page.fill("input[name=script-q]", `还款意向${run}`);
  await page.click(".script-search");
  await page.waitForFunction(() => document.querySelectorAll(".script-table .el-table__row").length === 1);
  await shot(page, "scripts-en");
  await toLang(page, "zh-CN");
  // Allowed: the refused save's 400, which the browser logs itself.
  noErrors(page, /status of 400 \(Bad Request\) \S+\/api\/v1\/scripts$/);
  await page.context().close();
});

// rest calls the API as the admin (bearer token) for what a test sets up
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

test("Vue scripts: an import's row errors, feedback answered, the answer report and its xlsx", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=scripts]");
  await page.click("#import-script");
  await page.setInputFiles("#import-dialog input[type=file]", path.join(__dirname, "../scriptimport/testdata/broken.docx"));
  await page.click("#import-dialog .do-import");
  const row = page.locator("#import-dialog .import-errors .el-table__row").first();
  await row.waitFor();
  assert.match(await row.textContent(), /^3/);
  await shot(page, "script-import-errors-zh-CN");
  await page.setInputFiles("#import-dialog input[type=file]", path.join(__dirname, "../scriptimport/testdata/script_libreoffice.xlsx"));
  await page.fill("#import-dialog input[name=title]", "导入的催收话术");
  await page.click("#import-dialog .do-import");
  await page.waitForURL(/\/app\/scripts\/\d+$/);
  await page.waitForFunction(() => document.querySelectorAll(".flow-node").length === 8);
  const id = Number(page.url().match(/(\d+)$/)[1]);

  // An agent's flag on a node, answered and resolved by the manager.
  await rest("POST", `/scripts/${id}/publish`, {});
  await rest("POST", `/scripts/${id}/feedback`, { version: 1, node_id: "q1", comment: `客户常问还款渠道${run}` });
  await page.click(".el-menu-item[data-page=scripts]");
  await page.click(".el-tabs__item:has-text('坐席反馈')");
  const fb = page.locator(".feedback-table .el-table__row", { hasText: `客户常问还款渠道${run}` });
  await fb.waitFor();
  await shot(page, "script-feedback-zh-CN");
  await fb.locator(".fb-reply").click();
  await page.fill("#reply-dialog textarea[name=answer]", "已在 q1 后补充还款渠道说明");
  await page.click("#reply-dialog .fb-resolve");
  await fb.waitFor({ state: "detached" });
  const all = await rest("GET", `/script-feedback?script_id=${id}`);
  assert.equal(all.items[0].status, "resolved");
  assert.equal(all.items[0].answer, "已在 q1 后补充还款渠道说明");

  // The answer report of a campaign: its table and the workbook.
  const camp = await rest("POST", "/campaigns", { name: `话术报表活动${run}`, kind: "collection", media: "voice", dial_mode: "progressive", script_id: id });
  await page.click(".el-tabs__item:has-text('答案报表')");
  await page.click(".report-campaign");
  await page.locator(".el-select-dropdown__item:visible", { hasText: `话术报表活动${run}` }).click();
  await page.waitForSelector(".report-table");
  const href = await page.getAttribute(".report-xlsx", "href");
  assert.equal(href, `/api/v1/campaigns/${camp.id}/script-answers?format=xlsx`);
  const got = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, r.headers.get("content-type")]; }, href);
  assert.equal(got[0], 200);
  assert.match(got[1], /spreadsheetml/);
  await shot(page, "script-report-zh-CN");
  await toLang(page, "en");
  await page.waitForSelector(".el-tabs__item:has-text('Answer report')");
  await shot(page, "script-report-en");
  await toLang(page, "zh-CN");
  noErrors(page, /status of 400 \(Bad Request\) \S+\/api\/v1\/scripts\/import$/);
  await page.context().close();
});

test("Vue knowledge base: an article written with a category, tags and an attachment, published, found by the search", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=kb]");
  await page.waitForSelector(".article-table");
  await page.click("#new-article");
  await page.fill("#article-dialog input[name=title]", `信用卡还款渠道${run}`);
  await page.click("#article-dialog .category");
  await page.keyboard.type("催收");
  await page.keyboard.press("Enter");
  await page.click("#article-dialog .tags");
  await page.keyboard.type("还款");
  await page.keyboard.press("Enter");
  await page.keyboard.type("网银");
  await page.keyboard.press("Enter");
  await page.fill("#article-dialog textarea[name=body]", "可通过手机银行、网上银行或柜台还款。");
  await page.click("#article-dialog .save");
  await page.waitForSelector("#article-dialog .attach");
  await page.setInputFiles("#article-dialog input[name=attachment]", { name: "还款指引.txt", mimeType: "text/plain", buffer: Buffer.from("还款指引") });
  await page.waitForSelector("#article-dialog .attachment:has-text('还款指引.txt')");
  await shot(page, "kb-article-zh-CN");
  await page.keyboard.press("Escape");
  const row = page.locator(".article-table .el-table__row", { hasText: `信用卡还款渠道${run}` });
  await row.waitFor();
  assert.match(await row.textContent(), /草稿/);
  assert.match(await row.textContent(), /网银/);
  await row.locator(".to-published").click();
  await row.locator("[data-status=published]").waitFor();
  await shot(page, "kb-zh-CN");

  await page.click(".el-menu-item[data-page=kb-search]");
  await page.fill("input[name=kb-search]", `还款渠道${run}`);
  await page.click(".kb-go");
  const hit = page.locator(".kb-hit[data-rank='1']");
  await hit.waitFor();
  assert.match(await hit.textContent(), new RegExp(`信用卡还款渠道${run}`));
  await hit.click();
  await page.waitForSelector(".kb-reader .article-body");
  assert.match(await page.textContent(".kb-reader .article-body"), /手机银行/);
  assert.match(await page.textContent(".kb-reader"), /还款指引\.txt/);
  await shot(page, "kb-search-zh-CN");
  await page.keyboard.press("Escape");
  await toLang(page, "en");
  await page.waitForSelector(".page-head h2:has-text('Knowledge search')");
  await shot(page, "kb-search-en");
  await page.click(".el-menu-item[data-page=kb]");
  await page.waitForSelector(".article-table [data-status=published]");
  await shot(page, "kb-en");
  await toLang(page, "zh-CN");
  noErrors(page);
  await page.context().close();
});
