// Browser tests of the admin UI against the real server (simulated switch,
// throw-away SQLite). Run by scripts/test-ui.sh, which builds and starts it.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
// Every wait is for a condition (a selector, a function); patience is only
// the safety net, long enough that a busy machine never reaches it.
const patience = 120_000;
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

async function newPage() {
  const page = await browser.newPage();
  page.setDefaultTimeout(patience);
  return page;
}

async function signIn(page) {
  await page.goto(base + "/classic/");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector("#top:not([hidden])");
}

test("login page is Chinese by default, labelled simulated, and refuses a wrong password", async () => {
  const page = await newPage();
  await page.goto(base + "/classic/");
  assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
  await page.waitForSelector("#sim:not([hidden])");
  assert.match(await page.textContent("#sim"), /模拟/);
  assert.equal(await page.isVisible("#top"), false);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", "wrong-password");
  await page.click("button[type=submit]");
  await page.waitForFunction(() => document.getElementById("login-error").textContent !== "");
  assert.equal(await page.isVisible("#top"), false);
});

test("admin creates a campaign, imports an Excel file and sees the contacts, in English too", async () => {
  const page = await newPage();
  await signIn(page);
  await page.fill("input[name=name]", "界面测试活动");
  await page.click("form.row button");
  await page.click("text=界面测试活动");
  await page.waitForSelector("h2");
  await page.setInputFiles("input[type=file]", process.env.CC_UI_FIXTURE);
  await page.click("form.row button:not([type=button])");
  await page.waitForFunction(() => /done|已完成|完成/.test(document.querySelector("main").textContent) && document.querySelector("main").textContent.includes("5"));
  await page.reload();
  await page.waitForSelector("text=联系人 (5)");
  assert.ok(await page.isVisible("text=待拨打"));
  await page.click("#lang");
  await page.waitForSelector("text=Contacts (5)");
  assert.ok(await page.isVisible("text=Pending"));
});

test("blacklisting an ID number from the UI blocks the contact", async () => {
  const page = await newPage();
  await signIn(page);
  await page.click("a[href='#dnc']");
  await page.fill("input[name=id_number]", "510104200002290038");
  await page.fill("input[name=reason]", "客户要求");
  await page.click("text=添加");
  await page.waitForSelector("text=510104200002290038");
  await page.click("a[href='#campaigns']");
  await page.click("text=界面测试活动");
  const row = page.locator("tr", { hasText: "吴刚" });
  await row.waitFor();
  assert.match(await row.textContent(), /黑名单/);
  assert.doesNotMatch(await page.locator("tr", { hasText: "张伟" }).textContent(), /黑名单/);
});

test("a blocked contact shows the entry that blocks it; re-adding the ID keeps its reason and can add one", async () => {
  const page = await browser.newPage();
  await signIn(page);
  await page.click("text=界面测试活动");
  const blocked = page.locator("tr", { hasText: "吴刚" }).locator(".blocked-by");
  await blocked.waitFor();
  assert.match(await blocked.textContent(), /身份证号码 .*客户要求.*admin/);

  await page.click("a[href='#dnc']");
  await page.fill("input[name=id_number]", "510104200002290038");
  await page.fill("input[name=reason]", "重复添加");
  await page.click("text=添加");
  const exists = page.locator(".dnc-exists");
  await exists.waitFor();
  assert.match(await exists.textContent(), /已在黑名单中.*客户要求/);
  await page.click("text=追加我的原因");
  const entry = page.locator("tr", { hasText: "510104200002290038" });
  await page.waitForFunction(() => document.querySelector("main").textContent.includes("重复添加（"));
  assert.match(await entry.textContent(), /客户要求.*重复添加/);
});
