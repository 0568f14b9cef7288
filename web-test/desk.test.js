// Browser tests of the desk pages: shifts, broadcasts, and a private message
// that reaches the recipient's open page live over the event stream.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await browser?.close(); });

async function signIn(page, user, pw) {
  await page.goto(base + "/classic/");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", pw);
  await page.click("button[type=submit]");
  await page.waitForSelector("#top:not([hidden])");
}

test("a private message appears on the recipient's open page without a reload", async () => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin", password);
  const created = await admin.evaluate(async () => {
    const r = await fetch("/api/v1/users", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "ui_agent", password: "Ui-Agent-Pass-2026", role: "agent", display_name: "李娜" }) });
    return r.status;
  });
  assert.equal(created, 201);
  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, "ui_agent", "Ui-Agent-Pass-2026");
  await agent.click("a[href='#messages']");
  await agent.waitForSelector("text=公告通知"); // the page is up, its stream open

  await admin.click("a[href='#messages']");
  await admin.selectOption("select[name=to_user_id]", { label: "李娜" });
  await admin.fill("input[name=text]", "请回拨客户 13800138000");
  await admin.click("button:text-is('发送')");

  await agent.waitForSelector("text=请回拨客户 13800138000");
  assert.match(await agent.textContent("#live"), /消息/);
  await agent.click("text=标为已读");
  await agent.waitForSelector("td:text('已读')");
});

test("an admin defines a night shift and sends an announcement to everyone", async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, "admin", password);
  await page.click("a[href='#shifts']");
  const def = page.locator("form", { has: page.locator("input[name=break_minutes]") });
  await def.locator("input[name=name]").fill("夜班");
  await def.locator("input[name=start]").fill("22:00");
  await def.locator("input[name=end]").fill("06:00");
  await def.locator("button").click();
  const row = page.locator("tr", { hasText: "夜班" });
  await row.waitFor();
  assert.match(await row.textContent(), /22:00.*06:00.*是/);

  await page.click("a[href='#broadcasts']");
  await page.fill("input[name=text]", "系统今晚 22:00 维护");
  await page.click("button:text-is('发送')");
  const sent = page.locator("tr", { hasText: "系统今晚 22:00 维护" });
  await sent.waitFor();
  assert.match(await sent.textContent(), /0\/[1-9]/); // recipients (the agent of the test above), none read yet
});
