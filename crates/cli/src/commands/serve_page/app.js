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
  const view = location.hash === "#explain" ? "explain" : "check";
  for (const name of ["check", "explain"]) {
    document.getElementById(name).hidden = name !== view;
    const tab = document.getElementById(`tab-${name}`);
    if (name === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

// ---- check ------------------------------------------------------------

const FIELDS = ["url", "origin", "method", "credentials", "mode", "headers", "body"];

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
  };
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
  out.push(el("h3", {}, "Exchanges"));
  const timeline = el("ol", { class: "timeline" });
  for (const x of doc.exchanges) {
    const status = x.response ? `${x.response.status} (${x.response.http_version})` : (x.error ? `${x.error.stage}: ${x.error.message}` : "");
    timeline.append(el("li", {},
      el("div", { class: "exchange-title" }, `${x.purpose}: ${x.request.method} ${x.request.url} → ${status}`),
      el("div", { class: "two-col" },
        el("div", {}, el("h4", {}, "Request"), headerList(x.request.headers)),
        el("div", {}, el("h4", {}, "Response"), headerList(x.response && x.response.headers))),
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

// ---- start ------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  showView();
  window.addEventListener("hashchange", showView);
  document.getElementById("check-form").addEventListener("submit", submitCheck);
  document.getElementById("explain-form").addEventListener("submit", submitExplain);
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.addEventListener("click", () =>
      navigator.clipboard.writeText(document.getElementById(button.dataset.copy).textContent));
  }
  if (loadForm()) submitCheck();
});
