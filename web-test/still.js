// still waits until a page has stopped moving, so a screenshot shows what
// a user sees once it settles: no loading mask, no
// finite CSS animation or transition running (a dialog zooming in showed
// the table through it), and every canvas (ECharts draws its bars growing)
// unchanged between two looks 200 ms apart. Endless animations (spinners)
// are not waited for.
async function still(page) {
  await page.waitForFunction(() => [...document.querySelectorAll(".el-loading-mask")].every((m) => getComputedStyle(m).display === "none"));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running" ||
    !a.effect || a.effect.getComputedTiming().endTime === Infinity));
  await page.evaluate(() => { window.__stillCanvas = undefined; });
  await page.waitForFunction(() => {
    const now = [...document.querySelectorAll("canvas")].map((c) => { try { return c.toDataURL(); } catch { return ""; } }).join("|");
    const same = now === window.__stillCanvas;
    window.__stillCanvas = now;
    return same;
  }, null, { polling: 200 });
}

module.exports = { still };
