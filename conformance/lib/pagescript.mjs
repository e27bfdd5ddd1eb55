// Runs inside the page. Must be self-contained (serialized with Function.prototype.toString).
// Returns a plain JSON object describing what script could observe.
export async function runRequestInPage(req, probe, timeoutMs) {
  const started = performance.now();
  const done = (o) => { o.elapsedMs = Math.round(performance.now() - started); return o; };
  const errInfo = (e) => ({ outcome: 'error', errorName: e && e.name, error: e && e.message !== undefined ? String(e.message) : String(e) });
  if (req.api === 'xhr') {
    return await new Promise((resolve) => {
      const x = new XMLHttpRequest();
      const setupErrors = [];
      try {
        x.open(req.method || 'GET', req.url, true);
      } catch (e) { resolve(done(Object.assign(errInfo(e), { phase: 'open' }))); return; }
      if (req.credentials === 'include') x.withCredentials = true;
      x.timeout = timeoutMs;
      for (const [k, v] of req.headers || []) {
        try { x.setRequestHeader(k, v); } catch (e) { setupErrors.push({ header: k, errorName: e.name, error: String(e.message) }); }
      }
      if (req.xhrUploadListener) x.upload.addEventListener('progress', () => {});
      const events = [];
      x.onload = () => {
        const raw = x.getAllResponseHeaders();
        const headers = raw.trim() === '' ? [] : raw.trim().split(/\r?\n/).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim(), l.slice(i + 1).trim()]; });
        // getResponseHeader() on a non-exposed name prints "Refused to get unsafe header" in
        // Chromium, so probe through getAllResponseHeaders() (what the page can read) instead.
        const probed = {};
        for (const n of probe) { const hit = headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v); probed[n] = hit.length ? hit.join(', ') : null; }
        resolve(done({ outcome: 'response', status: x.status, statusText: x.statusText, responseURL: x.responseURL, headers, probed, body: String(x.responseText).slice(0, 300), events, setupErrors }));
      };
      x.onerror = (ev) => resolve(done({ outcome: 'error', errorName: 'XHRErrorEvent', error: `xhr ${ev.type} event`, status: x.status, readyState: x.readyState, events, setupErrors }));
      x.ontimeout = () => resolve(done({ outcome: 'error', errorName: 'XHRTimeout', error: 'xhr timeout event', status: x.status, events, setupErrors }));
      x.onabort = () => events.push('abort');
      try {
        x.send(req.body == null ? null : req.body);
      } catch (e) { resolve(done(Object.assign(errInfo(e), { phase: 'send', setupErrors }))); }
    });
  }
  // fetch
  let init;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const h = new Headers();
    for (const [k, v] of req.headers || []) h.append(k, v);
    init = { method: req.method || 'GET', headers: h, credentials: req.credentials || 'same-origin', mode: req.mode || 'cors', signal: ctrl.signal };
    if (req.body != null) init.body = req.body;
    Object.assign(init, req.init || {});
  } catch (e) {
    clearTimeout(timer);
    return done(Object.assign(errInfo(e), { phase: 'init' }));
  }
  try {
    const resp = await fetch(req.url, init);
    const headers = [];
    for (const [k, v] of resp.headers) headers.push([k, v]);
    const probed = {};
    for (const n of probe) probed[n] = resp.headers.get(n);
    let body = null, bodyError = null;
    try { body = (await resp.text()).slice(0, 300); } catch (e) { bodyError = `${e.name}: ${e.message}`; }
    clearTimeout(timer);
    const o = { outcome: 'response', status: resp.status, statusText: resp.statusText, type: resp.type, url: resp.url, redirected: resp.redirected, headers, probed, body };
    if (bodyError) o.bodyError = bodyError;
    return done(o);
  } catch (e) {
    clearTimeout(timer);
    const o = errInfo(e);
    if (ctrl.signal.aborted) o.timedOut = true;
    return done(o);
  }
}
