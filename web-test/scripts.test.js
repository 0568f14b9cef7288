// Browser tests of the script pages: a manager builds a branching script in
// the designer and walks it in the preview; an agent runs it in a call,
// pauses and resumes it (a reload keeps it), and the results show the answers.
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

// addNode adds a node and sets its id, type and fields.
async function addNode(page, id, type, fill) {
  await page.click("#add-node");
  const row = page.locator("#nodes .node").last();
  await row.locator("input[name=id]").fill(id);
  await row.locator("input[name=id]").press("Tab"); // change: the list re-renders
  const node = page.locator(`#nodes .node[data-node='${id}']`);
  await node.locator("select[name=type]").selectOption(type);
  await fill(page.locator(`#nodes .node[data-node='${id}']`));
}

test("a manager builds a branching script in the designer and walks it", async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, "admin", password);
  await page.click("a[href='#scripts']");
  await page.click("#new-script");
  await page.fill("input[name=title]", "界面话术：逾期提醒");
  const q1 = page.locator("#nodes .node[data-node='q1']");
  await q1.locator("textarea[name=text]").fill("您好，请问是本人吗？");
  await q1.locator("textarea[name=options]").fill("yes|是|q2\nno|不是|end_no");
  await addNode(page, "end_ok", "end", (n) => n.locator("input[name=outcome]").fill("success"));
  await addNode(page, "end_no", "end", (n) => n.locator("input[name=outcome]").fill("wrong_person"));
  await addNode(page, "q2", "text", async (n) => {
    await n.locator("textarea[name=text]").fill("您的信用卡已逾期，请尽快还款。");
    await n.locator("select[name=next]").selectOption("end_ok");
  });
  await page.click("#save-publish");
  await page.waitForSelector("text=已发布版本 1");
  assert.match(location(page), /#script\/\d+$/);

  // The diagram draws the branches as arrows.
  for (const [from, to] of [["q1", "q2"], ["q1", "end_no"], ["q2", "end_ok"]]) {
    await page.waitForSelector(`#diagram path.edge[data-from='${from}'][data-to='${to}']`, { state: "attached" });
  }
  // The preview walks the saved flow: 是 → q2 → end_ok.
  await page.click("#walk");
  await page.waitForSelector("#preview .walk-text:text('您好，请问是本人吗？')");
  await page.click("#preview .walk-option:text('是')");
  await page.waitForSelector("#preview .walk-text:text('您的信用卡已逾期，请尽快还款。')");
  await page.click("#preview .walk-next");
  await page.waitForSelector("#preview .walk-end:text('success')");
  // The other branch ends elsewhere.
  await page.click("#preview button:text-is('重新开始')");
  await page.click("#preview .walk-option:text('不是')");
  await page.waitForSelector("#preview .walk-end:text('wrong_person')");

  // The list finds it by a Chinese keyword.
  await page.goto(base + "/classic/#scripts?q=" + encodeURIComponent("逾期"));
  await page.waitForSelector("td a:text('界面话术：逾期提醒')");
});

function location(page) { return page.url(); }

test("an agent runs the script in a call, pauses and resumes it, and the results show the answers", async () => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin", password);
  const made = await admin.evaluate(async () => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|;\s*)cc_csrf=([^;]*)/) || [])[1] || "");
    const r = await fetch("/api/v1/users", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ username: "ui_script_agent", password: "Ui-Agent-Pass-2026", role: "agent", display_name: "王芳" }) });
    const list = await (await fetch("/api/v1/scripts?q=" + encodeURIComponent("界面话术"))).json();
    const id = list.items[0] && list.items[0].id;
    // A published knowledge-base article, linked from the node q2 (a new published version).
    const send = (method, path, body) => fetch("/api/v1" + path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) }).then((x) => x.json());
    const art = await send("POST", "/kb/articles", { title: "还款渠道说明", category: "信用卡", body: "手机银行、柜台、自动扣款均可还款。" });
    await send("POST", `/kb/articles/${art.id}/status`, { status: "published" });
    const sc = await (await fetch("/api/v1/scripts/" + id)).json();
    sc.nodes.find((n) => n.id === "q2").article_ids = [art.id];
    const saved = await send("PATCH", "/scripts/" + id, { nodes: sc.nodes, publish: true });
    return { status: r.status, script: id, version: saved.published_version };
  });
  assert.equal(made.status, 201);
  assert.ok(made.script);
  assert.equal(made.version, 2);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, "ui_script_agent", "Ui-Agent-Pass-2026");
  await page.goto(`${base}/classic/#callscript/ui-call-1?script=${made.script}`);
  await page.click("#session .walk-option:text('是')");
  await page.waitForSelector("#session .walk-text:text('您的信用卡已逾期，请尽快还款。')");
  await page.click("#session .kb-link"); // the linked article opens in one click
  await page.waitForSelector("#article h3:text('还款渠道说明')");
  await page.fill("#session input[name=feedback]", "客户常问能否分期，建议补充");
  await page.click("#send-feedback");
  await page.waitForSelector("#session .error:text('反馈已提交')");
  await page.selectOption("#session select[name=reason]", "complaint");
  await page.click("#pause");
  await page.waitForSelector("#session .paused");
  await page.reload();
  await page.waitForSelector("#session .paused:has-text('投诉')"); // still paused after a reload
  await page.click("#resume");
  await page.click("#session .walk-next");
  await page.waitForSelector("#session .walk-end:text('success')");
  await page.fill("#session textarea[name=business]", "promise_amount=3000");
  await page.click("#results");
  await page.waitForSelector("#session .disposition:has-text('promise_amount=3000')");
  const answers = await page.textContent("#session table");
  assert.match(answers, /您好，请问是本人吗？\s*yes/);

  // The manager sees the agent's feedback on the node and resolves it.
  await admin.goto(base + "/classic/#scripts");
  const fb = admin.locator("#feedback tr", { hasText: "客户常问能否分期" });
  await fb.waitFor();
  assert.match(await fb.textContent(), /q2/);
  await fb.locator("input[name=answer]").fill("下一版补充分期说明");
  await fb.locator(".fb-resolve").click();
  await admin.waitForSelector("#feedback h3"); // the page reloaded
  await admin.locator("#feedback tr", { hasText: "客户常问能否分期" }).waitFor({ state: "detached" });
});
