#!/usr/bin/env python3
"""Launch the peer CORS scanners and normalise their output for bench/audit_score.py.

Mapping of each tool's finding types to cors-doctor audit class ids
====================================================================

CORScanner (PyPI `cors` 1.0.1) -- JSON `type` field; the Origin it sends for
a URL https://www.s17.test/p (registered domain s17.test):

  type                      Origin sent                           -> class id
  ------------------------  ------------------------------------  ---------------------------
  reflect_origin            https://evil.com                      reflected-arbitrary-origin
  prefix_match              https://www.s17.test.evil.com         prefix-match
  suffix_match              https://evils17.test                  suffix-match
  trust_null                null                                  null-origin-allowed
  include_match             https://17.test (domain minus 1 char) substring-match
  not_escape_dot            https://www.s17atest (last dot -> a)  unescaped-dot
  custom_third_parties      6 origins of origins.json (*)         third-party-hosting
  special_characters_bypass https://www.s17.test<c>.evil.com, 23 c special-characters
  trust_any_subdomain       https://evil.www.s17.test             any-subdomain
  https_trust_http          http://www.s17.test (https URLs only) http-origin-trusted
  (*) https://whatever.github.io http://jsbin.com https://codepen.io
      https://jsfiddle.net http://www.webdevout.net https://repl.it
  CORScanner stops at the FIRST accepted probe of that order, so it reports
  exactly one type per URL. It compares the allowed origin without its port,
  ignores `*` (no wildcard-origin), sends GET only (no preflight class) and
  never looks at Vary.

corsair_scan (PyPI `corsair_scan` 0.2.0) -- report test names; we give it
Origin: <scheme>://<host[:port]> of the URL itself, which enables the last three:

  test         Origin sent                              -> class id (if ACAO == Origin sent)
  -----------  ---------------------------------------  ---------------------------
  fake_origin  https://scarymonster.com                 reflected-arbitrary-origin
  post-domain  https://www.s17.test.scarymonster.com    prefix-match
  sub-domain   https://scarymonster.www.s17.test        any-subdomain
  pre-domain   https://www.scarymonsters17.test         suffix-match
  corsair flags a test "misconfigured" when ACAO is the origin sent, `*` or
  `null`; whatever the test, ACAO `*` maps to wildcard-origin and ACAO `null`
  to null-origin-allowed (corsair never sends Origin: null itself). GET only,
  no redirects followed, Vary ignored.

Neither tool can report: reflected-origin-without-vary, reflected-allow-lists,
preflight-arbitrary-origin; CORScanner also not wildcard-origin; corsair also
not unescaped-dot, special-characters, http-origin-trusted,
third-party-hosting, substring-match.

Public suffix list: both tools call tldextract, which would download the PSL
at first use (no network here) and does not know the `.test` TLD, so their
suffix/include/pre-domain origins would be degenerate ("https://evil",
"https://"). The exec-* commands below run the tools' own CLI entry points
with tldextract's module-level extractor replaced by one that never fetches
(bundled snapshot) and treats $PEER_EXTRA_SUFFIXES (comma list, default
"test") as public suffixes, so www.s17.test -> registered domain s17.test
(the same "last two labels" site cors-doctor uses). PEER_EXTRA_SUFFIXES=""
turns that off.

Sub-commands (run with the peers venv's python for exec-*, any python3 for the rest):
  exec-corscanner ARGS...          the `cors` CLI with ARGS
  exec-corsair ARGS...             the `corsair` CLI with ARGS
  prep-corsair URLS_FILE RAW_DIR   one corsair input JSON per URL + index.tsv
  corscanner URLS_FILE RAW_JSON OUT_NDJSON
  corsair URLS_FILE RAW_DIR OUT_NDJSON
"""
import json
import os
import sys
from urllib.parse import urlsplit

CORSCANNER_MAP = {
    "reflect_origin": "reflected-arbitrary-origin",
    "prefix_match": "prefix-match",
    "suffix_match": "suffix-match",
    "trust_null": "null-origin-allowed",
    "include_match": "substring-match",
    "not_escape_dot": "unescaped-dot",
    "custom_third_parties": "third-party-hosting",
    "special_characters_bypass": "special-characters",
    "trust_any_subdomain": "any-subdomain",
    "https_trust_http": "http-origin-trusted",
}

CORSAIR_MAP = {
    "fake_origin": "reflected-arbitrary-origin",
    "post-domain": "prefix-match",
    "sub-domain": "any-subdomain",
    "pre-domain": "suffix-match",
}


def read_urls(path):
    """Input URLs in order: one per line, blank lines and # comments skipped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            u = line.strip()
            if u and not u.startswith("#"):
                out.append(u)
    return out


def offline_tldextract():
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    import tldextract.tldextract as T

    extra = [s.strip() for s in os.environ.get("PEER_EXTRA_SUFFIXES", "test").split(",") if s.strip()]
    T.TLD_EXTRACTOR = T.TLDExtract(cache_dir=None, suffix_list_urls=(), extra_suffixes=extra)


def exec_corscanner(args):
    # CORScanner monkey-patches with gevent; do it before requests/ssl are imported.
    from gevent import monkey

    monkey.patch_all()
    offline_tldextract()
    from CORScanner.cors_scan import main

    sys.argv = ["cors"] + args
    sys.exit(main())


def exec_corsair(args):
    offline_tldextract()
    from corsair_scan.corsair_cli import run_cli_scan

    run_cli_scan.main(args=args, prog_name="corsair")


def write_ndjson(path, urls, classes_by_url):
    with open(path, "w", encoding="utf-8") as f:
        for u in urls:
            cls = classes_by_url.get(u)
            if cls:
                f.write(json.dumps({"url": u, "classes": sorted(cls)}) + "\n")


def back_to_input(reported, inputs):
    """CORScanner scans a scheme-less line as http:// and https://; map back."""
    if reported in inputs:
        return reported
    for p in ("http://", "https://"):
        if reported.startswith(p) and reported[len(p):] in inputs:
            return reported[len(p):]
    return reported


def norm_corscanner(urls_file, raw_json, out):
    urls = read_urls(urls_file)
    inputs = set(urls)
    found = {}
    unknown = {}
    try:
        with open(raw_json, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raw = []
    for msg in raw:
        if not msg:
            continue
        u = back_to_input(msg.get("url", ""), inputs)
        cls = CORSCANNER_MAP.get(msg.get("type"))
        if cls is None:
            unknown[msg.get("type")] = unknown.get(msg.get("type"), 0) + 1
            continue
        found.setdefault(u, set()).add(cls)
        if u not in inputs:
            urls.append(u)
            inputs.add(u)
    write_ndjson(out, urls, found)
    if unknown:
        print(f"corscanner: unmapped types {unknown}", file=sys.stderr)
    print(f"corscanner: {len(found)} of {len(read_urls(urls_file))} URLs reported -> {out}", file=sys.stderr)


def origin_of(url):
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc.rsplit('@', 1)[-1]}"


def prep_corsair(urls_file, raw_dir):
    os.makedirs(raw_dir, exist_ok=True)
    with open(os.path.join(raw_dir, "index.tsv"), "w", encoding="utf-8") as idx:
        for i, u in enumerate(read_urls(urls_file)):
            req = {"url": u, "verb": "GET", "headers": {"Origin": origin_of(u)}}
            with open(os.path.join(raw_dir, f"{i:06d}.in.json"), "w", encoding="utf-8") as f:
                json.dump(req, f)
            idx.write(f"{i:06d}\t{u}\n")


def norm_corsair(urls_file, raw_dir, out):
    urls = read_urls(urls_file)
    found, merged, failed, skipped = {}, [], [], []
    for i, u in enumerate(urls):
        rep_path = os.path.join(raw_dir, f"{i:06d}.report.json")
        if not os.path.exists(rep_path):
            # corsair crashed (e.g. connection refused: it catches nothing) or
            # rejected the input (validators.url); see NNNNNN.log
            failed.append(u)
            continue
        with open(rep_path, encoding="utf-8") as f:
            doc = json.load(f)
        reports = doc.get("report") or []
        if not reports:
            skipped.append(u)
        for r in reports:
            merged.append(r)
            for test, cls in CORSAIR_MAP.items():
                t = r.get(test)
                if not t or not t.get("misconfigured"):
                    continue
                acao = t.get("Access-Control-Allow-Origin")
                if acao == "*":
                    cls = "wildcard-origin"
                elif acao == "null":
                    cls = "null-origin-allowed"
                found.setdefault(u, set()).add(cls)
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "corsair.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)
    write_ndjson(out, urls, found)
    print(
        f"corsair: {len(found)} of {len(urls)} URLs reported, {len(failed)} crashed/no report, "
        f"{len(skipped)} rejected as input -> {out}",
        file=sys.stderr,
    )


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "exec-corscanner":
        exec_corscanner(args)
    elif cmd == "exec-corsair":
        exec_corsair(args)
    elif cmd == "prep-corsair" and len(args) == 2:
        prep_corsair(*args)
    elif cmd == "corscanner" and len(args) == 3:
        norm_corscanner(*args)
    elif cmd == "corsair" and len(args) == 3:
        norm_corsair(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
