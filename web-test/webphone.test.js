// Browser test of the in-browser phone (ui/src/components/WebPhone.vue) with
// the built bundle's JsSIP against a tiny SIP-over-WebSocket registrar
// written here (RFC 6455 framing and RFC 7118 SIP over WebSocket by hand:
// no package). scripts/test-ui.sh starts the server with
// webphone.ws_url = ws://127.0.0.1:$CC_UI_WEBPHONE_PORT and domain cc.test.
// An admin makes an agent on extension 1057 (vue.test.js has 1008,
// vuedesk.test.js 1009); the agent turns "use the browser as my phone" on;
// the registrar challenges the REGISTER with a 401 digest and accepts only
// the SIP password the API showed when the extension was set; the desk
// shows "registered"; an INVITE (an SDP offer made by a peer connection in
// the page) rings, "answer" sends a 200 with the browser's SDP answer and the
// far end reaches the <audio> element; a BYE ends it; turning the switch off
// sends the REGISTER with expires 0; a reload registers again and signing
// out unregisters. No console errors.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { chromium } = require("playwright-core");

const base = process.env.CC_UI_BASE;
const password = process.env.CC_UI_ADMIN_PASSWORD;
const wsPort = Number(process.env.CC_UI_WEBPHONE_PORT || 0);
const shots = process.env.CC_UI_SCREENSHOTS || path.join(__dirname, "screenshots");
const patience = 120_000; // a safety net; every wait is for a condition
const domain = "cc.test";
const ext = "1057";
const agentUser = "webphone_agent";
const agentPass = "Web-Phone-Pass-2026";
let browser, registrar;

before(async () => {
  if (!wsPort) return;
  fs.mkdirSync(shots, { recursive: true });
  registrar = await startRegistrar(wsPort);
  browser = await chromium.launch({
    timeout: patience,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      "--autoplay-policy=no-user-gesture-required"],
  });
});
after(async () => {
  await browser?.close();
  await registrar?.close();
});

const md5 = (s) => crypto.createHash("md5").update(s).digest("hex");

// startRegistrar serves SIP over WebSocket on 127.0.0.1:port: REGISTER is
// challenged (401, digest MD5 qop=auth) and accepted with the password the
// test sets (registrar.password), else 403. It records every request and
// response it sees, and can send an INVITE and a BYE to the registered
// browser.
async function startRegistrar(port) {
  // bindings: the registered contacts (a UA has a new one after a reload).
  const reg = { password: "", seen: [], conn: null, contact: "", bindings: new Set(), nonce: crypto.randomBytes(8).toString("hex") };
  const server = http.createServer((_, res) => res.writeHead(426).end());
  server.on("upgrade", (req, sock) => {
    const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    const sip = (req.headers["sec-websocket-protocol"] || "").split(",").map((s) => s.trim()).includes("sip");
    sock.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n` + (sip ? "Sec-WebSocket-Protocol: sip\r\n" : "") + "\r\n");
    const conn = { sock, send: (text) => sock.write(frame(0x1, Buffer.from(text))) };
    let buf = Buffer.alloc(0);
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      for (let m; (m = unframe(buf)); ) {
        buf = buf.subarray(m.size);
        if (m.opcode === 0x8) { sock.end(frame(0x8, Buffer.alloc(0))); return; }
        if (m.opcode === 0x9) sock.write(frame(0xa, m.payload));
        if (m.opcode === 0x1) onSIP(conn, parseSIP(m.payload.toString()));
      }
    });
    sock.on("error", () => {});
  });
  function onSIP(conn, msg) {
    reg.seen.push(msg);
    if (msg.method !== "REGISTER") return; // responses and ACK are only recorded
    const auth = digestParams(msg.headers.authorization || "");
    const contact = msg.headers.contact || "";
    const expires = Number((/;expires=(\d+)/i.exec(contact) || [])[1] ?? msg.headers.expires ?? 3600);
    if (!auth.response) {
      msg.challenged = true;
      return conn.send(reply(msg, 401, "Unauthorized",
        [`WWW-Authenticate: Digest realm="${domain}", nonce="${reg.nonce}", algorithm=MD5, qop="auth"`]));
    }
    const ha1 = md5(`${auth.username}:${auth.realm}:${reg.password}`);
    const ha2 = md5(`REGISTER:${auth.uri}`);
    const want = auth.qop ? md5(`${ha1}:${auth.nonce}:${auth.nc}:${auth.cnonce}:${auth.qop}:${ha2}`) : md5(`${ha1}:${auth.nonce}:${ha2}`);
    if (!reg.password || auth.response !== want || auth.username !== ext || auth.nonce !== reg.nonce) {
      msg.refused = true;
      return conn.send(reply(msg, 403, "Forbidden"));
    }
    msg.accepted = true;
    msg.expires = expires;
    const uri = (/<([^>]+)>/.exec(contact) || [])[1] || "";
    if (expires > 0) reg.bindings.add(uri);
    else reg.bindings.delete(uri);
    if (expires > 0) Object.assign(reg, { conn, contact: uri });
    const contacts = contact.split(",").map((c) => c.replace(/;expires=\d+/i, "") + `;expires=${expires}`);
    conn.send(reply(msg, 200, "OK", expires > 0 ? contacts.map((c) => "Contact: " + c.trim()) : []));
  }
  // invite sends an INVITE with sdp to the registered browser; bye ends it.
  const dialog = { callId: "", tag: "", toTag: "" };
  reg.invite = (sdp) => {
    Object.assign(dialog, { callId: crypto.randomBytes(8).toString("hex"), tag: crypto.randomBytes(4).toString("hex") });
    reg.conn.send(request("INVITE", 1, [`Content-Type: application/sdp`], sdp));
  };
  reg.ack = (toTag) => {
    dialog.toTag = toTag;
    reg.conn.send(request("ACK", 1, []));
  };
  reg.bye = () => reg.conn.send(request("BYE", 2, []));
  function request(method, cseq, extra, body = "") {
    return [`${method} ${reg.contact} SIP/2.0`,
      `Via: SIP/2.0/WSS registrar.invalid;branch=z9hG4bK${crypto.randomBytes(6).toString("hex")}`, "Max-Forwards: 70",
      `From: "13800138000" <sip:13800138000@${domain}>;tag=${dialog.tag}`, `To: <sip:${ext}@${domain}>` + (dialog.toTag ? `;tag=${dialog.toTag}` : ""),
      `Call-ID: ${dialog.callId}`, `CSeq: ${cseq} ${method}`, // an ACK has its INVITE's number
      `Contact: <sip:13800138000@registrar.invalid;transport=ws>`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
  }
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  reg.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
  return reg;
}

// frame is one unmasked server frame (RFC 6455 5.2).
function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255]) : null;
  assert.ok(head, "frame too large for this registrar");
  return Buffer.concat([head, payload]);
}

// unframe reads one client frame (masked, as clients must) from buf, or null.
function unframe(buf) {
  if (buf.length < 2) return null;
  let len = buf[1] & 0x7f, off = 2;
  if (len === 126) { if (buf.length < 4) return null; len = buf.readUInt16BE(2); off = 4; }
  else if (len === 127) { if (buf.length < 10) return null; len = Number(buf.readBigUInt64BE(2)); off = 10; }
  const masked = buf[1] & 0x80;
  const mask = masked ? buf.subarray(off, off + 4) : null;
  if (masked) off += 4;
  if (buf.length < off + len) return null;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
  return { opcode: buf[0] & 0x0f, payload, size: off + len };
}

// parseSIP splits a message into its start line, lower-case headers (a
// repeated header's values joined with ", ") and body.
function parseSIP(text) {
  const [head, ...rest] = text.split("\r\n\r\n");
  const [start, ...lines] = head.split("\r\n");
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    const k = l.slice(0, i).trim().toLowerCase(), v = l.slice(i + 1).trim();
    headers[k] = headers[k] ? headers[k] + ", " + v : v;
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(start);
  return { start, method: status ? "" : start.split(" ")[0], status: status ? Number(status[1]) : 0, headers, body: rest.join("\r\n\r\n"), raw: text };
}

function digestParams(h) {
  const out = {};
  for (const m of h.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

// reply answers a request, copying what RFC 3261 8.2.6.2 says to copy.
function reply(req, code, text, extra = []) {
  const to = req.headers.to + (/;tag=/.test(req.headers.to) ? "" : ";tag=" + crypto.randomBytes(4).toString("hex"));
  return [`SIP/2.0 ${code} ${text}`, `Via: ${req.headers.via}`, `From: ${req.headers.from}`, `To: ${to}`,
    `Call-ID: ${req.headers["call-id"]}`, `CSeq: ${req.headers.cseq}`, ...extra, "Content-Length: 0", "", ""].join("\r\n");
}

async function rest(method, p, body, token) {
  const r = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: "Bearer " + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// fits fails when a label of the phone's row is wider than its box.
async function fits(page, where) {
  const cut = await page.evaluate(() => [...document.querySelectorAll("#webphone-row .el-button span, #webphone-row .el-tag__content, #webphone-row .el-switch__label span, #webphone-row .el-checkbox__label")]
    .filter((el) => el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible")
    .map((el) => el.textContent.trim()));
  assert.deepEqual(cut, [], "labels cut off: " + where);
}

async function until(cond, what) {
  const deadline = Date.now() + patience;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, "timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("browser phone: JsSIP registers with the API's credentials, answers a call, and unregisters", { skip: !wsPort && "CC_UI_WEBPHONE_PORT unset (run through scripts/test-ui.sh)" }, async () => {
  const admin = (await rest("POST", "/auth/login", { username: "admin", password })).token;
  const agent = await rest("POST", "/users", { username: agentUser, password: agentPass, role: "agent", display_name: "周芷若", extension: ext }, admin);
  assert.ok(agent.sip_password, "the SIP password is shown when the extension is set");
  registrar.password = agent.sip_password; // what FreeSWITCH's directory would hold

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/app/desk");
  await page.waitForSelector("#login");
  await page.fill("input[name=username]", agentUser);
  await page.fill("input[name=password]", agentPass);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#desk");

  // Turned on: GET /me/webphone, then REGISTER, 401, REGISTER with the digest, 200.
  const credentials = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/webphone"));
  await page.click("#webphone-row .el-switch");
  const resp = await credentials;
  assert.equal(resp.status(), 200);
  assert.equal(resp.headers()["cache-control"], "no-store");
  await page.waitForSelector("#webphone-state[data-state='registered']");
  const registers = registrar.seen.filter((m) => m.method === "REGISTER");
  assert.ok(registers[0].challenged, "the first REGISTER is challenged");
  const ok = registers.find((m) => m.accepted);
  assert.ok(ok, "a REGISTER carried the right digest");
  assert.match(ok.headers.to, new RegExp(`sip:${ext}@${domain}`));
  assert.equal(registers.filter((m) => m.refused).length, 0, "no REGISTER had a wrong digest");
  assert.equal(await page.textContent("#webphone-extension"), ext);
  // Auto-answer follows the sign-in mode: on for nailed-up, whose agent leg
  // the server calls during sign-in.
  const autoAnswer = () => page.isChecked("#webphone-auto");
  assert.equal(await autoAnswer(), false);
  await page.click("#mode .el-radio-button:has-text('常连接')");
  await page.waitForFunction(() => document.getElementById("webphone-auto").checked);
  await page.click("#mode .el-radio-button:has-text('已注册话机')");
  await page.waitForFunction(() => !document.getElementById("webphone-auto").checked);

  // An incoming call rings; "answer" sends the browser's SDP answer.
  const offer = await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    window.__farEnd = pc;
    const ctx = new AudioContext();
    const tone = ctx.createOscillator();
    const dest = ctx.createMediaStreamDestination();
    tone.connect(dest);
    tone.start();
    pc.addTrack(dest.stream.getAudioTracks()[0], dest.stream);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => (pc.iceGatheringState === "complete" ? r() : pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r())));
    return pc.localDescription.sdp;
  });
  registrar.invite(offer);
  await page.waitForSelector("#webphone-call[data-state='ringing']");
  assert.match(await page.textContent("#webphone-call"), /13800138000/);
  const ringing = () => registrar.seen.find((m) => m.status === 180);
  await until(ringing, "180 Ringing");
  await fits(page, "ringing");
  await page.screenshot({ path: path.join(shots, "desk-webphone-ringing-zh-CN.png") });
  await page.click("#webphone-answer");
  const answered = () => registrar.seen.find((m) => m.status === 200 && /INVITE/.test(m.headers.cseq));
  await until(answered, "200 OK to the INVITE");
  const answer = answered();
  assert.match(answer.body, /m=audio /);
  registrar.ack((/;tag=([^;>\s]+)/.exec(answer.headers.to) || [])[1]);
  await page.evaluate((sdp) => window.__farEnd.setRemoteDescription({ type: "answer", sdp }), answer.body);
  await page.waitForSelector("#webphone-call[data-state='connected']");
  await page.click("#lang");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  await page.waitForSelector("#webphone-call:has-text('On the line')");
  await fits(page, "connected, en");
  await page.screenshot({ path: path.join(shots, "desk-webphone-connected-en.png") });
  // The far end's audio track is what the <audio> element plays.
  await page.waitForFunction(() => {
    const a = document.getElementById("webphone-audio");
    return a.srcObject && a.srcObject.getAudioTracks().length > 0;
  });

  // The far end hangs up.
  registrar.bye();
  await until(() => registrar.seen.find((m) => m.status === 200 && /BYE/.test(m.headers.cseq)), "200 OK to the BYE");
  await page.waitForSelector("#webphone-call", { state: "detached" });

  // Turned off: the phone unregisters.
  await page.click("#webphone-row .el-switch");
  await until(() => registrar.bindings.size === 0, "REGISTER with expires 0");
  await page.waitForSelector("#webphone", { state: "detached" });

  // Remembered on this computer: a reload registers again (a new contact);
  // signing out of the desktop unregisters it.
  await page.click("#webphone-row .el-switch");
  await until(() => registrar.bindings.size === 1, "REGISTER again");
  const first = registrar.contact;
  await page.reload();
  await page.waitForSelector("#webphone-state[data-state='registered']");
  await until(() => registrar.contact !== first && registrar.bindings.has(registrar.contact), "a REGISTER from the reloaded page");
  // The unloading page sends its REGISTER with expires 0, but is gone before
  // it can answer the challenge (JsSIP never authenticates unasked): the old
  // binding lapses after register_expires. Reported, not required.
  console.log(`# the old binding was removed by the reload: ${!registrar.bindings.has(first)}`);
  const second = registrar.contact;
  await page.click("#logout");
  await page.waitForSelector("#login");
  await until(() => !registrar.bindings.has(second), "REGISTER with expires 0 on sign-out");

  // The credential access is audited.
  const audit = await rest("GET", "/audit?action=webphone.credentials", undefined, admin);
  assert.ok(audit.items.some((e) => e.username === agentUser && e.detail === `extension=${ext}`), JSON.stringify(audit.items));
  assert.deepEqual(errors, []);
  await context.close();
});
