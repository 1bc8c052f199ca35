// Opens a probe page in headless Chromium over the DevTools protocol, with the
// clipboard permissions granted to its origin (what --dump-dom cannot do), and prints
// the text the probe leaves in <pre id="out">. Node 20 with --experimental-websocket
// (Node 22 has WebSocket built in); no npm package.
//
//   node --experimental-websocket tests/browser/cdp_probe.js URL
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const url = process.argv[2];
const origin = new URL(url).origin;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "anxuan-cdp-"));
const chrome = spawn("/usr/bin/chromium", [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--remote-debugging-port=0",
  "--window-size=900,1000", `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const fail = (why) => { console.error(why); finish(1); };
const finish = (code) => {
  try { chrome.kill("SIGKILL"); } catch (_) {}
  try { fs.rmSync(profile, { recursive: true, force: true }); } catch (_) {}
  process.exit(code);
};
setTimeout(() => fail("timed out"), 60000);

let buffer = "";
chrome.stderr.on("data", (d) => {
  buffer += d;
  const m = buffer.match(/DevTools listening on (ws:\/\/\S+)/);
  if (m && !started) { started = true; run(m[1]); }
});
let started = false;

function run(endpoint) {
  const ws = new WebSocket(endpoint);
  let id = 0;
  const waiting = new Map();
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    id += 1;
    waiting.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params, sessionId }));
  });
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    const w = msg.id && waiting.get(msg.id);
    if (!w) { return; }
    waiting.delete(msg.id);
    if (msg.error) { w.reject(new Error(JSON.stringify(msg.error))); } else { w.resolve(msg.result); }
  };
  ws.onerror = () => fail("websocket error");
  ws.onopen = async () => {
    try {
      await send("Browser.grantPermissions", {
        origin, permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"],
      });
      const { targetId } = await send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
      await send("Page.enable", {}, sessionId);
      await send("Page.navigate", { url }, sessionId);
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await send("Runtime.evaluate", {
          expression: "(document.getElementById('out') || {}).textContent || 'pending'",
          returnByValue: true,
        }, sessionId);
        const text = r.result.value;
        if (text !== "pending") { process.stdout.write(text); finish(0); return; }
      }
      fail("the probe never reported");
    } catch (e) { fail(String(e)); }
  };
}
