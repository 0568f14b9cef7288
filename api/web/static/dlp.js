// Data-leak guards of the UI (R10), set up for each signed-in user from
// GET /api/v1/me/ui-policy:
// - a watermark naming the user and the time, tiled over every page;
// - print and bulk copy only with the export permission (printing a list is
//   exporting it on paper); otherwise the print is blank and Ctrl+P refused;
// - copies out of customer data ([data-customer] regions) reported to the
//   audit log (never the copied text, only where from and how much);
// - an idle screen lock kept on the server, so reloading the page stays
//   locked; the password unlocks it.
// The server enforces what matters (permissions, masking, the lock); these
// guards make the agent desk and admin pages hard to leak from by accident.
Object.assign(I18N["zh-CN"], {
  locked_title: "屏幕已锁定", locked_hint: "长时间未操作，请输入密码解锁", unlock: "解锁",
  print_blocked: "无导出权限，不能打印", copy_blocked: "无导出权限，不能批量复制客户数据",
  workstations: "坐席终端", note: "备注", state: "U盘锁定", platform: "系统", address: "地址",
  reported_at: "最后上报", fresh: "上报及时", last_agent: "最近坐席", token: "上报令牌", new_token: "换发令牌",
  token_once: "请立即复制此令牌到该终端（只显示一次）：", locked: "已锁定", unlocked: "未锁定", partial: "部分锁定",
  unknown: "未上报", yes: "是", no: "否", all: "全部", register: "登记",
});
Object.assign(I18N.en, {
  locked_title: "Screen locked", locked_hint: "Locked after inactivity: enter your password", unlock: "Unlock",
  print_blocked: "Printing needs the export permission", copy_blocked: "Copying many customer records needs the export permission",
  workstations: "Workstations", note: "Note", state: "USB lock", platform: "System", address: "Address",
  reported_at: "Last report", fresh: "Report recent", last_agent: "Last agent", token: "Report token", new_token: "New token",
  token_once: "Copy this token to the workstation now (shown once):", locked: "Locked", unlocked: "Unlocked", partial: "Partly locked",
  unknown: "Never reported", yes: "Yes", no: "No", all: "All", register: "Register",
});

const dlp = (() => {
  let policy = null, user = null, idleTimer = null, markTimer = null, observer = null;
  let lastInput = Date.now();
  // A copy of more than one row, or this many characters, is a bulk copy.
  const bulkChars = 200;

  async function start(me) {
    user = me;
    policy = await api("GET", "/me/ui-policy");
    document.body.classList.toggle("no-export", !policy.can_export);
    document.body.dataset.printMsg = t("print_blocked");
    if (policy.watermark) watermark();
    if (policy.idle_lock_seconds > 0) {
      lastInput = Date.now();
      idleTimer = setInterval(checkIdle, 5000);
    }
    if (policy.screen_locked) { showLock(); return false; }
    return true;
  }

  function stop() {
    clearInterval(idleTimer); clearInterval(markTimer);
    observer?.disconnect();
    document.getElementById("watermark")?.remove();
    document.getElementById("screen-lock")?.remove();
    document.body.classList.remove("locked", "no-export");
    policy = user = null;
  }

  // The watermark: an SVG tile with the user's name, username and the time,
  // redrawn every half minute and put back if removed.
  function watermark() {
    const draw = () => {
      let el = document.getElementById("watermark");
      if (!el) {
        el = document.createElement("div");
        el.id = "watermark";
        el.setAttribute("aria-hidden", "true");
        document.body.append(el);
      }
      const now = new Date();
      const pad = (n) => String(n).padStart(2, "0");
      const when = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
      const text = `${user.display_name || ""} ${user.username} ${when}`.trim();
      el.dataset.text = text;
      const esc = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="340" height="200"><text x="20" y="120" transform="rotate(-24 170 100)" font-size="15" font-family="sans-serif" fill="rgba(40,40,40,0.13)">${esc}</text></svg>`;
      el.style.backgroundImage = `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}")`;
    };
    draw();
    markTimer = setInterval(draw, 30000);
    observer = new MutationObserver(() => { if (policy && !document.getElementById("watermark")) draw(); });
    observer.observe(document.body, { childList: true });
  }

  function report(action, target, count) {
    api("POST", "/audit/client-events", { action, target: String(target).slice(0, 128), count }).catch(() => {});
  }

  function notify(msg) {
    let el = document.getElementById("dlp-toast");
    if (!el) { el = h("div", { id: "dlp-toast", role: "alert" }); document.body.append(el); }
    el.textContent = msg;
    el.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(() => { el.hidden = true; }, 4000);
  }

  function pageName() { return location.hash.slice(1).split("?")[0] || "campaigns"; }

  // Print: allowed (and audited) with export; otherwise refused on Ctrl+P and
  // blank if printed from the browser menu (CSS @media print on .no-export).
  document.addEventListener("keydown", (e) => {
    if (!policy || policy.can_export || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "p") return;
    e.preventDefault();
    notify(t("print_blocked"));
    report("print_blocked", pageName(), 0);
  }, true);
  window.addEventListener("beforeprint", () => {
    if (policy) report(policy.can_export ? "print" : "print_blocked", pageName(), 0);
  });

  // Which fields (column keys) of a customer region the selection touches,
  // and on how many rows.
  function touched(region, sel) {
    const cells = [...region.querySelectorAll("td")].filter((td) => sel.containsNode(td, true));
    const rows = new Set(cells.map((td) => td.parentElement));
    const heads = [...region.querySelectorAll("th")];
    const fields = new Set(cells.map((td) => heads[td.cellIndex]?.dataset.field).filter(Boolean));
    return { rows: rows.size, fields: [...fields] };
  }

  document.addEventListener("copy", (e) => {
    const sel = document.getSelection();
    if (!policy || !sel || sel.isCollapsed) return;
    const region = [...document.querySelectorAll("[data-customer]")].find((r) => sel.containsNode(r, true));
    if (!region) return;
    const text = sel.toString();
    const { rows, fields } = touched(region, sel);
    const target = `${region.dataset.customer}:${fields.join(",")}`;
    if (!policy.can_export && (rows > 1 || text.length > bulkChars)) {
      e.preventDefault();
      e.clipboardData?.setData("text/plain", "");
      notify(t("copy_blocked"));
      report("copy_blocked", target, text.length);
      return;
    }
    report("copy", target, text.length);
  }, true);
  document.addEventListener("dragstart", (e) => {
    if (policy && !policy.can_export && e.target.closest?.("[data-customer]")) e.preventDefault();
  }, true);

  // Idle lock.
  for (const ev of ["mousemove", "mousedown", "keydown", "wheel", "touchstart", "scroll"]) {
    window.addEventListener(ev, () => { lastInput = Date.now(); }, { passive: true, capture: true });
  }
  function checkIdle() {
    if (policy && !document.body.classList.contains("locked") && Date.now() - lastInput >= policy.idle_lock_seconds * 1000) lock();
  }

  async function lock() {
    showLock();
    await api("POST", "/auth/screen-lock").catch(() => {});
  }

  function showLock() {
    if (document.getElementById("screen-lock")) return;
    document.body.classList.add("locked");
    document.getElementById("main").inert = true;
    document.getElementById("top").inert = true;
    const err = h("p", { class: "error" });
    const pw = h("input", { type: "password", name: "unlock-password", autocomplete: "current-password", required: "" });
    const form = h("form", { class: "card narrow", id: "unlock" }, h("h1", {}, t("locked_title")),
      h("p", {}, t("locked_hint")), h("p", { class: "muted" }, user ? `${user.display_name || ""} (${user.username})` : ""),
      h("label", {}, h("span", {}, t("password")), pw), h("button", {}, t("unlock")),
      h("button", { type: "button", class: "link", onclick: signOut }, t("logout")), err);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.textContent = "";
      try {
        await api("POST", "/auth/unlock", { password: pw.value });
        hideLock();
        lastInput = Date.now();
        route();
        resumeLive();
      } catch (x) { if (x.message !== "401") err.textContent = x.message; pw.value = ""; }
    });
    document.body.append(h("div", { id: "screen-lock" }, form));
    pw.focus();
  }

  // Live events stop while the screen is locked: the server ends the stream
  // at the lock and refuses a new one (423), which EventSource does not
  // retry. Open it again once unlocked (desk.js's startLive).
  function resumeLive() {
    if (typeof startLive !== "function") return;
    if (startLive.es && startLive.es.readyState === EventSource.CLOSED) startLive.es = null;
    startLive();
  }

  function hideLock() {
    document.getElementById("screen-lock")?.remove();
    document.body.classList.remove("locked");
    document.getElementById("main").inert = false;
    document.getElementById("top").inert = false;
  }

  return { start, stop, showLock, hideLock, lock };
})();
