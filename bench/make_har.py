#!/usr/bin/env python3
"""Writes a large HAR 1.2 file for bench/har_vs_jq.sh: SIZE_MB megabytes of
entries shaped like a Chromium export (a page, cross-origin fetches with
their preflights, same-origin images), most of the bytes in base64 response
bodies (content.text), as real exports are. Written as a stream, so any size
fits in little memory. This is a load for measuring speed and memory, not a
stand-in for a browser's recording (the tests use recorded ones).
Usage: make_har.py OUT SIZE_MB"""
import base64
import json
import os
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
target = size_mb * 1024 * 1024
body = base64.b64encode(os.urandom(48 * 1024)).decode()  # 64 KiB of base64
page = "https://app.example.com/"
origin = "https://app.example.com"


def entry(i, method, url, req_headers, status, resp_headers, text):
    return {
        "pageref": "page_1",
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "time": 12.5,
        "_resourceType": "preflight" if method == "OPTIONS" else "fetch",
        "request": {
            "method": method, "url": url, "httpVersion": "HTTP/1.1",
            "headers": [{"name": n, "value": v} for n, v in req_headers],
            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0,
        },
        "response": {
            "status": status, "statusText": "OK", "httpVersion": "HTTP/1.1",
            "headers": [{"name": n, "value": v} for n, v in resp_headers],
            "cookies": [], "content": {"size": len(text), "mimeType": "application/json", "text": text, "encoding": "base64"},
            "redirectURL": "", "headersSize": -1, "bodySize": len(text),
        },
        "cache": {}, "timings": {"send": 0.1, "wait": 10.0, "receive": 2.4},
    }


with open(out, "w") as f:
    f.write('{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, '
            '"pages": [{"startedDateTime": "2026-12-01T10:00:00.000Z", "id": "page_1", "title": "%s", "pageTimings": {}}], '
            '"entries": [\n' % page)
    written, i = 0, 0
    while written < target:
        api = f"https://api.example.com/v1/items/{i}"
        items = [
            entry(i, "OPTIONS", api, [("Origin", origin), ("Access-Control-Request-Method", "PUT"),
                                      ("Access-Control-Request-Headers", "content-type")],
                  204, [("access-control-allow-origin", origin), ("access-control-allow-methods", "PUT"),
                        ("access-control-allow-headers", "content-type"), ("vary", "Origin")], ""),
            entry(i, "PUT", api, [("Origin", origin), ("Content-Type", "application/json"), ("Accept", "*/*"),
                                  ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36")],
                  200, [("access-control-allow-origin", origin if i % 10 else "https://other.example.com"), ("vary", "Origin")], body),
            entry(i, "GET", f"{page}img/{i}.png", [("Accept", "image/*")], 200, [("content-type", "image/png")], body),
        ]
        for item in items:
            text = ("" if written == 0 else ",\n") + json.dumps(item)
            f.write(text)
            written += len(text)
        i += 1
    f.write("\n]}}\n")
print(f"{out}: {os.path.getsize(out) / 1048576:.0f} MiB, {3 * i} entries")
