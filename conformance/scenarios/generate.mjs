#!/usr/bin/env node
// Generates conformance/scenarios/*.json. The JSON files are the source of truth for the
// runner and are committed; edit this script and re-run it (node conformance/scenarios/generate.mjs)
// rather than editing the JSON by hand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const O = 'http://app.test:{P1}';
const OS = 'https://app.test:{P1}';
const API = 'http://api.test:{P2}/r';
const APIS = 'https://api.test:{P2}/r';
const files = {};
let current;
function file(name) { current = name; files[name] = files[name] || []; }
function add(id, description, { page = O, request = {}, routes = [], ...rest }) {
  files[current].push({ id, description, page, request: req(request), routes, ...rest });
}
function req(o) {
  const r = { api: 'fetch', url: API, method: 'GET', headers: [], body: null, credentials: 'omit', mode: 'cors', ...o };
  if (r.api === 'xhr') delete r.mode;
  return r;
}
const acao = (v = O) => ['Access-Control-Allow-Origin', v];
const acac = (v = 'true') => ['Access-Control-Allow-Credentials', v];
const acam = (v) => ['Access-Control-Allow-Methods', v];
const acah = (v) => ['Access-Control-Allow-Headers', v];
const aceh = (v) => ['Access-Control-Expose-Headers', v];
const maxAge = (v) => ['Access-Control-Max-Age', v];
const actual = (headers, extra = {}) => ({ method: '*', url: API, status: 200, headers: [...headers, ['Content-Type', 'text/plain'], ['X-Custom', 'secret']], body: 'ok', ...extra });
const pre = (headers, status = 204, url = API) => ({ method: 'OPTIONS', url, status, headers });
const permissivePre = (extra = []) => pre([acao(), acam('*'), acah('*'), ...extra]);

// ---------------------------------------------------------------- ACAO
file('10-acao.json');
const acaoCases = [
  ['acao-absent', 'no ACAO on the response', null],
  ['acao-star', 'ACAO * without credentials', '*'],
  ['acao-exact', 'ACAO equals the page origin', O],
  ['acao-trailing-slash', 'ACAO has a trailing slash', O + '/'],
  ['acao-host-uppercase', 'ACAO host in upper case', 'http://APP.TEST:{P1}'],
  ['acao-scheme-uppercase', 'ACAO scheme in upper case', 'HTTP://app.test:{P1}'],
  ['acao-wrong-scheme', 'ACAO https instead of http', 'https://app.test:{P1}'],
  ['acao-wrong-port', 'ACAO with another port', 'http://app.test:{P3}'],
  ['acao-no-port', 'ACAO without the port', 'http://app.test'],
  ['acao-www', 'ACAO with a www. prefix', 'http://www.app.test:{P1}'],
  ['acao-null', 'ACAO null for a real origin', 'null'],
  ['acao-list-comma', 'two origins in one line, comma separated', O + ', http://other.test'],
  ['acao-list-comma-nospace', 'two origins in one line, comma no space', O + ',http://other.test'],
  ['acao-list-space', 'two origins in one line, space separated', O + ' http://other.test'],
  ['acao-invalid-bare-host', 'ACAO example.com (not a URL)', 'example.com'],
  ['acao-invalid-app-host', 'ACAO app.test:{P1} without scheme', 'app.test:{P1}'],
  ['acao-empty', 'ACAO present but empty', ''],
  ['acao-padded', 'ACAO with surrounding spaces', '  ' + O + '  '],
  ['acao-star-quoted', 'ACAO "*" with quotes', '"*"'],
  ['acao-path', 'ACAO with a path', O + '/app'],
];
for (const [id, d, v] of acaoCases) {
  add(id, d, { routes: [actual(v === null ? [] : [acao(v)])] });
}
add('acao-two-lines-same', 'ACAO sent twice with the same value', { routes: [actual([acao(), acao()])] });
add('acao-two-lines-different', 'ACAO sent twice: page origin and another', { routes: [actual([acao(), acao('http://other.test')])] });
add('acao-two-lines-star', 'ACAO sent twice: * and the page origin', { routes: [actual([acao('*'), acao()])] });
add('acao-absent-status-500', 'server error 500 without ACAO', { routes: [actual([], { status: 500, body: 'boom' })] });
add('acao-absent-status-404', '404 without ACAO', { routes: [actual([], { status: 404, body: 'nope' })] });
add('acao-exact-status-500', '500 with correct ACAO (script sees the 500)', { routes: [actual([acao()], { status: 500, body: 'boom' })] });
add('acao-absent-post-text', 'simple POST text/plain, no ACAO', { request: { method: 'POST', body: 'hello' }, routes: [actual([])] });
add('acao-https-page-exact', 'https page, https API, exact ACAO', { page: OS, request: { url: APIS }, routes: [actual([acao(OS)], { url: APIS })] });
add('acao-https-page-http-origin', 'https page, ACAO names the http origin', { page: OS, request: { url: APIS }, routes: [actual([acao(O)], { url: APIS })] });
add('acao-subdomain-page', 'page on a subdomain, ACAO the parent', { page: 'http://www.app.test:{P1}', routes: [actual([acao(O)])] });
add('acao-same-site-other-port', 'page and API same host, different port, no ACAO', { request: { url: 'http://app.test:{P2}/r' }, routes: [actual([], { url: 'http://app.test:{P2}/r' })] });

// ---------------------------------------------------------------- credentials
file('20-credentials.json');
add('cred-include-star', 'credentials include, ACAO *', { request: { credentials: 'include' }, routes: [actual([acao('*')])] });
add('cred-include-star-acac-true', 'credentials include, ACAO *, ACAC true', { request: { credentials: 'include' }, routes: [actual([acao('*'), acac()])] });
add('cred-include-exact-acac-true', 'credentials include, exact ACAO, ACAC true', { request: { credentials: 'include' }, routes: [actual([acao(), acac()])] });
add('cred-include-exact-acac-missing', 'credentials include, exact ACAO, ACAC missing', { request: { credentials: 'include' }, routes: [actual([acao()])] });
add('cred-include-exact-acac-true-capital', 'credentials include, ACAC True (capital T)', { request: { credentials: 'include' }, routes: [actual([acao(), acac('True')])] });
add('cred-include-exact-acac-1', 'credentials include, ACAC 1', { request: { credentials: 'include' }, routes: [actual([acao(), acac('1')])] });
add('cred-include-exact-acac-empty', 'credentials include, ACAC empty', { request: { credentials: 'include' }, routes: [actual([acao(), acac('')])] });
add('cred-include-exact-acac-two-lines', 'credentials include, ACAC true twice', { request: { credentials: 'include' }, routes: [actual([acao(), acac(), acac()])] });
add('cred-include-mismatch-acac-true', 'credentials include, ACAO mismatch, ACAC true', { request: { credentials: 'include' }, routes: [actual([acao('http://other.test'), acac()])] });
add('cred-include-absent', 'credentials include, no ACAO', { request: { credentials: 'include' }, routes: [actual([])] });
add('cred-same-origin-star', 'credentials same-origin (default) to cross-origin, ACAO *', { request: { credentials: 'same-origin' }, routes: [actual([acao('*')])] });
add('cred-omit-exact-acac-false', 'credentials omit, ACAC false is irrelevant', { request: { credentials: 'omit' }, routes: [actual([acao(), acac('false')])] });
add('cred-xhr-include-star', 'XHR withCredentials, ACAO *', { request: { api: 'xhr', credentials: 'include' }, routes: [actual([acao('*')])] });
add('cred-xhr-include-acac-missing', 'XHR withCredentials, ACAC missing', { request: { api: 'xhr', credentials: 'include' }, routes: [actual([acao()])] });
add('cred-xhr-include-acac-true-capital', 'XHR withCredentials, ACAC True', { request: { api: 'xhr', credentials: 'include' }, routes: [actual([acao(), acac('True')])] });
add('cred-xhr-include-ok', 'XHR withCredentials, exact ACAO, ACAC true', { request: { api: 'xhr', credentials: 'include' }, routes: [actual([acao(), acac()])] });
add('cred-xhr-nocreds-star', 'XHR without credentials, ACAO *', { request: { api: 'xhr', credentials: 'same-origin' }, routes: [actual([acao('*')])] });
const credPut = { method: 'PUT', credentials: 'include', headers: [['X-Foo', '1']] };
add('cred-preflight-star', 'credentialed PUT, preflight ACAO *', { request: credPut, routes: [pre([acao('*'), acac(), acam('PUT'), acah('x-foo')]), actual([acao(), acac()])] });
add('cred-preflight-acac-missing', 'credentialed PUT, preflight without ACAC', { request: credPut, routes: [pre([acao(), acam('PUT'), acah('x-foo')]), actual([acao(), acac()])] });
add('cred-preflight-ok-actual-acac-missing', 'credentialed PUT, preflight ok, actual response lacks ACAC', { request: credPut, routes: [pre([acao(), acac(), acam('PUT'), acah('x-foo')]), actual([acao()])] });
add('cred-preflight-ok', 'credentialed PUT, everything right', { request: credPut, routes: [pre([acao(), acac(), acam('PUT'), acah('x-foo')]), actual([acao(), acac()])] });
add('cred-preflight-acam-star', 'credentialed PUT, ACAM * (literal with credentials)', { request: credPut, routes: [pre([acao(), acac(), acam('*'), acah('x-foo')]), actual([acao(), acac()])] });
add('cred-preflight-acah-star', 'credentialed PUT, ACAH * (literal with credentials)', { request: credPut, routes: [pre([acao(), acac(), acam('PUT'), acah('*')]), actual([acao(), acac()])] });
add('cred-xhr-preflight-star', 'XHR withCredentials PUT, preflight ACAO *', { request: { ...credPut, api: 'xhr' }, routes: [pre([acao('*'), acac(), acam('PUT'), acah('x-foo')]), actual([acao(), acac()])] });

// ---------------------------------------------------------------- preflight triggers
file('30-preflight-triggers.json');
const trig = (id, d, request) => add(id, d, { request, routes: [permissivePre(), actual([acao()])] });
trig('trigger-get-simple', 'plain GET: no preflight expected', {});
trig('trigger-post-text', 'POST with string body (text/plain;charset=UTF-8)', { method: 'POST', body: 'x' });
trig('trigger-method-put', 'PUT', { method: 'PUT', body: 'x' });
trig('trigger-method-put-lower', 'put (normalised to PUT)', { method: 'put', body: 'x' });
trig('trigger-method-delete', 'DELETE', { method: 'DELETE' });
trig('trigger-method-patch', 'PATCH', { method: 'PATCH', body: 'x' });
trig('trigger-method-patch-lower', 'patch (stays lower case)', { method: 'patch', body: 'x' });
trig('trigger-method-options', 'OPTIONS as the actual method', { method: 'OPTIONS' });
trig('trigger-method-custom', 'custom method FOO', { method: 'FOO' });
trig('trigger-method-head', 'HEAD: safelisted', { method: 'HEAD' });
trig('trigger-header-custom', 'custom header X-Foo', { headers: [['X-Foo', '1']] });
trig('trigger-headers-sorted', 'ACRH order: X-B, x-a, Content-Type application/json', { method: 'POST', body: '{}', headers: [['X-B', '1'], ['x-a', '2'], ['Content-Type', 'application/json']] });
const ctCases = [
  ['text-plain', 'text/plain'], ['text-plain-semicolon', 'text/plain;'], ['text-plain-garbage', 'text/plain;garbage'],
  ['text-space-plain', 'text /plain'], ['text-tab-plain', 'text\t/\tplain'], ['text-plain-ctl', 'text/plain;garbage\x01\x02'],
  ['text-plain-comma', 'text/plain,'], ['comma-text-plain', ',text/plain'], ['text-plain-twice', 'text/plain,text/plain'],
  ['text-plain-x-x', 'text/plain,x/x'], ['text-plain-vt', 'text/plain\x0B'], ['www-form-missing-x', 'application/www-form-urlencoded'],
  ['form-del', 'application/x-www-form-urlencoded;\x7F'], ['multipart', 'multipart/form-data'], ['multipart-quote', 'multipart/form-data;"'],
  ['mixed-case', 'Text/plain'], ['upper-case', 'tEXT/PLAIN'], ['padded-charset', '  text/plain ; charset=UTF-8'],
  ['charset-128', 'text/plain; charset=' + 'a'.repeat(108)], ['charset-129', 'text/plain; charset=' + 'a'.repeat(109)],
  ['json', 'application/json'], ['json-charset', 'application/json; charset=utf-8'], ['text-html', 'text/html'],
  ['form', 'application/x-www-form-urlencoded'],
];
for (const [k, v] of ctCases) trig(`trigger-ct-${k}`, `POST Content-Type ${JSON.stringify(v)}`, { method: 'POST', body: 'x', headers: [['Content-Type', v]] });
const rangeCases = [['simple', 'bytes=100-200'], ['open', 'bytes=200-'], ['upper', 'BYTES=100-200'], ['suffix', 'bytes=-200'], ['multi', 'bytes=100-200,300-400'],
  ['space', 'bytes =100-200'], ['reversed', 'bytes=200-100'], ['letters', 'bytes=abc-def'], ['no-unit', '100-200']];
for (const [k, v] of rangeCases) trig(`trigger-range-${k}`, `GET Range ${JSON.stringify(v)}`, { headers: [['Range', v]] });
trig('trigger-accept-quote', 'Accept containing a double quote', { headers: [['Accept', 'text/"x"']] });
trig('trigger-accept-128', 'Accept of 128 bytes', { headers: [['Accept', 'a'.repeat(128)]] });
trig('trigger-accept-129', 'Accept of 129 bytes', { headers: [['Accept', 'a'.repeat(129)]] });
trig('trigger-accept-high-byte', 'Accept with a byte >= 0x80', { headers: [['Accept', 'text/\u00e9']] });
trig('trigger-accept-language-ok', 'Accept-Language en,ja', { headers: [['Accept-Language', 'en,ja']] });
trig('trigger-accept-language-underscore', 'Accept-Language en_US', { headers: [['Accept-Language', 'en_US']] });
trig('trigger-content-language-paren', 'Content-Language de(DE)', { headers: [['Content-Language', 'de(DE)']] });
trig('trigger-dpr-ok', 'DPR 1.25 (Chromium-only safelist)', { headers: [['DPR', '1.25']] });
trig('trigger-dpr-bad', 'DPR 1. (not safelisted)', { headers: [['DPR', '1.']] });
// Repeated names: Headers.append combines the values with ", " before the
// safelist and size rules see them.
const a64 = 'a'.repeat(64);
const dupCases = [
  ['ct-text-plain', 'POST', [['Content-Type', 'text/plain'], ['Content-Type', 'text/plain']]],
  ['ct-case', 'POST', [['content-type', 'text/plain'], ['Content-Type', 'text/plain']]],
  ['ct-plain-then-json', 'POST', [['Content-Type', 'text/plain'], ['Content-Type', 'application/json']]],
  ['accept-short', 'GET', [['Accept', 'a'], ['Accept', 'b']]],
  ['accept-over-128', 'GET', [['Accept', a64], ['Accept', a64]]],
  ['accept-at-128', 'GET', [['Accept', 'a'.repeat(62)], ['Accept', 'a'.repeat(64)]]],
  ['accept-language', 'GET', [['Accept-Language', 'en'], ['Accept-Language', 'de']]],
  ['content-language', 'GET', [['Content-Language', 'en'], ['Content-Language', 'de']]],
  ['range', 'GET', [['Range', 'bytes=0-1'], ['Range', 'bytes=2-3']]],
  ['x-foo', 'GET', [['X-Foo', '1'], ['X-Foo', '2']]],
  ['x-foo-and-x-bar', 'GET', [['X-Foo', '1'], ['X-Bar', '2'], ['x-foo', '3']]],
  ['accept-and-x-foo', 'GET', [['Accept', 'a'], ['X-Foo', '1'], ['Accept', 'b']]],
];
// Headers a script may try to set that the browser drops, keeps or
// preflights, per browser.
const setCases = [
  ['user-agent', 'User-Agent', 'cors-doctor-test'], ['referer', 'Referer', 'http://app.test/x'],
  ['cookie', 'Cookie', 'a=1'], ['accept-charset', 'Accept-Charset', 'utf-8'], ['accept-encoding', 'Accept-Encoding', 'br'],
  ['content-length', 'Content-Length', '5'], ['date', 'Date', 'Tue, 01 Dec 2026 00:00:00 GMT'], ['dnt', 'DNT', '1'],
  ['origin', 'Origin', 'http://evil.test'], ['connection', 'Connection', 'close'], ['keep-alive', 'Keep-Alive', 'timeout=5'],
  ['via', 'Via', '1.1 proxy'], ['te', 'TE', 'trailers'], ['upgrade', 'Upgrade', 'websocket'], ['expect', 'Expect', '100-continue'],
  ['proxy-foo', 'Proxy-Foo', '1'], ['sec-foo', 'Sec-Foo', '1'], ['acrm', 'Access-Control-Request-Method', 'PUT'],
  ['override-put', 'X-HTTP-Method-Override', 'PUT'], ['override-connect', 'X-HTTP-Method-Override', 'CONNECT'],
  ['override-trace-list', 'X-Method-Override', 'GET, TRACE'], ['host', 'Host', 'other.test'],
];
for (const [k, name, value] of setCases) trig(`trigger-set-${k}`, `GET with the script setting ${name}: ${value}`, { headers: [[name, value]] });
for (const [k, method, headers] of dupCases) trig(`trigger-dup-${k}`, `${method} with a repeated header: ${headers.map(([n, v]) => n + ': ' + (v.length > 20 ? v.length + ' bytes' : v)).join(' + ')}`, { method, body: method === 'POST' ? 'x' : undefined, headers });
trig('trigger-save-data-on', 'Save-Data on (Chromium-only safelist)', { headers: [['Save-Data', 'on']] });
const ones = (n) => '1'.repeat(n);
const budget = (widthLen, ctLen = 108) => [['Content-Type', 'text/plain; charset=' + ones(ctLen)], ['Accept', ones(128)], ['Accept-Language', ones(128)], ['Content-Language', ones(128)],
  ['DPR', ones(128)], ['Device-Memory', ones(128)], ['Viewport-Width', ones(128)], ['Save-Data', 'on'], ['Width', ones(widthLen)], ['hoge', 'fuga']];
trig('trigger-budget-1024', 'safelisted headers total exactly 1024 bytes + hoge', { method: 'POST', body: 'x', headers: budget(126) });
trig('trigger-budget-1025', 'safelisted headers total 1025 bytes + hoge', { method: 'POST', body: 'x', headers: budget(127) });
trig('trigger-budget-ct-too-long', 'Content-Type 148 bytes, rest within budget', { method: 'POST', body: 'x', headers: budget(126, 128) });
trig('trigger-budget-standard-only', 'four standard safelisted headers of 128 bytes each (512 total)', { method: 'POST', body: 'x', headers: [['Content-Type', 'text/plain; charset=' + ones(108)], ['Accept', ones(128)], ['Accept-Language', ones(128)], ['Content-Language', ones(128)]] });
const onlySafelisted = (widthLen) => budget(widthLen).filter(([n]) => n !== 'hoge');
trig('trigger-budget-1024-only-safelisted', 'safelisted headers total exactly 1024 bytes, nothing else', { method: 'POST', body: 'x', headers: onlySafelisted(126) });
trig('trigger-budget-1025-only-safelisted', 'safelisted headers total 1025 bytes, nothing else', { method: 'POST', body: 'x', headers: onlySafelisted(127) });
trig('trigger-budget-1025-reordered', 'safelisted headers total 1025 bytes, Width first', { method: 'POST', body: 'x', headers: [...onlySafelisted(127)].reverse() });
const budgetAllowing = (id, d, allowed) => add(id, d, { request: { method: 'POST', body: 'x', headers: budget(127) }, routes: [pre([acao(), acam('*'), acah(allowed)]), actual([acao()])] });
budgetAllowing('trigger-budget-1025-allow-hoge', 'safelisted headers over 1024 bytes, preflight allows only hoge: which header is named', 'hoge');
budgetAllowing('trigger-budget-1025-allow-ct-hoge', 'safelisted headers over 1024 bytes, preflight allows content-type and hoge', 'content-type, hoge');
budgetAllowing('trigger-budget-1025-allow-all-named', 'safelisted headers over 1024 bytes, preflight names every header', 'accept, accept-language, content-language, content-type, device-memory, dpr, hoge, save-data, viewport-width, width');
trig('trigger-xhr-upload-listener', 'XHR POST with an upload progress listener', { api: 'xhr', method: 'POST', body: 'x', xhrUploadListener: true });
trig('trigger-xhr-no-upload-listener', 'XHR POST without an upload listener', { api: 'xhr', method: 'POST', body: 'x' });
trig('trigger-forbidden-header-ignored', 'forbidden header (Cookie) set by script is dropped', { headers: [['Cookie', 'a=b'], ['Accept-Charset', 'x']] });
trig('trigger-last-event-id', 'Last-Event-ID header', { headers: [['Last-Event-ID', 'abc123']] });

// ---------------------------------------------------------------- preflight responses
file('40-preflight-response.json');
const PUT = { method: 'PUT', headers: [['X-Foo', '1']], body: 'x' };
const pf = (id, d, preRoute, { request = PUT, act = actual([acao()]) } = {}) => add(id, d, { request, routes: [preRoute, act] });
const okHdrs = [acao(), acam('PUT'), acah('x-foo')];
for (const st of [200, 204, 206]) pf(`preflight-status-${st}-cors`, `preflight ${st} with CORS headers`, pre(okHdrs, st));
for (const st of [301, 302, 307, 308]) {
  pf(`preflight-redirect-${st}-cors`, `preflight answered ${st} with CORS headers`, pre([...okHdrs, ['Location', 'http://api.test:{P2}/other']], st));
}
pf('preflight-redirect-302-nocors', 'preflight answered 302 without CORS headers', pre([['Location', 'http://api.test:{P2}/other']], 302));
pf('preflight-redirect-303-cors', 'preflight answered 303 with CORS headers', pre([...okHdrs, ['Location', 'http://api.test:{P2}/other']], 303));
for (const st of [301, 303, 307, 308]) pf(`preflight-redirect-${st}-nocors`, `preflight answered ${st} without CORS headers`, pre([['Location', 'http://api.test:{P2}/other']], st));
for (const st of [401, 403, 404, 405, 500]) {
  pf(`preflight-status-${st}-cors`, `preflight ${st} with CORS headers`, pre(okHdrs, st));
  pf(`preflight-status-${st}-nocors`, `preflight ${st} without CORS headers`, pre([], st));
}
pf('preflight-acao-mismatch', 'preflight ACAO mismatch', pre([acao('http://other.test'), acam('PUT'), acah('x-foo')]));
pf('preflight-acao-multiple', 'preflight ACAO two values in one line', pre([acao(O + ', http://other.test'), acam('PUT'), acah('x-foo')]));
pf('preflight-acao-two-lines', 'preflight ACAO sent twice', pre([acao(), acao(), acam('PUT'), acah('x-foo')]));
pf('preflight-acao-invalid', 'preflight ACAO example.com', pre([acao('example.com'), acam('PUT'), acah('x-foo')]));
pf('preflight-ok-actual-acao-missing', 'preflight fine, actual response has no ACAO', pre(okHdrs), { act: actual([]) });
pf('acam-absent', 'ACAM absent for PUT', pre([acao(), acah('x-foo')]));
pf('acam-put', 'ACAM PUT', pre([acao(), acam('PUT'), acah('x-foo')]));
pf('acam-put-lower', 'ACAM put (request PUT)', pre([acao(), acam('put'), acah('x-foo')]));
pf('acam-get-post', 'ACAM GET, POST for PUT', pre([acao(), acam('GET, POST'), acah('x-foo')]));
pf('acam-star', 'ACAM * without credentials', pre([acao(), acam('*'), acah('x-foo')]));
pf('acam-spaces', 'ACAM with spaces around items', pre([acao(), acam('  GET ,  PUT  '), acah('x-foo')]));
pf('acam-empty-items', 'ACAM with empty list items', pre([acao(), acam('GET, ,PUT,'), acah('x-foo')]));
pf('acam-two-lines', 'ACAM split over two lines', pre([acao(), acam('GET'), acam('PUT'), acah('x-foo')]));
pf('acam-invalid-space', 'ACAM "Bad method name"', pre([acao(), acam('Bad method name'), acah('x-foo')]));
pf('acam-invalid-paren', 'ACAM "PUT, (DELETE)"', pre([acao(), acam('PUT, (DELETE)'), acah('x-foo')]));
pf('acam-invalid-slash', 'ACAM "PUT/"', pre([acao(), acam('PUT/'), acah('x-foo')]));
const patchReq = (m) => ({ method: m, body: 'x' });
pf('method-case-req-upper-acam-upper', 'request PATCH, ACAM PATCH', pre([acao(), acam('PATCH')]), { request: patchReq('PATCH') });
pf('method-case-req-lower-acam-upper', 'request patch, ACAM PATCH', pre([acao(), acam('PATCH')]), { request: patchReq('patch') });
pf('method-case-req-upper-acam-lower', 'request PATCH, ACAM patch', pre([acao(), acam('patch')]), { request: patchReq('PATCH') });
pf('method-case-req-lower-acam-lower', 'request patch, ACAM patch', pre([acao(), acam('patch')]), { request: patchReq('patch') });
pf('method-case-delete-lower-acam', 'request delete (normalised), ACAM delete', pre([acao(), acam('delete')]), { request: { method: 'delete' } });
pf('method-custom-allowed', 'request FOOBAR, ACAM FOOBAR', pre([acao(), acam('FOOBAR')]), { request: { method: 'FOOBAR' } });
pf('acah-absent', 'ACAH absent for X-Foo', pre([acao(), acam('PUT')]));
pf('acah-lower', 'ACAH x-foo', pre([acao(), acam('PUT'), acah('x-foo')]));
pf('acah-upper', 'ACAH X-FOO', pre([acao(), acam('PUT'), acah('X-FOO')]));
pf('acah-list', 'ACAH x-bar, x-foo', pre([acao(), acam('PUT'), acah('x-bar, x-foo')]));
pf('acah-other', 'ACAH x-bar only', pre([acao(), acam('PUT'), acah('x-bar')]));
pf('acah-star', 'ACAH * without credentials', pre([acao(), acam('PUT'), acah('*')]));
pf('acah-empty-items', 'ACAH ", x-foo, ,"', pre([acao(), acam('PUT'), acah(', x-foo, ,')]));
pf('acah-invalid-space', 'ACAH "x foo"', pre([acao(), acam('PUT'), acah('x foo')]));
pf('acah-invalid-colon', 'ACAH "X-Foo:bar"', pre([acao(), acam('PUT'), acah('X-Foo:bar')]));
pf('acah-two-headers-one-missing', 'X-Foo and X-Bar sent, ACAH x-foo', pre([acao(), acam('PUT'), acah('x-foo')]), { request: { ...PUT, headers: [['X-Foo', '1'], ['X-Bar', '2']] } });
pf('acah-method-and-header-both-bad', 'PUT + X-Foo, ACAM GET, ACAH absent (which error first?)', pre([acao(), acam('GET')]));
const AUTH = { method: 'POST', body: 'x', headers: [['Authorization', 'Bearer 123']] };
pf('auth-acah-star', 'Authorization with ACAH * (reference doc: Chromium blocks, Firefox warns)', pre([acao(), acah('*')]), { request: AUTH });
pf('auth-acah-star-and-auth', 'Authorization with ACAH "*, Authorization"', pre([acao(), acah('*, Authorization')]), { request: AUTH });
pf('auth-acah-listed', 'Authorization with ACAH authorization', pre([acao(), acah('authorization')]), { request: AUTH });
pf('auth-acah-absent', 'Authorization with no ACAH', pre([acao()]), { request: AUTH });
pf('auth-xhr-acah-star', 'XHR Authorization with ACAH *', pre([acao(), acah('*')]), { request: { ...AUTH, api: 'xhr' } });

// ---------------------------------------------------------------- expose headers
file('50-expose.json');
const exp = (id, d, headers, request = {}) => add(id, d, { request, routes: [actual([...headers, ['X-Total-Count', '42'], ['Set-Cookie', 'a=b'], ['Content-Language', 'en'], ['Cache-Control', 'no-cache'], ['Server-Timing', 'a;dur=1'], ['Date-Like', 'x']])] });
exp('expose-absent', 'no ACEH: only safelisted response headers readable', [acao()]);
exp('expose-listed', 'ACEH X-Total-Count', [acao(), aceh('X-Total-Count')]);
exp('expose-listed-lower', 'ACEH x-total-count', [acao(), aceh('x-total-count')]);
exp('expose-list-two', 'ACEH X-Custom, X-Total-Count', [acao(), aceh('X-Custom, X-Total-Count')]);
exp('expose-two-lines', 'ACEH in two lines', [acao(), aceh('X-Custom'), aceh('X-Total-Count')]);
exp('expose-set-cookie', 'ACEH Set-Cookie (never exposed)', [acao(), aceh('Set-Cookie, X-Total-Count')]);
exp('expose-star', 'ACEH * without credentials', [acao(), aceh('*')]);
exp('expose-star-credentials', 'ACEH * with credentials (literal)', [acao(), acac(), aceh('*')], { credentials: 'include' });
exp('expose-listed-credentials', 'ACEH listed with credentials', [acao(), acac(), aceh('X-Total-Count')], { credentials: 'include' });
exp('expose-invalid-token', 'ACEH with an invalid token "X Total, X-Custom"', [acao(), aceh('X Total, X-Custom')]);
exp('expose-xhr-absent', 'XHR, no ACEH', [acao()], { api: 'xhr' });
exp('expose-xhr-star', 'XHR, ACEH *', [acao(), aceh('*')], { api: 'xhr' });
exp('expose-star-acao-star', 'ACAO * and ACEH *', [acao('*'), aceh('*')]);

// ---------------------------------------------------------------- max-age / preflight cache
file('60-max-age.json');
const cache = (id, d, extra, request = {}) => add(id, d, { request: { ...PUT, repeat: 2, ...request }, routes: [pre([acao(), acam('PUT'), acah('x-foo'), ...extra]), actual([acao()])] });
cache('maxage-absent', 'no Max-Age, two requests', []);
cache('maxage-0', 'Max-Age 0', [maxAge('0')]);
cache('maxage-600', 'Max-Age 600', [maxAge('600')]);
cache('maxage-86400', 'Max-Age 86400', [maxAge('86400')]);
cache('maxage-invalid-1-5', 'Max-Age 1.5', [maxAge('1.5')]);
cache('maxage-invalid-10s', 'Max-Age 10s', [maxAge('10s')]);
cache('maxage-negative', 'Max-Age -1', [maxAge('-1')]);
cache('maxage-empty', 'Max-Age empty', [maxAge('')]);
add('maxage-600-credentials', 'Max-Age 600, credentialed', { request: { ...PUT, repeat: 2, credentials: 'include' }, routes: [pre([acao(), acam('PUT'), acah('x-foo'), maxAge('600'), acac()]), actual([acao(), acac()])] });
add('maxage-600-actual-fails', 'Max-Age 600, actual response lacks ACAO (failure clears cache?)', { request: { ...PUT, repeat: 2 }, routes: [pre([acao(), acam('PUT'), acah('x-foo'), maxAge('600')]), actual([])] });
cache('maxage-600-xhr', 'Max-Age 600, XHR', [maxAge('600')], { api: 'xhr' });

// ---------------------------------------------------------------- redirects
file('70-redirects.json');
const loc = (u) => ['Location', u];
const R2 = 'http://api.test:{P2}/r2';
const OTHER = 'http://other.test:{P3}/r3';
const hop = (from, to, headers = [acao()], status = 302) => ({ method: '*', url: from, status, headers: [...headers, loc(to)], body: '' });
const fin = (url, headers) => ({ method: '*', url, status: 200, headers: [...headers, ['Content-Type', 'text/plain']], body: 'final' });
add('redirect-same-origin-ok', 'API 302 to another path on the API, both with ACAO', { routes: [hop(API, R2), fin(R2, [acao()])] });
add('redirect-no-acao-on-redirect', 'API 302 without ACAO, target has ACAO', { routes: [hop(API, R2, []), fin(R2, [acao()])] });
add('redirect-no-acao-on-target', 'API 302 with ACAO, target without', { routes: [hop(API, R2), fin(R2, [])] });
add('redirect-cross-origin-acao-exact', 'API 302 to other.test, target ACAO = page origin (Origin becomes null)', { routes: [hop(API, OTHER), fin(OTHER, [acao()])] });
add('redirect-cross-origin-acao-null', 'API 302 to other.test, target ACAO null', { routes: [hop(API, OTHER), fin(OTHER, [acao('null')])] });
add('redirect-cross-origin-acao-star', 'API 302 to other.test, target ACAO *', { routes: [hop(API, OTHER), fin(OTHER, [acao('*')])] });
add('redirect-back-to-page-origin', 'API 302 back to the page origin', { routes: [hop(API, 'http://app.test:{P1}/back'), fin('http://app.test:{P1}/back', [])] });
add('redirect-back-to-page-origin-acao-null', 'API 302 back to the page origin, ACAO null there', { routes: [hop(API, 'http://app.test:{P1}/back'), fin('http://app.test:{P1}/back', [acao('null')])] });
add('redirect-from-page-origin-to-api', 'same-origin URL 302 to the API (Origin stays)', { request: { url: 'http://app.test:{P1}/go' }, routes: [hop('http://app.test:{P1}/go', API, []), fin(API, [acao()])] });
add('redirect-userinfo-cross-origin', 'redirect Location with user:pass@ to another origin', { routes: [hop(API, 'http://user:pass@other.test:{P3}/r3'), fin(OTHER, [acao('*')])] });
add('redirect-userinfo-same-origin', 'redirect Location with user:pass@ to the same API origin', { routes: [hop(API, 'http://user:pass@api.test:{P2}/r2'), fin(R2, [acao()])] });
add('redirect-from-page-userinfo', 'same-origin URL redirects to the API with user:pass@', { request: { url: 'http://app.test:{P1}/go' }, routes: [hop('http://app.test:{P1}/go', 'http://user:pass@api.test:{P2}/r', []), fin(API, [acao()])] });
const chain = (n) => { const r = []; for (let i = 0; i < n; i++) r.push(hop(`http://api.test:{P2}/h${i}`, `http://api.test:{P2}/h${i + 1}`)); r.push(fin(`http://api.test:{P2}/h${n}`, [acao()])); return r; };
add('redirect-20-hops', '20 redirects then success', { request: { url: 'http://api.test:{P2}/h0' }, routes: chain(20) });
add('redirect-21-hops', '21 redirects', { request: { url: 'http://api.test:{P2}/h0' }, routes: chain(21) });
add('redirect-303-post', 'POST answered 303 (becomes GET)', { request: { method: 'POST', body: 'x' }, routes: [hop(API, R2, [acao()], 303), fin(R2, [acao()])] });
add('redirect-307-post', 'POST answered 307 (stays POST)', { request: { method: 'POST', body: 'x' }, routes: [hop(API, R2, [acao()], 307), fin(R2, [acao()])] });
add('redirect-301-post', 'POST answered 301 (becomes GET)', { request: { method: 'POST', body: 'x' }, routes: [hop(API, R2, [acao()], 301), fin(R2, [acao()])] });
add('redirect-after-preflight', 'PUT + X-Foo preflighted, actual answered 307 to r2', { request: PUT, routes: [pre(okHdrs), pre(okHdrs, 204, R2), hop(API, R2, [acao()], 307), fin(R2, [acao()])] });
add('redirect-after-preflight-cross-origin', 'PUT + X-Foo preflighted, actual 307 to other.test (new preflight with Origin null)', { request: PUT, routes: [pre(okHdrs), pre([acao('null'), acam('PUT'), acah('x-foo')], 204, OTHER), hop(API, OTHER, [acao()], 307), fin(OTHER, [acao('null')])] });
// A preflighted request redirected: 301/302 turn POST into GET and 303 any
// method but HEAD (dropping the body and its headers); what is sent next.
const JSONPOST = { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{}' };
const XFOOPOST = { method: 'POST', headers: [['X-Foo', '1']], body: 'x' };
const okJson = [acao(), acam('POST'), acah('content-type')];
const okXfooGet = [acao(), acam('GET, POST, PUT'), acah('x-foo')];
for (const st of [301, 302, 303]) add(`redirect-pf-post-json-${st}`, `POST application/json preflighted, actual answered ${st} to r2`, { request: JSONPOST, routes: [pre(okJson), pre(okJson, 204, R2), hop(API, R2, [acao()], st), fin(R2, [acao()])] });
add('redirect-pf-post-json-307', 'POST application/json preflighted, actual answered 307 to r2 (stays POST)', { request: JSONPOST, routes: [pre(okJson), pre(okJson, 204, R2), hop(API, R2, [acao()], 307), fin(R2, [acao()])] });
for (const st of [301, 302, 303]) add(`redirect-pf-post-xfoo-${st}`, `POST + X-Foo preflighted, actual answered ${st} to r2 (X-Foo stays)`, { request: XFOOPOST, routes: [pre(okXfooGet), pre(okXfooGet, 204, R2), hop(API, R2, [acao()], st), fin(R2, [acao()])] });
add('redirect-pf-put-xfoo-303', 'PUT + X-Foo preflighted, actual answered 303 (becomes GET + X-Foo)', { request: PUT, routes: [pre(okXfooGet), pre(okXfooGet, 204, R2), hop(API, R2, [acao()], 303), fin(R2, [acao()])] });
add('redirect-pf-put-xfoo-301', 'PUT + X-Foo preflighted, actual answered 301 (stays PUT)', { request: PUT, routes: [pre(okXfooGet), pre(okXfooGet, 204, R2), hop(API, R2, [acao()], 301), fin(R2, [acao()])] });
add('redirect-pf-delete-303', 'DELETE preflighted, actual answered 303 (becomes a simple GET)', { request: { method: 'DELETE' }, routes: [pre([acao(), acam('DELETE')]), pre([acao(), acam('DELETE')], 204, R2), hop(API, R2, [acao()], 303), fin(R2, [acao()])] });
add('redirect-pf-put-xfoo-303-cross-origin', 'PUT + X-Foo preflighted, 303 to other.test (GET + X-Foo, Origin null)', { request: PUT, routes: [pre(okXfooGet), pre([acao('null'), acam('GET'), acah('x-foo')], 204, OTHER), hop(API, OTHER, [acao()], 303), fin(OTHER, [acao('null')])] });
add('redirect-pf-put-xfoo-303-no-second-preflight-answer', 'PUT + X-Foo preflighted, 303 to r2 whose preflight allows no headers', { request: PUT, routes: [pre(okXfooGet), pre([acao(), acam('GET')], 204, R2), hop(API, R2, [acao()], 303), fin(R2, [acao()])] });
// Userinfo in a redirect's Location, neighbours of redirect-userinfo-*.
add('redirect-userinfo-user-only-same-origin', 'redirect Location with user@ (no password) to the API origin', { routes: [hop(API, 'http://user@api.test:{P2}/r2'), fin(R2, [acao()])] });
add('redirect-userinfo-password-only-same-origin', 'redirect Location with :pass@ (no user name) to the API origin', { routes: [hop(API, 'http://:pass@api.test:{P2}/r2'), fin(R2, [acao()])] });
add('redirect-userinfo-user-only-cross-origin', 'redirect Location with user@ to another origin', { routes: [hop(API, 'http://user@other.test:{P3}/r3'), fin(OTHER, [acao('*')])] });
add('redirect-userinfo-same-origin-307-post', 'POST answered 307 to the API origin with user:pass@', { request: { method: 'POST', body: 'x' }, routes: [hop(API, 'http://user:pass@api.test:{P2}/r2', [acao()], 307), fin(R2, [acao()])] });
add('redirect-userinfo-same-origin-preflighted', 'PUT + X-Foo preflighted, actual 307 to the API origin with user:pass@', { request: PUT, routes: [pre(okHdrs), pre(okHdrs, 204, R2), hop(API, 'http://user:pass@api.test:{P2}/r2', [acao()], 307), fin(R2, [acao()])] });
add('redirect-to-data-url', 'redirect to a data: URL', { routes: [hop(API, 'data:text/plain,hi')] });
add('redirect-to-file-url', 'redirect to a file: URL', { routes: [hop(API, 'file:///etc/hostname')] });
add('redirect-to-ftp-url', 'redirect to an ftp: URL', { routes: [hop(API, 'ftp://api.test:{P2}/x')] });
add('redirect-to-javascript-url', 'redirect to a javascript: URL', { routes: [hop(API, 'javascript:void(0)')] });
add('redirect-to-about-blank', 'redirect to about:blank', { routes: [hop(API, 'about:blank')] });
add('redirect-xhr-no-acao-on-redirect', 'XHR: 302 without ACAO', { request: { api: 'xhr' }, routes: [hop(API, R2, []), fin(R2, [acao()])] });
add('redirect-xhr-cross-origin-acao-exact', 'XHR: 302 to other.test, target ACAO = page origin', { request: { api: 'xhr' }, routes: [hop(API, OTHER), fin(OTHER, [acao()])] });
add('redirect-manual-mode', 'fetch redirect:"manual" → opaqueredirect', { request: { init: { redirect: 'manual' } }, routes: [hop(API, R2), fin(R2, [acao()])] });
add('redirect-error-mode', 'fetch redirect:"error"', { request: { init: { redirect: 'error' } }, routes: [hop(API, R2), fin(R2, [acao()])] });

// ---------------------------------------------------------------- modes, APIs, misc
file('80-modes.json');
add('nocors-get', 'mode no-cors GET → opaque', { request: { mode: 'no-cors' }, routes: [actual([])] });
add('nocors-get-with-acao', 'mode no-cors GET with ACAO → still opaque', { request: { mode: 'no-cors' }, routes: [actual([acao()])] });
add('nocors-put', 'mode no-cors with PUT → TypeError', { request: { mode: 'no-cors', method: 'PUT' }, routes: [actual([])] });
add('nocors-custom-header', 'mode no-cors with X-Foo (dropped)', { request: { mode: 'no-cors', headers: [['X-Foo', '1']] }, routes: [actual([])] });
add('nocors-post-json', 'mode no-cors POST Content-Type application/json (dropped)', { request: { mode: 'no-cors', method: 'POST', body: '{}', headers: [['Content-Type', 'application/json']] }, routes: [actual([])] });
add('nocors-redirect-manual', 'mode no-cors with redirect manual', { request: { mode: 'no-cors', init: { redirect: 'manual' } }, routes: [actual([])] });
add('nocors-json-response', 'mode no-cors, JSON response (ORB?)', { request: { mode: 'no-cors' }, routes: [{ method: '*', url: API, status: 200, headers: [['Content-Type', 'application/json']], body: '{"a":1}' }] });
add('same-origin-mode-cross', 'mode same-origin to a cross-origin URL', { request: { mode: 'same-origin' }, routes: [actual([acao()])] });
add('same-origin-mode-same', 'mode same-origin to the page origin', { request: { mode: 'same-origin', url: 'http://app.test:{P1}/data' }, routes: [actual([], { url: 'http://app.test:{P1}/data' })] });
add('same-origin-post', 'same-origin POST (Origin header sent?)', { request: { method: 'POST', body: 'x', url: 'http://app.test:{P1}/data' }, routes: [actual([], { url: 'http://app.test:{P1}/data' })] });
add('same-origin-put-custom', 'same-origin PUT + X-Foo: no preflight', { request: { ...PUT, url: 'http://app.test:{P1}/data' }, routes: [actual([], { url: 'http://app.test:{P1}/data' })] });
add('forbidden-method-trace', 'method TRACE → TypeError', { request: { method: 'TRACE' }, routes: [actual([acao()])] });
add('url-with-credentials', 'fetch URL with user:pass@', { request: { url: 'http://user:pass@api.test:{P2}/r' }, routes: [actual([acao()])] });
add('file-scheme', 'fetch file:///etc/hostname', { request: { url: 'file:///etc/hostname' }, routes: [] });
add('connection-refused', 'nothing listening on the target port', { request: { url: 'http://api.test:{P3}/r' }, routes: [], closedPorts: ['P3'] });
add('connection-refused-xhr', 'XHR: nothing listening on the target port', { request: { api: 'xhr', url: 'http://api.test:{P3}/r' }, routes: [], closedPorts: ['P3'] });
add('preflight-connection-refused', 'PUT + X-Foo to a port where nothing listens', { request: { ...PUT, url: 'http://api.test:{P3}/r' }, routes: [], closedPorts: ['P3'] });
add('referrer-policy-no-referrer-post', 'cross-origin POST with referrerPolicy no-referrer', { request: { method: 'POST', body: 'x', init: { referrerPolicy: 'no-referrer' } }, routes: [actual([acao()])] });
// XHR vs fetch pairs for the main failure kinds
const pairs = [
  ['missing-acao', {}, [actual([])]],
  ['acao-mismatch', {}, [actual([acao('http://other.test')])]],
  ['acao-invalid', {}, [actual([acao('example.com')])]],
  ['acao-multiple', {}, [actual([acao(O), acao('http://other.test')])]],
  ['preflight-missing-acao', PUT, [pre([], 204)]],
  ['preflight-status', PUT, [pre(okHdrs, 500)]],
  ['preflight-redirect', PUT, [pre([...okHdrs, ['Location', R2]], 302)]],
  ['method-not-allowed', PUT, [pre([acao(), acam('GET'), acah('x-foo')])]],
  ['header-not-allowed', PUT, [pre([acao(), acam('PUT')])]],
  ['acam-invalid', PUT, [pre([acao(), acam('Bad method'), acah('x-foo')])]],
  ['acah-invalid', PUT, [pre([acao(), acam('PUT'), acah('x foo')])]],
];
for (const [k, r, routes] of pairs) {
  for (const api of ['fetch', 'xhr']) add(`api-${api}-${k}`, `${api}: ${k}`, { request: { ...r, api }, routes: [...routes, actual([acao()])] });
}

// ---------------------------------------------------------------- mixed content
file('85-mixed-content.json');
add('mixed-https-to-http-name', 'https page fetches http://api.test (mixed content)', { page: OS, request: { url: API }, routes: [actual([acao(OS)])] });
add('mixed-https-to-http-name-xhr', 'https page XHR to http://api.test (mixed content)', { page: OS, request: { api: 'xhr', url: API }, routes: [actual([acao(OS)])] });
add('mixed-https-to-http-name-nocors', 'https page no-cors fetch to http://api.test', { page: OS, request: { url: API, mode: 'no-cors' }, routes: [actual([])] });
add('mixed-https-to-http-127', 'https page fetches http://127.0.0.1 (potentially trustworthy)', { page: OS, request: { url: 'http://127.0.0.1:{P2}/r' }, routes: [actual([acao(OS)], { url: 'http://127.0.0.1:{P2}/r' })] });
add('mixed-https-to-http-localhost', 'https page fetches http://localhost', { page: OS, request: { url: 'http://localhost:{P2}/r' }, routes: [actual([acao(OS)], { url: 'http://localhost:{P2}/r' })] });
add('mixed-https-to-http-localhost-no-acao', 'https page fetches http://localhost without ACAO', { page: OS, request: { url: 'http://localhost:{P2}/r' }, routes: [actual([], { url: 'http://localhost:{P2}/r' })] });
add('mixed-https-to-http-sub-localhost', 'https page fetches http://api.localhost', { page: OS, request: { url: 'http://api.localhost:{P2}/r' }, routes: [actual([acao(OS)], { url: 'http://api.localhost:{P2}/r' })] });
add('mixed-http-to-https', 'http page fetches https API', { page: O, request: { url: APIS }, routes: [actual([acao(O)], { url: APIS })] });
add('mixed-https-redirect-to-http', 'https API redirects to http://api.test', { page: OS, request: { url: APIS }, routes: [hop(APIS, API, [acao(OS)]), fin(API, [acao(OS)])] });

// ---------------------------------------------------------------- local network access (Chromium only, needs --ip-address-space-overrides)
file('90-lna.json');
const lna = (id, d, o) => add(id, d, { browsers: ['chromium'], chromiumAddressSpaces: { P1: 'public' }, ...o });
lna('lna-public-http-page-to-loopback', 'public http page fetches loopback API (insecure context)', { request: {}, routes: [actual([acao()])] });
lna('lna-public-https-page-to-loopback', 'public https page fetches loopback API (permission needed)', { page: OS, request: { url: APIS }, routes: [actual([acao(OS)], { url: APIS })] });
lna('lna-public-https-page-to-loopback-preflight', 'public https page, PUT + X-Foo to loopback API', { page: OS, request: { ...PUT, url: APIS }, routes: [pre([acao(OS), acam('PUT'), acah('x-foo')], 204, APIS), actual([acao(OS)], { url: APIS })] });
lna('lna-target-space-mismatch', 'public https page, targetAddressSpace local, resource is loopback', { page: OS, request: { url: APIS, init: { targetAddressSpace: 'local' } }, routes: [actual([acao(OS)], { url: APIS })] });
lna('lna-target-space-loopback', 'public https page, targetAddressSpace loopback', { page: OS, request: { url: APIS, init: { targetAddressSpace: 'loopback' } }, routes: [actual([acao(OS)], { url: APIS })] });
lna('lna-public-to-public', 'public page fetches another public endpoint (no LNA)', { chromiumAddressSpaces: { P1: 'public', P2: 'public' }, request: {}, routes: [actual([acao()])] });
lna('lna-local-page-to-loopback', 'local (private) http page fetches loopback API', { chromiumAddressSpaces: { P1: 'local' }, request: {}, routes: [actual([acao()])] });
lna('lna-public-http-page-xhr', 'public http page XHR to loopback API', { request: { api: 'xhr' }, routes: [actual([acao()])] });
lna('lna-public-http-page-nocors', 'public http page no-cors fetch to loopback API', { request: { mode: 'no-cors' }, routes: [actual([])] });

// ---------------------------------------------------------------- header names in "not allowed" messages
// How each browser names a header the preflight did not allow: WebKit keeps
// the canonical case of the names it knows and lowercases the rest (fetch).
file('95-header-names.json');
const headerNameCases = [
  ['cache-control', 'Cache-Control', 'no-cache'], ['cache-control-lower', 'cache-control', 'no-cache'],
  ['if-match', 'If-Match', 'x'], ['pragma', 'Pragma', 'no-cache'], ['authorization-lower', 'authorization', 'Bearer x'],
  ['content-language-invalid', 'Content-Language', '$$'], ['content-encoding', 'Content-Encoding', 'gzip'],
  ['upgrade-insecure-requests', 'Upgrade-Insecure-Requests', '1'], ['link', 'Link', 'x'], ['last-event-id', 'Last-Event-ID', '1'],
  ['x-requested-with', 'X-Requested-With', 'XMLHttpRequest'], ['x-csrf-token', 'X-CSRF-Token', '1'],
  ['purpose', 'Purpose', 'prefetch'], ['priority', 'Priority', 'u=1'], ['dnt', 'DNT', '1'],
];
for (const [id, name, value] of headerNameCases) {
  add(`header-name-${id}`, `${name}: ${value} sent, ACAH absent: how is the header named?`, {
    request: { ...PUT, headers: [[name, value]] },
    routes: [pre([acao(), acam('PUT')]), actual([acao()])],
  });
}

// ---------------------------------------------------------------- which header is named when several are not allowed
// Chromium names the first disallowed header in the order its request header map
// yields them; Firefox and WebKit have their own orders. Several shapes and orders.
file('96-header-order.json');
const GETH = (headers) => ({ method: 'GET', headers });
const orderCases = [
  ['two-ab', [['X-A', '1'], ['X-B', '1']], null],
  ['two-ba', [['X-B', '1'], ['X-A', '1']], null],
  ['three-zam', [['X-Zeta', '1'], ['X-Alpha', '1'], ['X-Mid', '1']], null],
  ['three-maz', [['X-Mid', '1'], ['X-Alpha', '1'], ['X-Zeta', '1']], null],
  ['three-alpha-allowed', [['X-Zeta', '1'], ['X-Alpha', '1'], ['X-Mid', '1']], 'x-alpha'],
  ['five-reverse', [['X-E', '1'], ['X-D', '1'], ['X-C', '1'], ['X-B', '1'], ['X-A', '1']], null],
  ['four-words', [['X-Foo', '1'], ['X-Bar', '1'], ['X-Baz', '1'], ['X-Qux', '1']], null],
  ['mixed-case', [['x-b', '1'], ['X-A', '1']], null],
  ['authorization-xfoo', [['Authorization', 'Bearer x'], ['X-Foo', '1']], null],
  ['xfoo-authorization', [['X-Foo', '1'], ['Authorization', 'Bearer x']], null],
  ['json-xfoo', [['Content-Type', 'application/json'], ['X-Foo', '1']], null],
  ['json-xfoo-xfoo-allowed', [['Content-Type', 'application/json'], ['X-Foo', '1']], 'x-foo'],
  ['cache-control-pragma', [['Pragma', 'no-cache'], ['Cache-Control', 'no-cache']], null],
  ['ax-pragma', [['A-X', '1'], ['Pragma', 'no-cache']], null],
];
for (const [k, headers, allowed] of orderCases) {
  const json = headers.some(([n]) => n === 'Content-Type');
  add(`header-order-${k}`, `${headers.map(([n]) => n).join(' + ')}, preflight allows ${allowed || 'no header'}: which is named?`, {
    request: json ? { method: 'POST', body: '{}', headers } : GETH(headers),
    routes: [pre([acao(), acam('GET, POST'), ...(allowed ? [acah(allowed)] : [])]), actual([acao()])],
  });
}
for (const [k, headers] of [['three-zam', [['X-Zeta', '1'], ['X-Alpha', '1'], ['X-Mid', '1']]], ['xfoo-authorization', [['X-Foo', '1'], ['Authorization', 'Bearer x']]], ['pragma-cache-control', [['Pragma', 'no-cache'], ['Cache-Control', 'no-cache']]], ['ax-pragma', [['A-X', '1'], ['Pragma', 'no-cache']]]]) {
  add(`header-order-xhr-${k}`, `XHR: ${headers.map(([n]) => n).join(' + ')}, preflight allows no header: which is named?`, {
    request: { api: 'xhr', ...GETH(headers) },
    routes: [pre([acao(), acam('GET, POST')]), actual([acao()])],
  });
}
add('header-order-credentials-star', 'credentials include, X-B + X-A, ACAH * (literal with credentials): which is named?', {
  request: { credentials: 'include', headers: [['X-B', '1'], ['X-A', '1']] },
  routes: [pre([acao(), acac(), acah('*')]), actual([acao(), acac()])],
});

// ---------------------------------------------------------------- the network fails (harness route faults)
// reset: RST instead of an answer; close: FIN with no byte; short-body: headers, then
// fewer bytes than Content-Length; cut-chunked: a chunked body that never ends.
file('97-network-failures.json');
const broken = (fault, headers, extra = {}) => ({ ...actual(headers), fault, ...extra });
add('net-simple-reset', 'simple GET, the server resets the connection', { routes: [broken('reset', [acao()])] });
add('net-simple-close', 'simple GET, the server closes without answering', { routes: [broken('close', [acao()])] });
add('net-simple-reset-xhr', 'XHR GET, the server resets the connection', { request: { api: 'xhr' }, routes: [broken('reset', [acao()])] });
add('net-simple-close-post', 'simple POST text/plain, the server closes without answering', { request: { method: 'POST', body: 'x' }, routes: [broken('close', [acao()])] });
add('net-simple-reset-credentials', 'credentialed GET, the server resets the connection', { request: { credentials: 'include' }, routes: [broken('reset', [acao(), acac()])] });
add('net-simple-reset-nocors', 'no-cors GET, the server resets the connection', { request: { mode: 'no-cors' }, routes: [broken('reset', [])] });
add('net-preflight-reset', 'PUT + X-Foo, the preflight is reset', { request: PUT, routes: [{ ...pre(okHdrs), fault: 'reset' }, actual([acao()])] });
add('net-preflight-close', 'PUT + X-Foo, the preflight gets no answer', { request: PUT, routes: [{ ...pre(okHdrs), fault: 'close' }, actual([acao()])] });
add('net-preflight-reset-xhr', 'XHR PUT + X-Foo, the preflight is reset', { request: { ...PUT, api: 'xhr' }, routes: [{ ...pre(okHdrs), fault: 'reset' }, actual([acao()])] });
add('net-actual-reset-after-preflight', 'PUT + X-Foo, preflight passes, the actual request is reset', { request: PUT, routes: [pre(okHdrs), broken('reset', [acao()])] });
add('net-actual-close-after-preflight', 'PUT + X-Foo, preflight passes, the actual request gets no answer', { request: PUT, routes: [pre(okHdrs), broken('close', [acao()])] });
add('net-actual-reset-after-preflight-xhr', 'XHR PUT + X-Foo, preflight passes, the actual request is reset', { request: { ...PUT, api: 'xhr' }, routes: [pre(okHdrs), broken('reset', [acao()])] });
add('net-actual-close-after-preflight-credentials', 'credentialed PUT + X-Foo, preflight passes, the actual request gets no answer', { request: { ...PUT, credentials: 'include' }, routes: [pre([...okHdrs, acac()]), broken('close', [acao(), acac()])] });
add('net-redirect-target-reset', 'GET redirected 302 to a URL that resets', { routes: [hop(API, R2, [acao()]), { ...fin(R2, [acao()]), fault: 'reset' }] });
add('net-redirect-target-close', 'GET redirected 307 to a URL that closes without answering', { routes: [hop(API, R2, [acao()], 307), { ...fin(R2, [acao()]), fault: 'close' }] });
add('net-simple-cut-headers', 'simple GET, the connection closes in the middle of the response headers', { routes: [broken('cut-headers', [acao()])] });
add('net-actual-cut-headers-after-preflight', 'PUT + X-Foo, preflight passes, the actual response headers are cut off', { request: PUT, routes: [pre(okHdrs), broken('cut-headers', [acao()])] });
add('body-short-acao', 'GET allowed by ACAO, the body ends before its Content-Length', { routes: [broken('short-body', [acao()])] });
add('body-short-no-acao', 'GET without ACAO, the body ends before its Content-Length', { routes: [broken('short-body', [])] });
add('body-short-xhr', 'XHR GET allowed by ACAO, the body ends before its Content-Length', { request: { api: 'xhr' }, routes: [broken('short-body', [acao()])] });
add('body-short-500', '500 with ACAO, the body ends before its Content-Length', { routes: [broken('short-body', [acao()], { status: 500 })] });
add('body-short-nocors', 'no-cors GET, the body ends before its Content-Length', { request: { mode: 'no-cors' }, routes: [broken('short-body', [])] });
add('body-short-head', 'HEAD allowed by ACAO with a Content-Length (HEAD has no body)', { request: { method: 'HEAD' }, routes: [broken('short-body', [acao()])] });
add('body-short-after-preflight', 'PUT + X-Foo, preflight passes, the body ends before its Content-Length', { request: PUT, routes: [pre(okHdrs), broken('short-body', [acao()])] });
add('body-short-expose', 'GET allowed with X-Custom exposed, the body ends early', { routes: [broken('short-body', [acao(), aceh('X-Custom')])] });
add('body-cut-chunked-acao', 'GET allowed by ACAO, a chunked body that never ends', { routes: [broken('cut-chunked', [acao()])] });
add('body-cut-chunked-no-acao', 'GET without ACAO, a chunked body that never ends', { routes: [broken('cut-chunked', [])] });

let total = 0;
for (const [name, list] of Object.entries(files)) {
  fs.writeFileSync(path.join(HERE, name), JSON.stringify(list, null, 1) + '\n');
  total += list.length;
  console.log(`${name}: ${list.length}`);
}
console.log(`total: ${total}`);
