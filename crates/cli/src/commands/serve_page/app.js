// cors-doctor serve: the page's script. It renders the JSON documents the
// CLI prints with --json (check/v1, explain/v1), fetched from this server's
// API with the token of the page's URL. Every value is set as text, never
// as markup.
"use strict";

const params = new URLSearchParams(location.search);
const token = params.get("token") || "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Cors-Doctor-Token": token },
    body: JSON.stringify(body),
  });
  const doc = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok || doc.error) {
    throw new Error(doc.hint ? `${doc.error}: ${doc.hint}` : doc.error || `HTTP ${response.status}`);
  }
  return doc;
}

// ---- views ------------------------------------------------------------

function showView() {
  const view = { "#explain": "explain", "#scan": "scan", "#har": "har" }[location.hash] || "check";
  for (const name of ["check", "scan", "explain", "har"]) {
    document.getElementById(name).hidden = name !== view;
    const tab = document.getElementById(`tab-${name}`);
    if (name === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

// ---- check ------------------------------------------------------------

const FIELDS = ["url", "origin", "method", "credentials", "mode", "headers", "body", "fix_for"];

function readForm() {
  const form = document.getElementById("check-form");
  const value = (name) => form.elements[name].value;
  return {
    url: value("url"),
    origin: value("origin"),
    method: value("method"),
    credentials: value("credentials"),
    mode: value("mode"),
    headers: value("headers").split("\n").map((l) => l.trim()).filter(Boolean),
    body: value("body") === "" ? null : value("body"),
    browsers: [...form.querySelectorAll("input[name=browser]:checked")].map((b) => b.value),
    fix_for: value("fix_for"),
  };
}

// The check form's list of `config` targets.
async function loadTargets() {
  const select = document.getElementById("fix-for");
  const targets = await api("/api/targets", {});
  for (const t of targets) {
    select.append(el("option", { value: t.id }, `${t.name}${t.verified_here ? "" : " (not proven on a real server here)"}`));
  }
  if (params.has("fix_for")) select.value = params.get("fix_for");
}

// The form's state lives in the URL (with the token), so a result is a link.
function saveForm() {
  const form = document.getElementById("check-form");
  const next = new URLSearchParams({ token });
  for (const name of FIELDS) {
    const v = form.elements[name].value;
    if (v !== "" && !(name === "credentials" && v === "same-origin") && !(name === "mode" && v === "cors")) {
      next.set(name, v);
    }
  }
  const browsers = readForm().browsers;
  if (browsers.length !== 3) next.set("browser", browsers.join(","));
  history.replaceState(null, "", `?${next}${location.hash}`);
}

function loadForm() {
  const form = document.getElementById("check-form");
  for (const name of FIELDS) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
  if (params.has("browser")) {
    const chosen = params.get("browser").split(",");
    for (const box of form.querySelectorAll("input[name=browser]")) {
      box.checked = chosen.includes(box.value);
    }
  }
  return params.has("url");
}

function snippet(form) {
  const init = { method: form.method || "GET", mode: form.mode || "cors", credentials: form.credentials || "same-origin" };
  if (form.headers.length) {
    init.headers = Object.fromEntries(form.headers.map((h) => {
      const at = h.indexOf(":");
      return [h.slice(0, at).trim(), h.slice(at + 1).trim()];
    }));
  }
  if (form.body !== null) init.body = form.body;
  return `fetch(${JSON.stringify(form.url)}, ${JSON.stringify(init, null, 2)})\n` +
    `  .then(async (r) => console.log("cors-doctor: allowed", r.status, [...r.headers]))\n` +
    `  .catch((e) => console.error("cors-doctor: blocked —", e.message, "(the console line above says why)"));`;
}

function copyButton(text, label) {
  const button = el("button", { type: "button", class: "copy", "aria-label": label || "Copy" }, "Copy");
  button.addEventListener("click", () => navigator.clipboard.writeText(text).then(() => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }));
  return button;
}

function headerList(headers) {
  return el("ul", { class: "headers" },
    (headers || []).map((h) => el("li", {}, el("span", { class: "name" }, `${h.name}: `), h.value)));
}

// A response with each line marked as the browsers judged it (the
// document's `marks`): ✓ accepted, ! warned about, ✗ refused; lines a
// finding names that the response lacks are listed as absent.
const MARK_SIGN = { ok: "✓", warning: "!", blocking: "✗" };
const MARK_WORDS = { ok: "accepted", warning: "warning", blocking: "refused" };
function markedResponse(response) {
  if (!response) return headerList([]);
  const marked = new Map(response.marks.filter((m) => m.value !== null).map((m) => [m.name.toLowerCase(), m]));
  const line = (name, value, mark) => el("li", { class: mark && mark.mark ? `marked ${mark.mark}` : "" },
    mark && mark.mark
      ? el("span", { class: "mark", title: mark.finding || MARK_WORDS[mark.mark] },
        MARK_SIGN[mark.mark], el("span", { class: "sr-only" }, ` ${MARK_WORDS[mark.mark]}${mark.finding ? ` (${mark.finding})` : ""}: `))
      : "",
    el("span", { class: "name" }, `${name}: `), value,
    mark && mark.finding ? el("span", { class: "finding-id" }, ` ${mark.finding}`) : "");
  const lines = response.headers.map((h) => line(h.name, h.value, marked.get(h.name.toLowerCase())));
  for (const m of response.marks.filter((m) => m.value === null)) {
    lines.push(line(m.name, el("em", {}, "(absent)"), m));
  }
  return el("ul", { class: "headers" }, lines);
}

function renderCheck(doc) {
  const out = [];
  const verdicts = el("ul", { class: "verdicts", "aria-label": "Verdict per browser" });
  for (const [id, b] of Object.entries(doc.browsers)) {
    verdicts.append(el("li", { class: `badge ${b.verdict}` }, el("strong", {}, b.name), ` ${b.verdict}`));
  }
  out.push(verdicts);
  const consoles = Object.entries(doc.browsers).filter(([, b]) => b.console.length);
  if (consoles.length) {
    out.push(el("h3", {}, "Console"));
    for (const [id, b] of consoles) {
      out.push(el("div", { class: "console", "aria-label": `${b.name} console` },
        el("div", { class: "who" }, b.name),
        b.console.map((line) => el("pre", { class: "line" }, line))));
    }
  }
  if (doc.findings.length) {
    out.push(el("h3", {}, "Cause and fix"));
    for (const f of doc.findings) {
      out.push(el("article", { class: `finding ${f.severity}` },
        el("h4", {}, f.title),
        el("p", { class: "cause" }, `${f.cause_description} (${f.browsers.join(", ")})`),
        el("p", {}, f.explanation),
        el("p", { class: "fix" }, el("strong", {}, "Fix: "), f.fix)));
    }
  }
  const fix = doc.fix_config;
  if (fix) {
    out.push(el("h3", {}, `Configuration: ${fix.target_name}`));
    if (!fix.needed) out.push(el("p", {}, "Every browser already allows this request; this is what lets it through."));
    if (fix.configuration) {
      out.push(el("pre", { class: "config" }, el("code", {}, fix.configuration)), copyButton(fix.configuration, "Copy the configuration"));
    } else {
      out.push(el("p", { class: "error" }, fix.refused));
    }
  }
  out.push(el("h3", {}, "Exchanges"));
  const timeline = el("ol", { class: "timeline" });
  for (const x of doc.exchanges) {
    const status = x.response ? `${x.response.status} (${x.response.http_version})` : (x.error ? `${x.error.stage}: ${x.error.message}` : "");
    const refused = x.response && x.response.status_refused ? " ✗ status refused" : "";
    timeline.append(el("li", {},
      el("div", { class: "exchange-title" }, `${x.purpose}: ${x.request.method} ${x.request.url} → ${status}${refused}`),
      el("div", { class: "two-col" },
        el("div", {}, el("h4", {}, "Request"), headerList(x.request.headers)),
        el("div", {}, el("h4", {}, "Response"), markedResponse(x.response))),
      el("div", { class: "curl" }, el("code", {}, x.curl), copyButton(x.curl, "Copy the curl command"))));
  }
  out.push(timeline);
  return out;
}

async function submitCheck(event) {
  if (event) event.preventDefault();
  const status = document.getElementById("check-status");
  const result = document.getElementById("check-result");
  const form = readForm();
  saveForm();
  document.getElementById("snippet").textContent = snippet(form);
  status.textContent = "Checking…";
  result.replaceChildren();
  try {
    const doc = await api("/api/check", form);
    status.textContent = `Sent ${doc.summary.requests_sent} request(s).`;
    result.replaceChildren(...renderCheck(doc));
  } catch (e) {
    status.textContent = "";
    result.replaceChildren(el("p", { class: "error", role: "alert" }, e.message));
  }
}

// ---- scan -------------------------------------------------------------

const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function cellClass(cell, browsers) {
  if (cell.allowed_in.length === 0) return "none";
  return cell.allowed_in.length === browsers.length ? "all" : "some";
}

function cellDetails(doc, cell) {
  const origin = doc.origins[cell.origin];
  const kind = doc.kinds[cell.kind];
  const blocked = Object.entries(cell.blocked_by).filter(([, id]) => id).map(([b, id]) => `${b}: ${id}`);
  return el("dl", {},
    el("dt", {}, "Request"), el("dd", {}, `${kind.label} from ${origin.origin}, credentials ${cell.credentials ? "include" : "omit"}`),
    el("dt", {}, "Allowed in"), el("dd", {}, cell.allowed_in.join(", ") || "no browser"),
    el("dt", {}, "Blocked by"), el("dd", {}, blocked.join("; ") || "—"),
    el("dt", {}, "Access-Control-Allow-Origin"), el("dd", {}, cell.access_control_allow_origin ?? "(absent)"),
    el("dt", {}, "Access-Control-Allow-Credentials"), el("dd", {}, cell.access_control_allow_credentials ?? "(absent)"),
    el("dt", {}, "Vary: Origin"), el("dd", {}, cell.vary_origin ? "yes" : "no"),
    el("dt", {}, "Exchanges"), el("dd", {}, el("ol", { class: "cell-exchanges" }, (cell.exchanges || []).map((x) =>
      el("li", {},
        el("div", { class: "exchange-title" }, `${x.purpose}: ${x.method} → ${x.status ?? x.error}`),
        headerList(x.request_headers),
        headerList(x.headers))))));
}

function renderScan(doc) {
  const browsers = Object.keys(doc.cells[0]?.blocked_by || {});
  const detail = el("div", { class: "cell-detail", "aria-live": "polite" }, el("p", {}, "Hover over or focus a cell to see its exchange."));
  const head = el("tr", {}, el("th", { scope: "col" }, "Origin"));
  for (const kind of doc.kinds) {
    for (const credentials of [false, true]) {
      head.append(el("th", { scope: "col" }, `${kind.label}${credentials ? " + cookies" : ""}`));
    }
  }
  const body = el("tbody");
  doc.origins.forEach((origin, oi) => {
    const row = el("tr", {}, el("th", { scope: "row", class: origin.role },
      el("span", { class: "origin" }, origin.origin), el("span", { class: "label" }, origin.class || origin.label)));
    for (let ki = 0; ki < doc.kinds.length; ki++) {
      for (const credentials of [false, true]) {
        const cell = doc.cells.find((c) => c.origin === oi && c.kind === ki && c.credentials === credentials);
        if (!cell) { row.append(el("td", {}, "")); continue; }
        const verdict = { all: "allowed", some: "allowed in some browsers", none: "blocked" }[cellClass(cell, browsers)];
        const shown = cell.allowed_in.length ? `${cell.allowed_in.length}/${browsers.length}` : "✗";
        // The visible text starts the accessible name.
        const button = el("button", { type: "button", class: `cell ${cellClass(cell, browsers)}`,
          "aria-label": `${shown} ${verdict}: ${origin.origin}, ${doc.kinds[ki].label}${credentials ? " with cookies" : ""}` },
          shown);
        const show = () => detail.replaceChildren(cellDetails(doc, cell));
        button.addEventListener("mouseenter", show);
        button.addEventListener("focus", show);
        row.append(el("td", {}, button));
      }
    }
    body.append(row);
  });
  const table = el("table", { class: "matrix" }, el("caption", {}, `${doc.url} — ${doc.requests_sent} requests`), el("thead", {}, head), body);
  const security = el("div", { class: "security" }, el("h3", {}, "Security findings"),
    doc.security.length ? el("ul", {}, doc.security.map((f) => el("li", { class: `sev ${f.severity}` },
      el("strong", {}, `${f.severity}: `), f.title, el("br"), el("span", { class: "cause" }, `${f.origin} (${f.browsers.join(", ")})`))))
      : el("p", {}, "None."),
    el("h3", {}, "In words"), el("ul", {}, doc.summary.map((s) => el("li", {}, s))));
  return [el("div", { class: "matrix-wrap" }, table, detail), security];
}

async function submitScan(event) {
  event.preventDefault();
  const form = document.getElementById("scan-form");
  const status = document.getElementById("scan-status");
  const result = document.getElementById("scan-result");
  status.textContent = "Scanning…";
  result.replaceChildren();
  try {
    const doc = await api("/api/scan", {
      url: form.elements.url.value,
      origins: lines(form.elements.origins.value),
      methods: form.elements.methods.value.split(",").map((m) => m.trim()).filter(Boolean),
      headers: lines(form.elements.headers.value),
    });
    if (doc.error) throw new Error(`${doc.error.stage}: ${doc.error.message}`);
    status.textContent = `${doc.origins.length} origins × ${doc.kinds.length} request kinds, ${doc.requests_sent} requests.`;
    result.replaceChildren(...renderScan(doc));
  } catch (e) {
    status.textContent = "";
    result.replaceChildren(el("p", { class: "error", role: "alert" }, e.message));
  }
}

// ---- explain ----------------------------------------------------------

function renderExplain(doc) {
  const out = [];
  if (!doc.messages.length && !doc.notes.length && !doc.network.length) {
    out.push(el("p", {}, "No CORS console message recognised."));
  }
  for (const m of doc.messages) {
    out.push(el("article", { class: "finding" },
      el("h3", {}, `${m.browser}: ${m.title}`),
      el("p", { class: "cause" }, `line ${m.line} · ${m.cause} · ${m.stage}`),
      el("p", {}, m.explanation),
      el("p", { class: "fix" }, el("strong", {}, "Fix: "), m.fix),
      m.check ? el("div", { class: "curl" }, el("code", {}, m.check), copyButton(m.check, "Copy the check command")) : null));
  }
  for (const n of doc.network) {
    out.push(el("p", { class: "note" }, `line ${n.line}: ${n.meaning}`));
  }
  for (const n of doc.notes) {
    out.push(el("p", { class: "note" }, `line ${n.line}: ${n.kind}${n.cors ? "" : " (not CORS)"}`));
  }
  return out;
}

async function submitExplain(event) {
  event.preventDefault();
  const status = document.getElementById("explain-status");
  const result = document.getElementById("explain-result");
  status.textContent = "Reading…";
  try {
    const doc = await api("/api/explain", { text: document.getElementById("paste").value });
    status.textContent = `${doc.messages.length} CORS message(s) recognised.`;
    result.replaceChildren(...renderExplain(doc));
  } catch (e) {
    status.textContent = "";
    result.replaceChildren(el("p", { class: "error", role: "alert" }, e.message));
  }
}

// ---- HAR --------------------------------------------------------------

function renderHar(doc) {
  const out = [el("p", {}, `${doc.fetches.length} cross-origin fetch(es), judged as ${doc.browser} (${doc.browser_evidence}).`)];
  if (doc.summary.length) {
    const rows = doc.summary.map((r) => el("tr", {}, el("td", {}, r.origin), el("td", {}, r.host),
      el("td", {}, String(r.allowed)), el("td", {}, String(r.blocked)),
      el("td", {}, Object.entries(r.causes).map(([id, n]) => `${id} ×${n}`).join(", "))));
    out.push(el("table", { class: "har-summary" }, el("caption", {}, "Page origin → API host"),
      el("thead", {}, el("tr", {}, ["Page origin", "API host", "Allowed", "Blocked", "Causes"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)));
  }
  for (const f of doc.fetches.filter((f) => f.group !== "ok")) {
    out.push(el("article", { class: "finding" },
      el("h3", {}, `${f.method} ${f.url} — ${f.verdict} (${f.group})`),
      el("p", { class: "cause" }, `entry ${f.entry} · from ${f.origin}`),
      f.recorded_error ? el("p", {}, `The recording holds no response (${f.recorded_error}): \`cors-doctor har FILE --replay\` sends the request again to learn why.`) : null,
      f.console.map((line) => el("pre", { class: "line" }, line)),
      f.findings.map((x) => el("p", {}, el("strong", {}, `${x.title}: `), x.fix))));
  }
  return out;
}

async function judgeHar(file) {
  const status = document.getElementById("har-status");
  const result = document.getElementById("har-result");
  status.textContent = `Reading ${file.name}…`;
  result.replaceChildren();
  try {
    const response = await fetch(`/api/har?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Cors-Doctor-Token": token },
      body: file,
    });
    const doc = await response.json();
    if (!response.ok) throw new Error(doc.hint ? `${doc.error}: ${doc.hint}` : doc.error);
    status.textContent = `${file.name}: ${doc.total_entries} entries.`;
    result.replaceChildren(...renderHar(doc));
  } catch (e) {
    status.textContent = "";
    result.replaceChildren(el("p", { class: "error", role: "alert" }, e.message));
  }
}

function setUpDropZone() {
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("har-file");
  input.addEventListener("change", () => input.files[0] && judgeHar(input.files[0]));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files[0]) judgeHar(e.dataTransfer.files[0]);
  });
}

// ---- start ------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  showView();
  window.addEventListener("hashchange", showView);
  document.getElementById("check-form").addEventListener("submit", submitCheck);
  document.getElementById("scan-form").addEventListener("submit", submitScan);
  document.getElementById("explain-form").addEventListener("submit", submitExplain);
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.addEventListener("click", () =>
      navigator.clipboard.writeText(document.getElementById(button.dataset.copy).textContent));
  }
  setUpDropZone();
  const ready = loadTargets().catch((e) => {
    document.getElementById("check-status").textContent = `Configuration targets unavailable: ${e.message}`;
  });
  if (loadForm()) ready.then(() => submitCheck());
});
