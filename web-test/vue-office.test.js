// Browser tests of the Vue app's (/app/) office pages against the real
// server, run by scripts/test-ui.sh: a private message reaching the
// recipient's open inbox over the event stream (again after an idle lock
// is lifted), a night shift and an
// announcement to everyone, test messages in the delivery log labelled
// simulated, a fax document upload (a non-PDF refused by name), the
// blacklist blocking a contact that names the entry, the watermark on top
// and not clickable, printing with the export permission, and a
// workstation's lock state once it reports. Names carry the run's mark so
// the file passes again on the same database.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
// Every wait is for a condition; patience is only the safety net.
const patience = 120_000;
const run = Date.now().toString(36).slice(-5);
// digits: a run mark of four digits for phone numbers and ID numbers.
const digits = String(Date.now() % 10000).padStart(4, "0");
let browser;

before(async () => {
  browser = await chromium.launch({
    timeout: patience,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await browser?.close(); });

// newPage opens a page at 1366×768 in its own context that records console
// errors and uncaught exceptions.
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
  const left = page.errors.filter((e) => !allowed.test(e));
  assert.deepEqual(left, [], "console errors");
}

// rest calls the API as the admin (bearer token), for what a test sets up
// outside the pages under test.
let token;
async function rest(method, p, body, tok) {
  if (!token) {
    const r = await fetch(base + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "admin", password }) });
    assert.ok(r.ok, `sign-in of admin: ${r.status} ${await r.clone().text()}`);
    token = (await r.json()).token;
  }
  const r = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", Authorization: "Bearer " + (tok || token) }, body: body === undefined ? undefined : JSON.stringify(body) });
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

// choose picks an option of an Element Plus select.
async function choose(page, select, option) {
  await page.click(select);
  await page.click(`.el-select-dropdown__item:visible:has-text("${option}")`);
}

// idNumber is a valid mainland ID number (check digit included) born on
// 2000-02-29, its sequence the run's digits.
function idNumber(seq) {
  const body = "51010420000229" + seq.slice(-3);
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body + "10X98765432"[sum % 11];
}

test("Vue messages: a private message sent from the page appears on the recipient's open inbox without a reload, and is marked read", async () => {
  const agentName = `消息坐席${run}`;
  const pw = "Ui-Agent-Pass-2026!";
  await rest("POST", "/users", { username: `vue_msg_${run}`, password: pw, role: "agent", display_name: agentName });
  const agent = await newPage();
  await signIn(agent, `vue_msg_${run}`, pw);
  await agent.click(".el-menu-item[data-page=messages]");
  // The inbox is open and its stream live: from now on only the stream can
  // bring the message (the page loaded the inbox before).
  await agent.waitForSelector(".message-list[data-live=true]");

  const admin = await newPage();
  await signIn(admin);
  await admin.click(".el-menu-item[data-page=messages]");
  await admin.waitForSelector(".message-send");
  await choose(admin, ".message-send .sel-to", agentName);
  const text = `请回拨客户 13800138000（${run}）`;
  await admin.fill("input[name=message-text]", text);
  await admin.click(".message-send .send");

  const row = agent.locator(".messages-table .el-table__row", { hasText: text });
  await row.waitFor();
  await row.locator(".mark-read").click();
  await agent.locator(".messages-table .el-table__row", { hasText: text }).filter({ has: agent.locator(".mark-read") }).waitFor({ state: "detached" });
  // The sender's outbox shows it read.
  await admin.click(".message-tabs #tab-outbox");
  const sent = admin.locator(".messages-table .el-table__row", { hasText: text });
  await sent.waitFor();
  assert.doesNotMatch(await sent.textContent(), /未读/);
  noErrors(agent);
  noErrors(admin);
  await agent.context().close();
  await admin.context().close();
});

test("Vue idle lock on the inbox: once unlocked the stream is live again and a message shows without a reload", async () => {
  const pw = "Ui-Lock-Pass-2026!";
  const user = await rest("POST", "/users", { username: `vue_lock_${run}`, password: pw, role: "agent", display_name: `锁屏坐席${run}` });
  const page = await newPage();
  await page.clock.install();
  await signIn(page, `vue_lock_${run}`, pw);
  await page.click(".el-menu-item[data-page=messages]");
  await page.waitForSelector(".message-list[data-live=true]");
  await page.clock.fastForward("10:30");
  await page.waitForSelector("#screen-lock");
  assert.equal(await page.locator(".message-list").count(), 0, "no inbox behind the lock");
  await page.fill("input[name=unlock-password]", pw);
  await page.click("#unlock button[type=submit]");
  await page.waitForSelector("#screen-lock", { state: "detached" });
  await page.waitForSelector(".message-list[data-live=true]");
  const text = `解锁后的消息${run}`;
  await rest("POST", "/messages", { to_user_id: user.id, text });
  await page.locator(".messages-table .el-table__row", { hasText: text }).waitFor();
  noErrors(page, /status of 423/); // requests refused while locked
  await page.context().close();
});

test("Vue shifts and announcements: an admin defines a night shift and sends an announcement to everyone", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=shifts]");
  await page.click(".shift-tabs #tab-shifts");
  await page.click(".new-shift");
  await page.waitForSelector("#shift-form");
  await page.fill("#shift-form input[name=shift-name]", `夜班${run}`);
  await page.fill("#shift-form input[name=shift-start]", "22:00");
  await page.fill("#shift-form input[name=shift-end]", "06:00");
  await page.click(".el-dialog .save");
  await page.waitForSelector("#shift-form", { state: "hidden" });
  const row = page.locator(".shifts-table .el-table__row", { hasText: `夜班${run}` });
  await row.waitFor();
  assert.match(await row.textContent(), /22:00–06:00\s*\(\+1\)/); // ends the next day

  await page.click(".el-menu-item[data-page=messages]");
  await page.click(".message-tabs #tab-broadcasts");
  await page.waitForSelector("#broadcast-form");
  const text = `系统今晚 22:00 维护（${run}）`;
  await page.fill("#broadcast-form input[name=broadcast-title]", `维护通知${run}`);
  await page.fill("#broadcast-form input[name=broadcast-text]", text);
  await page.click("#broadcast-form .send-broadcast");
  const sent = page.locator(".broadcasts-table .el-table__row", { hasText: text });
  await sent.waitFor();
  // Everyone received it (the admin and the users of other tests), none read it yet.
  const [read, recipients] = (await sent.locator(".receipts").textContent()).split("/").map((s) => Number(s.trim()));
  assert.equal(read, 0);
  assert.ok(recipients >= 1, `recipients ${recipients}`);
  noErrors(page);
  await page.context().close();
});

test("Vue SMS/email log: an admin sends test messages and finds them listed, labelled simulated, in both languages", async () => {
  const phone = `1380013${digits}`;
  const mail = `ops${run}@bank.example`;
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=outbound]");
  await page.waitForSelector(".test-form");
  await page.fill(".test-form input[name=test-to]", phone);
  await page.fill(".test-form input[name=test-text]", `界面测试短信${run}`);
  await page.click(".test-form .send-test");
  // Simulated capture: delivered at once (a queued row first is fine).
  const sms = page.locator(".outbound-table .el-table__row", { hasText: phone }).filter({ hasText: "已送达" });
  await sms.waitFor();
  assert.match(await sms.textContent(), /测试.*短信.*已送达.*模拟/);

  await choose(page, ".test-form .test-channel", "邮件");
  await page.fill(".test-form input[name=test-to]", mail);
  await page.fill(".test-form input[name=test-subject]", `界面测试邮件${run}`);
  await page.click(".test-form .send-test");
  const email = page.locator(".outbound-table .el-table__row", { hasText: mail });
  await email.waitFor();
  assert.match(await email.textContent(), /邮件.*模拟/);

  // No recipient: the server's refusal is shown under the form.
  await page.fill(".test-form input[name=test-to]", " ");
  await page.click(".test-form .send-test");
  await page.waitForFunction(() => (document.querySelector(".test-error")?.textContent || "").trim() !== "");

  // The log is drawn again in English: wait for the English row.
  await toLang(page, "en");
  const en = page.locator(".outbound-table .el-table__row", { hasText: phone }).filter({ hasText: /SMS.*Delivered.*Simulated/ });
  await en.waitFor();
  await choose(page, ".outbound-purpose", "Test");
  await page.locator(".outbound-table .el-table__row", { hasText: mail }).waitFor();
  await toLang(page, "zh-CN");
  noErrors(page, /status of 400 .*\/outbound-messages\/test$/); // the blank recipient
  await page.context().close();
});

// pdf builds a valid one-page PDF with a correct cross-reference table.
function pdf() {
  const objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
    "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << >> >>"];
  const text = "72 700 m 500 700 l S";
  objs.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
  let out = "%PDF-1.4\n";
  const offs = [];
  objs.forEach((o, i) => { offs.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + offs.map((o) => String(o).padStart(10, "0") + " 00000 n \n").join("");
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

test("Vue fax documents: an admin uploads a PDF; a file that is no PDF is refused by name", async (t) => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=outbound]");
  await page.waitForSelector(".fax-upload");
  const error = () => page.evaluate(() => (document.querySelector(".fax-error")?.textContent || "").trim());
  await page.setInputFiles(".fax-upload input[type=file]", { name: `会议纪要${run}.pdf`, mimeType: "application/pdf", buffer: Buffer.from("not a pdf at all") });
  await page.click(".fax-upload .upload-fax");
  await page.waitForFunction(() => (document.querySelector(".fax-error")?.textContent || "").trim() !== "");
  const refused = await error();
  if (/ghostscript/.test(refused)) { // the server has no gs: nothing to convert with
    t.skip("the server has no ghostscript");
    await page.context().close();
    return;
  }
  assert.match(refused, new RegExp(`会议纪要${run}\\.pdf`));

  await page.setInputFiles(".fax-upload input[type=file]", { name: `对账单${run}.pdf`, mimeType: "application/pdf", buffer: pdf() });
  await page.click(".fax-upload .upload-fax");
  // The row, or the refusal the server gave (named in the failure).
  await page.waitForFunction((name) => [...document.querySelectorAll(".documents-table .el-table__row")].some((r) => r.textContent.includes(name)) ||
    !/会议纪要/.test(document.querySelector(".fax-error")?.textContent || "会议纪要"), `对账单${run}.pdf`);
  assert.equal(await error(), "", "the PDF upload was refused");
  const row = page.locator(".documents-table .el-table__row", { hasText: `对账单${run}.pdf` });
  assert.match(await row.textContent(), new RegExp(`对账单${run}\\.pdf\\s*传真\\s*1`));
  noErrors(page, /status of 400 .*\/documents$/); // the file that is no PDF
  await page.context().close();
});

test("Vue blacklist: an ID number added on the page blocks the contact, which names the entry; adding it again keeps its reason and can add one", async () => {
  const id = idNumber(digits);
  const camp = await rest("POST", "/campaigns", { name: `黑名单活动${run}`, kind: "collection", media: "voice", dial_mode: "progressive" });
  await rest("POST", `/campaigns/${camp.id}/contacts`, { contacts: [
    { name: `吴刚${run}`, phone: `1391111${digits}`, id_number: id },
    { name: `张伟${run}`, phone: `1392222${digits}` }] });
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=blacklist]");
  await page.fill(".dnc-add input[name=id_number]", id);
  await page.fill(".dnc-add input[name=reason]", "客户要求");
  await page.click(".dnc-add button[type=submit]");
  const entry = page.locator(".dnc-table .el-table__row", { hasText: id });
  await entry.waitFor();
  assert.match(await entry.textContent(), /身份证号码.*客户要求（/);

  await page.click(".el-menu-item[data-page=campaigns]");
  await page.locator(".campaign-table .campaign-link", { hasText: `黑名单活动${run}` }).click();
  const blocked = page.locator(".contacts-table .el-table__row", { hasText: `吴刚${run}` });
  await blocked.waitFor();
  assert.match(await blocked.textContent(), /黑名单.*身份证号码 \S+ \(客户要求\)/);
  assert.doesNotMatch(await page.locator(".contacts-table .el-table__row", { hasText: `张伟${run}` }).textContent(), /黑名单|身份证号码 \S+ \(/);

  await page.click(".el-menu-item[data-page=blacklist]");
  await page.fill(".dnc-add input[name=id_number]", id);
  await page.fill(".dnc-add input[name=reason]", "重复添加");
  await page.click(".dnc-add button[type=submit]");
  const exists = page.locator(".dnc-exists");
  await exists.waitFor();
  assert.match(await exists.textContent(), /已在黑名单中.*客户要求/);
  await exists.locator("button:has-text('追加我的原因')").click();
  await page.waitForFunction((v) => [...document.querySelectorAll(".dnc-table .el-table__row")].some((r) => r.textContent.includes(v) && r.textContent.includes("重复添加（")), id);
  assert.match(await page.locator(".dnc-table .el-table__row", { hasText: id }).textContent(), /客户要求.*重复添加/);
  noErrors(page, /status of 409 .*\/dnc$/); // the entry that exists
  await page.context().close();
});

test("Vue watermark: on top of every signed-in page, not clickable, with the user's name and the time", async () => {
  const page = await newPage();
  await signIn(page);
  await page.waitForSelector("#watermark", { state: "attached" });
  assert.match(await page.locator("#watermark").getAttribute("data-text"), /admin \d{4}-\d\d-\d\d \d\d:\d\d$/);
  for (const name of ["campaigns", "blacklist", "messages"]) {
    // Clicks go through it (playwright refuses a click another element would take).
    await page.click(`.el-menu-item[data-page=${name}]`);
    await page.waitForSelector(`.el-menu-item[data-page=${name}].is-active`);
    const s = await page.locator("#watermark").evaluate((el) => {
      const c = getComputedStyle(el);
      // On top: no element of the page has a higher z-index.
      const top = Math.max(...[...document.querySelectorAll("body *")].filter((x) => x !== el).map((x) => Number(getComputedStyle(x).zIndex) || 0));
      return { pe: c.pointerEvents, pos: c.position, us: c.userSelect, bg: c.backgroundImage, z: Number(c.zIndex), top, w: el.offsetWidth - document.documentElement.clientWidth, h: el.offsetHeight - document.documentElement.clientHeight };
    });
    assert.deepEqual([s.pe, s.pos, s.us], ["none", "fixed", "none"], name);
    assert.match(s.bg, /svg/, name);
    assert.ok(s.z > s.top, `${name}: watermark z-index ${s.z}, page ${s.top}`);
    assert.ok(s.w >= 0 && s.h >= 0, `${name}: covers the window (${s.w}, ${s.h})`);
  }
  noErrors(page);
  await page.context().close();
});

test("Vue with export: the printed page shows the data", async () => {
  const page = await newPage();
  await signIn(page);
  await page.waitForSelector(".kpi-campaigns_running");
  await page.emulateMedia({ media: "print" });
  assert.notEqual(await page.locator("#app").evaluate((el) => getComputedStyle(el).display), "none");
  assert.doesNotMatch(await page.evaluate(() => getComputedStyle(document.body, "::after").content), /打印/);
  noErrors(page);
  await page.context().close();
});

test("Vue workstations: a PC registered, its token shown once, its lock state once it reports", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click(".el-menu-item[data-page=workstations]");
  await page.fill("input[name=ws-name]", `pc-ui-${run}`);
  await page.click(".register-ws");
  await page.waitForSelector(".token-box .token");
  const wsToken = (await page.textContent(".token-box .token")).trim();
  const row = () => page.locator(".workstation-table .el-table__row", { hasText: `pc-ui-${run}` });
  await row().waitFor();
  assert.match(await row().textContent(), /未上报/);
  const r = await fetch(base + "/api/v1/workstations/report", { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + wsToken },
    body: JSON.stringify({ state: "locked", platform: "linux" }) });
  assert.equal(r.status, 200, await r.text());
  await page.reload();
  await row().filter({ hasText: "已锁定" }).waitFor();
  assert.equal(await page.locator(".token-box").count(), 0, "the token is not shown again");
  noErrors(page);
  await page.context().close();
});
