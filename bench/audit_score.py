#!/usr/bin/env python3
"""Score CORS scanners' findings against the planted truth of the audit bench.

usage: audit_score.py [--json [FILE]] TRUTH.json TOOL.ndjson [TOOL2.ndjson ...]

TRUTH.json: [{"url": ..., "class": <class id> | "safe" | "unreachable"}, ...]
TOOL.ndjson, one line per URL, either shape (lines for the same URL are merged):
  {"url": ..., "classes": ["<class id>", ...]}                 (bench/peers normalisers)
  {"schema": "cors-doctor/audit/v1", "url": ..., "findings": [{"id": "<class id>", ...}], ...}
A tool is named after its file (corscanner.ndjson -> corscanner).

True set of an endpoint (what a tool may truthfully report there):
  reflected-arbitrary-origin      itself + every origin-shape class (ORIGIN_SHAPES)
  reflected-origin-without-vary   itself + reflected-arbitrary-origin + ORIGIN_SHAPES
  reflected-allow-lists,
  preflight-arbitrary-origin      both of these (the origin is reflected on OPTIONS only)
  safe, unreachable               nothing
  any other class                 itself only

Recall of class C = endpoints planted C on which the tool reported C / endpoints planted C.
Precision = reported (url, class) pairs in the url's true set / all reported pairs;
per-class precision likewise for the pairs of one reported class. Reports on URLs
absent from TRUTH count as false. Ids outside CLASSES (other findings a tool
may print) are ignored and tallied. URLs are matched exactly, else after
normalising scheme/host case, default ports and an empty path.
"""
import argparse
import json
import os
import sys
from urllib.parse import urlsplit, urlunsplit

CLASSES = [
    "reflected-arbitrary-origin",
    "null-origin-allowed",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "special-characters",
    "any-subdomain",
    "http-origin-trusted",
    "third-party-hosting",
    "substring-match",
    "wildcard-origin",
    "reflected-origin-without-vary",
    "reflected-allow-lists",
    "preflight-arbitrary-origin",
]
NO_RECALL = ["safe", "unreachable"]
ORIGIN_SHAPES = [
    "null-origin-allowed",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "special-characters",
    "any-subdomain",
    "http-origin-trusted",
    "third-party-hosting",
    "substring-match",
]
IMPLIED = {
    "reflected-arbitrary-origin": {"reflected-arbitrary-origin", *ORIGIN_SHAPES},
    "reflected-origin-without-vary": {"reflected-origin-without-vary", "reflected-arbitrary-origin", *ORIGIN_SHAPES},
    "reflected-allow-lists": {"reflected-allow-lists", "preflight-arbitrary-origin"},
    "preflight-arbitrary-origin": {"reflected-allow-lists", "preflight-arbitrary-origin"},
    # A suffix check on the site accepts its subdomains; a prefix check
    # the special characters after the host (the same rules as
    # crates/cli/tests/audit.rs).
    "suffix-match": {"suffix-match", "any-subdomain"},
    "prefix-match": {"prefix-match", "special-characters"},
    "safe": set(),
    "unreachable": set(),
}


def true_set(planted):
    return IMPLIED.get(planted, {planted})


def norm_url(u):
    try:
        p = urlsplit(u.strip())
        host = (p.hostname or "").lower()
        port = p.port
    except ValueError:
        return u.strip()
    scheme = p.scheme.lower()
    if port is not None and not ((scheme, port) in (("http", 80), ("https", 443))):
        host = f"{host}:{port}"
    if ":" in (p.hostname or "") and not host.startswith("["):
        host = f"[{host}]"
    return urlunsplit((scheme, host, p.path or "/", p.query, ""))


def load_truth(path):
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    truth = {}
    for r in rows:
        c = r["class"]
        if c not in CLASSES and c not in NO_RECALL:
            sys.exit(f"{path}: unknown class {c!r} for {r['url']}")
        if r["url"] in truth and truth[r["url"]] != c:
            sys.exit(f"{path}: {r['url']} planted twice ({truth[r['url']]}, {c})")
        truth[r["url"]] = c
    return truth


def load_reports(path):
    """-> ({url: set(class)}, {ignored id: count}, lines)"""
    reports, ignored, lines = {}, {}, 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: {e}")
            if not isinstance(doc, dict) or "url" not in doc:
                continue
            lines += 1
            ids = list(doc.get("classes") or [])
            for fnd in doc.get("findings") or []:
                ids.append(fnd.get("id") if isinstance(fnd, dict) else fnd)
            got = reports.setdefault(doc["url"], set())
            for i in ids:
                if i in CLASSES:
                    got.add(i)
                else:
                    ignored[i] = ignored.get(i, 0) + 1
    return reports, ignored, lines


def score(truth, reports):
    by_norm = {}
    for u in truth:
        by_norm.setdefault(norm_url(u), u)

    def resolve(u):
        if u in truth:
            return u
        return by_norm.get(norm_url(u))

    # per truth URL: reported classes
    seen = {u: set() for u in truth}
    stray = {}  # reported URLs not in truth
    for u, cls in reports.items():
        t = resolve(u)
        if t is None:
            if cls:
                stray[u] = sorted(cls)
        else:
            seen[t] |= cls

    rows = {}
    for c in CLASSES + NO_RECALL:
        planted = [u for u, p in truth.items() if p == c]
        row = {"planted": len(planted)}
        if c in CLASSES:
            det = sum(1 for u in planted if c in seen[u])
            row["detected"] = det
            row["recall"] = det / len(planted) if planted else None
            rep = [u for u, cls in seen.items() if c in cls] + [u for u, cls in stray.items() if c in cls]
            false = [u for u in rep if u in stray or c not in true_set(truth[u])]
            row["reported"] = len(rep)
            row["false_reports"] = len(false)
            row["precision"] = (len(rep) - len(false)) / len(rep) if rep else None
            row["false_urls"] = sorted(false)
        else:
            flagged = sorted(u for u in planted if seen[u])
            row["flagged"] = len(flagged)
            row["flagged_urls"] = flagged
        rows[c] = row

    pairs = sum(len(cls) for cls in seen.values()) + sum(len(cls) for cls in stray.values())
    good = sum(len(cls & true_set(truth[u])) for u, cls in seen.items())
    planted_vuln = sum(rows[c]["planted"] for c in CLASSES)
    detected = sum(rows[c]["detected"] for c in CLASSES)
    recalls = [rows[c]["recall"] for c in CLASSES if rows[c]["planted"]]
    overall = {
        "planted": planted_vuln,
        "detected": detected,
        "recall_micro": detected / planted_vuln if planted_vuln else None,
        "recall_macro": sum(recalls) / len(recalls) if recalls else None,
        "reported_pairs": pairs,
        "true_pairs": good,
        "false_pairs": pairs - good,
        "precision": good / pairs if pairs else None,
        "safe_flagged": rows["safe"]["flagged"],
        "safe_planted": rows["safe"]["planted"],
        "unreachable_flagged": rows["unreachable"]["flagged"],
        "stray_urls": len(stray),
    }
    return {"classes": rows, "overall": overall, "stray": stray}


def pct(x):
    return "—" if x is None else f"{100 * x:.1f}%"


def print_markdown(name, res, ignored, out):
    rows, o = res["classes"], res["overall"]
    out.write(f"### {name}\n\n")
    out.write("| class | planted n | detected | recall | reported | false reports | precision |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|\n")
    for c in CLASSES:
        r = rows[c]
        if not r["planted"] and not r["reported"]:
            continue
        out.write(
            f"| {c} | {r['planted']} | {r['detected']} | {pct(r['recall'])} | "
            f"{r['reported']} | {r['false_reports']} | {pct(r['precision'])} |\n"
        )
    for c in NO_RECALL:
        r = rows[c]
        if r["planted"]:
            out.write(f"| {c} (endpoints with any report) | {r['planted']} | — | — | {r['flagged']} | {r['flagged']} | — |\n")
    out.write("\n")
    if res["stray"]:
        out.write(f"Reports on {len(res['stray'])} URL(s) not in the truth file (counted false).\n\n")
    if ignored:
        out.write("Ignored ids (not bench classes): " + ", ".join(f"{k} ×{v}" for k, v in sorted(ignored.items(), key=str)) + "\n\n")
    out.write(
        f"**{name}**: recall {o['detected']}/{o['planted']} = {pct(o['recall_micro'])} "
        f"(macro {pct(o['recall_macro'])}); precision {o['true_pairs']}/{o['reported_pairs']} = {pct(o['precision'])}; "
        f"safe endpoints flagged {o['safe_flagged']}/{o['safe_planted']}\n\n"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="also print machine-readable figures (to FILE, or after the tables on stdout)")
    ap.add_argument("truth")
    ap.add_argument("tools", nargs="+")
    a = ap.parse_args()
    truth = load_truth(a.truth)
    doc = {"truth": a.truth, "endpoints": len(truth), "tools": {}}
    for path in a.tools:
        name = os.path.basename(path)
        for ext in (".ndjson", ".jsonl", ".json"):
            if name.endswith(ext):
                name = name[: -len(ext)]
                break
        reports, ignored, lines = load_reports(path)
        res = score(truth, reports)
        print_markdown(name, res, ignored, sys.stdout)
        if name in doc["tools"]:
            name = path
        doc["tools"][name] = {"file": path, "lines": lines, "ignored_ids": ignored, **res}
    if a.json == "-":
        sys.stdout.write(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    elif a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
