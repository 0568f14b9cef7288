// Browser tests of the data-leak guards (R10): watermark, print and bulk copy
// without the export permission, copy audit, idle screen lock, and the
// workstations admin page. Run by scripts/test-ui.sh against a fresh server
// (default policy: 10-minute idle lock).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const adminPassword = process.env.CC_UI_ADMIN_PASSWORD;
const qaPassword = "Qa-Dlp-Pass-2026!";
let browser, adminToken;

// The REST API from the test itself, as the admin.
async function rest(method, path, body, token = adminToken) {
  const r = await fetch(base + "/api/v1" + path, {
    method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: "Bearer " + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const login = await rest("POST", "/auth/login", { username: "admin", password: adminPassword }, "");
  assert.equal(login.status, 200, `sign-in of admin: ${JSON.stringify(login.body)}`);
  adminToken = login.body.token;
  const qa = await rest("POST", "/users", { username: "dlp_qa", password: qaPassword, role: "qa", display_name: "质检小王" });
  assert.equal(qa.status, 201, JSON.stringify(qa.body));
  const camp = await rest("POST", "/campaigns", { name: "防泄漏测试", kind: "collection", media: "voice", dial_mode: "progressive", caller_ids: ["02161234567"] });
  await rest("POST", `/campaigns/${camp.body.id}/contacts`, { contacts: [
    { name: "赵一", phone: "13811110001" }, { name: "钱二", phone: "13811110002" }, { name: "孙三", phone: "13811110003" }] });
});
after(async () => { await browser?.close(); });

async function signIn(page, username, password) {
  await page.goto(base + "/classic/");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector("#top:not([hidden])");
}

async function audit(action) {
  return (await rest("GET", "/audit?page_size=100&action=" + action)).body.items;
}

async function eventually(what, cond) {
  const deadline = Date.now() + 20000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("every signed-in page carries a watermark with the user's name and the time, on top and not clickable", async () => {
  const page = await browser.newPage();
  await signIn(page, "dlp_qa", qaPassword);
  const mark = page.locator("#watermark");
  const text = await mark.getAttribute("data-text");
  assert.match(text, /^质检小王 dlp_qa \d{4}-\d\d-\d\d \d\d:\d\d$/);
  const style = await mark.evaluate((el) => { const s = getComputedStyle(el); return { pe: s.pointerEvents, pos: s.position, us: s.userSelect, bg: s.backgroundImage }; });
  assert.deepEqual([style.pe, style.pos, style.us], ["none", "fixed", "none"]);
  assert.match(style.bg, /svg/);
  await page.click("a[href='#dnc']"); // clicks go through it
  await page.waitForSelector("text=添加");
  await page.evaluate(() => document.getElementById("watermark").remove());
  await page.waitForSelector("#watermark", { state: "attached" });
  await page.click("#logout");
  await page.waitForSelector("input[name=username]");
  assert.equal(await page.locator("#watermark").count(), 0, "no watermark once signed out");
});

test("without export: printing is blank and Ctrl+P refused, bulk copy of customers refused, single copies audited", async () => {
  const page = await browser.newPage();
  await signIn(page, "dlp_qa", qaPassword);
  await page.click("text=防泄漏测试");
  await page.waitForSelector("text=赵一");

  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("main").evaluate((el) => getComputedStyle(el).display), "none");
  assert.match(await page.evaluate(() => getComputedStyle(document.body, "::after").content), /打印/);
  await page.emulateMedia({ media: "screen" });
  await page.keyboard.press("Control+p");
  await page.waitForSelector("#dlp-toast:not([hidden])");
  await eventually("print_blocked audited", async () => (await audit("client.print_blocked")).some((e) => e.username === "dlp_qa"));

  const copy = (selector) => page.evaluate((sel) => {
    const range = document.createRange();
    const nodes = document.querySelectorAll(sel);
    range.setStartBefore(nodes[0]); range.setEndAfter(nodes[nodes.length - 1]);
    const s = document.getSelection(); s.removeAllRanges(); s.addRange(range);
    const ev = new ClipboardEvent("copy", { clipboardData: new DataTransfer(), bubbles: true, cancelable: true });
    document.dispatchEvent(ev);
    return ev.defaultPrevented;
  }, selector);
  assert.equal(await copy("[data-customer] tr:nth-child(n+2)"), true, "copying every contact row is refused");
  assert.equal(await copy("[data-customer] tr:nth-child(2) td:nth-child(2)"), false, "one phone may be copied");
  await eventually("copies audited", async () => {
    const blocked = await audit("client.copy_blocked"), copied = await audit("client.copy");
    return blocked.some((e) => e.username === "dlp_qa") && copied.some((e) => e.username === "dlp_qa" && /contacts:phone/.test(e.detail));
  });
});

test("with export: the printed page shows the data", async () => {
  const page = await browser.newPage();
  await signIn(page, "admin", adminPassword);
  await page.emulateMedia({ media: "print" });
  assert.notEqual(await page.locator("main").evaluate((el) => getComputedStyle(el).display), "none");
});

test("idle screen lock: blurs after 10 minutes, survives a reload, unlocks with the password", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.clock.install();
  await signIn(page, "dlp_qa", qaPassword);
  await page.waitForSelector("text=防泄漏测试");
  await page.clock.fastForward("10:30");
  await page.waitForSelector("#screen-lock");
  assert.match(await page.locator("main").evaluate((el) => getComputedStyle(el).filter), /blur/);
  await eventually("lock reached the server", async () => (await audit("auth.screen_lock")).some((e) => e.username === "dlp_qa"));

  await page.reload();
  await page.waitForSelector("#screen-lock");
  assert.equal(await page.locator("text=防泄漏测试").count(), 0, "a reload shows no data while locked");
  await page.fill("input[name=unlock-password]", "wrong-password");
  await page.click("#unlock button:not([type=button])");
  await page.waitForFunction(() => document.querySelector("#unlock .error").textContent !== "");
  await page.fill("input[name=unlock-password]", qaPassword);
  await page.click("#unlock button:not([type=button])");
  await page.waitForSelector("#screen-lock", { state: "detached" });
  await page.waitForSelector("text=防泄漏测试");

  // The live stream ended at the lock and was refused while locked; it is
  // open again: a message sent now shows in the header.
  await page.waitForFunction(() => startLive.es && startLive.es.readyState === EventSource.OPEN);
  const qa = (await rest("GET", "/users?q=dlp_qa")).body.items[0];
  const sent = await rest("POST", "/messages", { to_user_id: qa.id, text: "解锁后的消息" });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  await page.waitForFunction(() => /消息/.test(document.getElementById("live").textContent));
  await context.close();
});

test("workstations page: register a PC, see its token once, and its lock state once it reports", async () => {
  const page = await browser.newPage();
  await signIn(page, "admin", adminPassword);
  await page.click("a[href='#workstations']");
  // The campaigns page shown before it has a name field too: fill the
  // workstations form only once it is there.
  await page.waitForSelector("select[name=state]");
  await page.fill("input[name=name]", "PC-UI-01");
  await page.fill("input[name=note]", "三楼");
  await page.click("text=登记");
  const token = (await page.locator(".token").textContent()).trim();
  assert.match(token, /^ws_/);
  await page.waitForSelector("tr:has-text('pc-ui-01') >> text=未上报");
  const r = await rest("POST", "/workstations/report", { state: "locked", platform: "linux" }, token);
  assert.equal(r.status, 200);
  await page.reload();
  await page.waitForSelector("tr:has-text('pc-ui-01') >> text=已锁定");
  assert.equal(await page.locator(".token").count(), 0, "the token is not shown again");
});
