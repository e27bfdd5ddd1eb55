// Shared by record-har.mjs and record-har-scenarios.mjs: one Firefox recording session
// whose HAR is Firefox's own netmonitor export (see "FIREFOX" in record-har.mjs).
//
// devtools.netmonitor.har.enableAutoExportToFile=true makes the DevTools toolbox create its
// HarAutomation, and the toolbox is opened on the tab from the chrome context
// (gDevTools.showToolboxForTab). HarAutomation's own auto-export fires at dom-complete, i.e.
// before the page's requests run, so after them the session calls the same object's public
// triggerExport() (what the "HAR Export Trigger" add-on calls): Firefox's HarExporter writes
// <defaultLogDir>/<name>.har, which is copied to its destination. Navigating to the page
// resets the collector (will-navigate), so the HAR holds the page and what it did after.
import fs from 'node:fs';
import path from 'node:path';

export const SETTLE_MS = 400; // after a request settles: wait for trailing console lines
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (s) => process.stderr.write(s + '\n');

export function writeJson(file, doc) {
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}

// user.js prefs (FirefoxDriver extraPrefs) for the netmonitor HAR export into harDir
export function harExportPrefs(harDir) {
  return {
    'devtools.netmonitor.har.enableAutoExportToFile': true,
    'devtools.netmonitor.har.defaultLogDir': harDir,
    'devtools.netmonitor.har.defaultFileName': 'autoexport-at-dom-complete',
    'devtools.netmonitor.har.includeResponseBodies': false,
    'devtools.netmonitor.har.compress': false,
    'devtools.netmonitor.har.jsonp': false,
    'devtools.netmonitor.har.forceExport': true,
    'devtools.netmonitor.persistlog': false,
    'devtools.toolbox.host': 'bottom',
    'devtools.toolbox.selectedTool': 'netmonitor',
  };
}

const FX_OPEN_TOOLBOX = `return (async () => {
  const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
  const { gDevTools } = require("devtools/client/framework/devtools");
  const win = Services.wm.getMostRecentWindow("navigator:browser");
  const tab = win.gBrowser.selectedTab;
  const toolbox = await gDevTools.showToolboxForTab(tab, { toolId: "netmonitor" });
  return { harAutomation: !!toolbox.harAutomation, url: tab.linkedBrowser.currentURI.spec };
})();`;

const FX_EXPORT = `const [fileName] = arguments; return (async () => {
  const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
  const { gDevTools } = require("devtools/client/framework/devtools");
  const win = Services.wm.getMostRecentWindow("navigator:browser");
  const toolbox = gDevTools.getToolboxForTab(win.gBrowser.selectedTab);
  if (!toolbox) return { error: "no toolbox on the selected tab" };
  if (!toolbox.harAutomation) return { error: "toolbox has no harAutomation" };
  if (!toolbox.harAutomation.collector) return { error: "harAutomation has no collector (no will-navigate seen)" };
  const json = await toolbox.harAutomation.triggerExport({ fileName });
  return { length: json ? json.length : 0 };
})();`;

async function chromeScript(driver, script, args = [], timeout = 30000) {
  await driver.m.send('Marionette:SetContext', { value: 'chrome' });
  try { return (await driver.m.send('WebDriver:ExecuteScript', { script, args }, timeout)).value; } finally { await driver.m.send('Marionette:SetContext', { value: 'content' }); }
}

// On a started FirefoxDriver (lib/firefox.mjs) whose profile has harExportPrefs(harDir):
// opens the netmonitor, loads pageUrl (page-load console lines dropped), awaits run() (the
// page's requests; returns what to give back), then has Firefox export its HAR as
// <harDir>/<name>.har and copies that file to harOut.
export async function firefoxHarSession(driver, { name, pageUrl, harDir, harOut, run }) {
  const tb = await chromeScript(driver, FX_OPEN_TOOLBOX);
  if (!tb || !tb.harAutomation) throw new Error(`toolbox opened without HarAutomation: ${JSON.stringify(tb)}`);
  await driver.openPage(pageUrl); // will-navigate: fresh HAR collector
  await sleep(300);
  await driver.drain();
  const result = await run();
  for (const f of fs.readdirSync(harDir)) if (f.startsWith(name)) fs.rmSync(path.join(harDir, f));
  const ex = await chromeScript(driver, FX_EXPORT, [name]);
  if (!ex || ex.error) throw new Error(`HAR export failed: ${JSON.stringify(ex)}`);
  let written = null;
  for (let i = 0; i < 50 && !written; i++) {
    written = fs.readdirSync(harDir).find((f) => f === `${name}.har`) || null;
    if (!written) await sleep(100);
  }
  if (!written) throw new Error(`Firefox wrote no ${name}.har in ${harDir} (have: ${fs.readdirSync(harDir).join(', ')})`);
  fs.copyFileSync(path.join(harDir, written), harOut);
  return result;
}
