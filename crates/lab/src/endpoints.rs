//! The lab's endpoint table: one static [`LabEndpoint`] per CORS cause or
//! variant, with the request the demo sends to show it.
//!
//! This file is data only. The behaviour behind each path lives in
//! `handlers/`; the index page, the CLI demo and the tests read this table.

use crate::LAB_ORIGIN;

/// Static description of one endpoint, used by the index page, the demo and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabEndpoint {
    /// Route path, e.g. `"/trailing-slash"`.
    pub path: &'static str,
    /// Short title, e.g. `"Allow-Origin has a trailing slash"`.
    pub title: &'static str,
    /// One sentence: what is wrong (or that it is correctly configured).
    pub problem: &'static str,
    /// Method the demo check uses, as the script writes it (`"GET"`, `"PUT"`, `"patch"`).
    pub method: &'static str,
    /// Request headers the demo check sends, as (name, value).
    pub headers: &'static [(&'static str, &'static str)],
    /// Fetch credentials mode: `"omit"`, `"same-origin"` or `"include"`.
    pub credentials: &'static str,
    /// Page origin for the demo check (usually [`LAB_ORIGIN`]).
    pub origin: &'static str,
    /// True when every browser should allow the demo request.
    pub healthy: bool,
}

/// Every diagnosable endpoint of the lab, in the order the index lists them.
pub fn endpoints() -> &'static [LabEndpoint] {
    ENDPOINTS
}

const JSON: (&str, &str) = ("Content-Type", "application/json");
const BEARER: (&str, &str) = ("Authorization", "Bearer demo-token");

/// Shorthand for the common case: a plain GET from [`LAB_ORIGIN`] without credentials.
const fn get(path: &'static str, title: &'static str, problem: &'static str) -> LabEndpoint {
    LabEndpoint {
        path,
        title,
        problem,
        method: "GET",
        headers: &[],
        credentials: "omit",
        origin: LAB_ORIGIN,
        healthy: false,
    }
}

/// Shorthand for a preflighted request: `method` with a JSON body, no credentials.
const fn json(
    path: &'static str,
    method: &'static str,
    title: &'static str,
    problem: &'static str,
) -> LabEndpoint {
    LabEndpoint {
        headers: &[JSON],
        method,
        ..get(path, title, problem)
    }
}

const fn healthy(endpoint: LabEndpoint) -> LabEndpoint {
    LabEndpoint {
        healthy: true,
        ..endpoint
    }
}

const fn include(endpoint: LabEndpoint) -> LabEndpoint {
    LabEndpoint {
        credentials: "include",
        ..endpoint
    }
}

static ENDPOINTS: &[LabEndpoint] = &[
    healthy(get(
        "/ok/simple",
        "Simple request, correctly configured",
        "Correctly configured: Allow-Origin names the page origin and Vary: Origin is set.",
    )),
    healthy(LabEndpoint {
        headers: &[JSON, BEARER],
        credentials: "include",
        ..json(
            "/ok/preflight",
            "PUT",
            "Credentialed preflighted API, correctly configured",
            "Correctly configured: the preflight allows the method, headers and credentials.",
        )
    }),
    healthy(json(
        "/ok/wildcard",
        "POST",
        "Public API with wildcards, correctly configured",
        "Correctly configured: a public API answering * to uncredentialed requests.",
    )),
    get(
        "/no-cors",
        "No CORS headers at all",
        "The server sends no Access-Control-Allow-Origin on any response.",
    ),
    get(
        "/wrong-origin",
        "Allow-Origin names another origin",
        "Access-Control-Allow-Origin is https://admin.example.com, not the page origin.",
    ),
    get(
        "/trailing-slash",
        "Allow-Origin has a trailing slash",
        "Access-Control-Allow-Origin is https://app.example.com/ and an origin never ends in a slash.",
    ),
    get(
        "/http-origin-only",
        "Allow-Origin uses http instead of https",
        "Access-Control-Allow-Origin is http://app.example.com, a different origin from the https page.",
    ),
    get(
        "/www-origin",
        "Allow-Origin has an extra www.",
        "Access-Control-Allow-Origin is https://www.app.example.com, a different host from the page's.",
    ),
    get(
        "/multiple-values",
        "Allow-Origin lists several origins",
        "One Access-Control-Allow-Origin line carries a comma-separated list; only one origin is allowed.",
    ),
    get(
        "/duplicate-lines",
        "Allow-Origin sent twice",
        "Two Access-Control-Allow-Origin lines are sent (e.g. app and proxy both add it); browsers join them and fail.",
    ),
    include(get(
        "/wildcard-credentials",
        "Wildcard Allow-Origin with credentials",
        "Access-Control-Allow-Origin is * but the request includes credentials, which * never allows.",
    )),
    include(get(
        "/credentials-missing",
        "Allow-Credentials missing",
        "The origin is allowed but Access-Control-Allow-Credentials: true is missing for a credentialed request.",
    )),
    json(
        "/preflight-404",
        "PUT",
        "Preflight not routed (404)",
        "OPTIONS is not routed: the preflight gets 404 without CORS headers.",
    ),
    json(
        "/preflight-405",
        "PUT",
        "Preflight method not allowed (405)",
        "The framework answers OPTIONS with 405 Method Not Allowed and no CORS headers.",
    ),
    LabEndpoint {
        headers: &[BEARER],
        credentials: "include",
        ..get(
            "/preflight-401",
            "Preflight rejected by authentication (401)",
            "An auth middleware runs before CORS and answers the credential-less preflight with 401.",
        )
    },
    json(
        "/preflight-500-with-cors",
        "PUT",
        "Preflight fails with 500 (CORS headers present)",
        "The preflight carries correct CORS headers but a 500 status, which is not an ok status.",
    ),
    json(
        "/preflight-redirect-https",
        "PUT",
        "Preflight redirected to the canonical https URL",
        "A redirect to the canonical https URL (from http, or to the canonical host) answers the preflight with 301; a preflight may not be redirected.",
    ),
    get(
        "/preflight-login-redirect",
        "Preflight redirected to a login page",
        "The preflight is redirected (302) to /login; a preflight may not be redirected.",
    )
    .with_method("DELETE"),
    json(
        "/method-missing",
        "PUT",
        "Method missing from Allow-Methods",
        "Access-Control-Allow-Methods is GET, POST and does not list PUT.",
    ),
    LabEndpoint {
        headers: &[JSON, ("X-Request-Id", "42")],
        ..json(
            "/header-missing",
            "POST",
            "Header missing from Allow-Headers",
            "Access-Control-Allow-Headers is Content-Type and does not list X-Request-Id.",
        )
    },
    LabEndpoint {
        headers: &[BEARER],
        // Works today in every browser, with deprecation warnings (Chromium 156, Firefox 153).
        healthy: true,
        ..get(
            "/wildcard-authorization",
            "Wildcard Allow-Headers relied on for Authorization",
            "Access-Control-Allow-Headers: * does not cover Authorization by the standard; browsers still allow it with deprecation warnings.",
        )
    },
    json(
        "/lowercase-patch",
        "patch",
        "Lowercase patch not listed",
        "fetch() sends method patch in lowercase, but Access-Control-Allow-Methods lists only PATCH.",
    ),
    healthy(include(get(
        "/reflect-no-vary",
        "Origin reflected without Vary",
        "Any Origin is reflected with credentials and without Vary: Origin: exploitable, and caches can serve it to other origins.",
    ))),
    healthy(include(get(
        "/reflect-with-vary",
        "Origin reflected for *.example.com with Vary",
        "Correctly configured: only https origins under .example.com are reflected, with Vary: Origin.",
    ))),
    healthy(get(
        "/no-expose",
        "Response header not exposed",
        "The request passes, but X-Total-Count is unreadable by script: Access-Control-Expose-Headers is missing.",
    )),
    healthy(json(
        "/max-age-day",
        "PUT",
        "Preflight cached for a day",
        "The request passes, but Access-Control-Max-Age: 86400 is capped (2 h Chromium, 10 min Safari) and keeps stale answers.",
    )),
    json(
        "/invalid-allow-methods",
        "PUT",
        "Allow-Methods not comma-separated",
        "Access-Control-Allow-Methods is GET POST PUT (spaces, no commas), which browsers cannot parse.",
    ),
    get(
        "/redirect-cross-origin",
        "Redirect to another origin",
        "The response redirects to another origin; after that hop the browser sends Origin: null, which the target does not allow.",
    ),
    get(
        "/cached-acao",
        "Shared cache served another origin's answer",
        "A cache HIT without Vary: Origin returns Access-Control-Allow-Origin computed for https://admin.example.com.",
    ),
];

impl LabEndpoint {
    const fn with_method(self, method: &'static str) -> Self {
        LabEndpoint { method, ..self }
    }
}
