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
  await page.goto(base + "/classic/");
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

  // The log is drawn again in English: wait for the English row (the
  // Chinese one is there until then).
  await page.click("#lang");
  const row = page.locator("#outbound-log tr", { hasText: "13800138000" }).filter({ hasText: /SMS.*simulated.*Delivered/ });
  await row.waitFor();
  assert.match(await row.textContent(), /SMS.*13800138000.*simulated.*Delivered/);
  await page.locator("select[name=purpose]").selectOption("test");
  await page.waitForFunction(() => location.hash === "#outbound?purpose=test");
  await page.locator("#outbound-log tr", { hasText: "ops@bank.example" }).waitFor();
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

test("an admin uploads a fax document; a file that is no PDF is refused by name", async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(patience);
  await page.goto(base + "/classic/");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector("#top:not([hidden])");
  await page.click("a[href='#outbound']");
  const form = page.locator("#fax-upload");
  await form.waitFor();
  await form.locator("input[type=file]").setInputFiles({ name: "会议纪要.pdf", mimeType: "application/pdf", buffer: Buffer.from("not a pdf at all") });
  await form.locator("button").click();
  await page.waitForFunction(() => document.querySelector("#fax-upload + .error").textContent !== "");
  const refused = await page.textContent("#fax-upload + .error");
  if (/ghostscript/.test(refused)) return; // the server has no gs: nothing to convert with
  assert.match(refused, /会议纪要\.pdf/);
  await form.locator("input[type=file]").setInputFiles({ name: "对账单.pdf", mimeType: "application/pdf", buffer: pdf() });
  await form.locator("button").click();
  const row = page.locator("tr", { hasText: "对账单.pdf" });
  // The row, or the refusal the server gave (named in the failure).
  await page.waitForFunction(() => [...document.querySelectorAll("tr")].some((r) => r.textContent.includes("对账单.pdf")) ||
    document.querySelector("#fax-upload + .error").textContent !== "");
  assert.equal(await page.textContent("#fax-upload + .error"), "", "the PDF upload was refused");
  await row.waitFor();
  assert.match(await row.textContent(), /对账单\.pdf\s*1/);
});
