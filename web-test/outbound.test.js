// Browser test of the delivery log page: an admin sends a test SMS and a
// test e-mail (no provider configured: the simulated capture) and sees
// them listed, labelled simulated, in Chinese and in English.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
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

test("an admin sends test messages and finds them in the delivery log, labelled simulated", async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(patience);
  await page.goto(base + "/");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector("#top:not([hidden])");
  await page.click("a[href='#outbound']");
  const form = page.locator("#test-message");
  await form.waitFor();
  await form.locator("input[name=to]").fill("13800138000");
  await form.locator("input[name=text]").fill("界面测试短信");
  await form.locator("button").click();
  const sms = page.locator("#outbound-log tr", { hasText: "界面测试短信" });
  await sms.waitFor();
  assert.match(await sms.textContent(), /短信.*13800138000.*模拟.*已送达/);

  await form.locator("select[name=channel]").selectOption("email");
  await form.locator("input[name=to]").fill("ops@bank.example");
  await form.locator("input[name=subject]").fill("界面测试邮件");
  await form.locator("button").click();
  await page.locator("#outbound-log tr", { hasText: "ops@bank.example" }).waitFor();
  assert.match(await page.textContent("main"), /没有真正发出/);

  await form.locator("input[name=to]").fill("");
  await form.locator("input[name=to]").fill(" ");
  await form.locator("button").click();
  await page.waitForFunction(() => document.querySelector("#test-message + .error").textContent !== "");

  await page.click("#lang");
  const row = page.locator("#outbound-log tr", { hasText: "13800138000" });
  await row.waitFor();
  assert.match(await row.textContent(), /SMS.*simulated.*Delivered/);
  await page.locator("select[name=purpose]").selectOption("test");
  await page.waitForFunction(() => location.hash === "#outbound?purpose=test");
  await page.locator("#outbound-log tr", { hasText: "ops@bank.example" }).waitFor();
});
