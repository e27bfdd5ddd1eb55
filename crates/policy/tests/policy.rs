//! The policy file: what parses, and every classic mistake reported at its
//! `file:line:column`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_policy::{Level, OriginPattern, Policy};

const GOOD: &str = r#"
version = 1

[[api]]
name = "shop"
base_url = "https://api.example.com"

[[api.rule]]
name = "orders"
path = "/v1/orders/{id}"
probe = ["/v1/orders/42"]
allow_origins = ["https://shop.example.com", "https://*.preview.example.com"]
methods = ["GET", "put"]
request_headers = ["Content-Type", "Authorization"]
credentials = true
expose_headers = ["X-Request-Id"]
max_age = 600
refuse_origins = ["https://evil.example"]

[[api.rule]]
path = "/v1/public"
allow_origins = ["*"]
"#;

#[test]
fn a_good_policy_parses_with_positions() {
    let (policy, warnings) = Policy::parse(GOOD, "cors-policy.toml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let api = &policy.apis[0];
    assert_eq!(api.name, "shop");
    assert_eq!(api.rules.len(), 2);
    let orders = &api.rules[0];
    assert_eq!(orders.name, "orders");
    assert_eq!(orders.probe_paths, ["/v1/orders/42"]);
    assert_eq!(orders.methods, ["GET", "PUT"]);
    assert!(orders.credentials);
    assert_eq!(orders.max_age, Some(600));
    assert!(matches!(
        orders.allow_origins[1],
        OriginPattern::Subdomains { .. }
    ));
    assert_eq!(orders.at.line, 10);
    assert_eq!(orders.position_of("max_age").line, 17);
    let public = &api.rules[1];
    assert_eq!(public.probe_paths, ["/v1/public"]);
    assert_eq!(public.methods, ["GET"]);
    assert_eq!(public.allow_origins, [OriginPattern::Any]);
    assert_eq!(
        api.url_of("/v1/public").unwrap().as_str(),
        "https://api.example.com/v1/public"
    );
}

/// One mistake per case: the first diagnostic's text and position.
#[test]
fn each_classic_mistake_is_an_error_or_warning_at_its_position() {
    let rule = |body: &str| {
        format!("[[api]]\nbase_url = \"https://api.example.com\"\n[[api.rule]]\npath = \"/r\"\n{body}\n")
    };
    let cases: &[(String, Level, &str, usize, usize)] = &[
        (rule("allow_origins = [\"*\"]\ncredentials = true"), Level::Error, "`*` with `credentials = true`", 5, 18),
        (rule("allow_origins = [\"https://*example.com\"]"), Level::Error, "whole leftmost label", 5, 18),
        (rule("allow_origins = [\"https://*.com\"]"), Level::Error, "every site under `.com`", 5, 18),
        (rule("allow_origins = [\"https://app.example.com\"]\nmax_age = 100000"), Level::Warning, "above every browser's cap", 6, 11),
        (rule("allow_origins = [\"https://app.example.com\"]\nmax_age = -1"), Level::Error, "negative", 6, 11),
        (rule("allow_origins = [\"https://app.example.com\"]\nallowed_methods = [\"GET\"]"), Level::Error, "unknown field `allowed_methods`", 6, 1),
        (rule("allow_origins = [\"https://app.example.com\"]\nmethods = [\"TRACE\"]"), Level::Error, "no browser lets a script send", 6, 12),
        (rule("allow_origins = [\"https://app.example.com\"]\nrequest_headers = [\"Cookie\"]"), Level::Warning, "no script may set", 6, 20),
        (rule("allow_origins = [\"https://app.example.com\"]\nrefuse_origins = [\"https://app.example.com\"]"), Level::Error, "both allowed", 6, 19),
        (rule("allow_origins = [\"null\"]"), Level::Warning, "sandboxed iframes", 5, 18),
        (rule("allow_origins = [\"https://app.example.com/\"]"), Level::Warning, "ends with `/`", 5, 18),
        (rule("allow_origins = [\"https://app.example.com/api\"]"), Level::Error, "not an origin", 5, 18),
        ("[[api]]\nbase_url = \"https://api.example.com\"\n[[api.rule]]\npath = \"/v1/*\"\nallow_origins = [\"https://a.example\"]\n".to_string(), Level::Error, "is a pattern", 4, 8),
        ("[[api]]\nbase_url = \"api.example.com\"\n".to_string(), Level::Error, "is not a URL", 2, 12),
        // A path is written into server configurations as it is.
        ("[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/a}\"\nallow_origins = [\"*\"]\n".to_string(), Level::Error, "has `}`", 4, 8),
        ("[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/a\\n}\\nserver {\"\nallow_origins = [\"*\"]\n".to_string(), Level::Error, "has `\\n`", 4, 8),
        ("[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/a;b\"\nallow_origins = [\"*\"]\n".to_string(), Level::Error, "has `;`", 4, 8),
        ("[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/v1/{id\"\nprobe = [\"/v1/1\"]\nallow_origins = [\"*\"]\n".to_string(), Level::Error, "placeholder", 4, 8),
        ("version = 2\n[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/\"\nallow_origins = [\"*\"]\n".to_string(), Level::Error, "version 2", 1, 11),
        ("[[api]]\nbase_url = \"https://a.example\"\n[[api.rule]]\npath = \"/\"\nallow_origins = [\"*\"]\ncredentials = \"yes\"\n".to_string(), Level::Error, "invalid type", 6, 15),
    ];
    for (text, level, says, line, column) in cases {
        let diagnostics = match Policy::parse(text, "p.toml") {
            Ok((_, warnings)) => warnings,
            Err(rejected) => rejected.diagnostics,
        };
        let d = diagnostics
            .first()
            .unwrap_or_else(|| panic!("nothing said about:\n{text}"));
        assert_eq!(d.level, *level, "{text}\n{d}");
        assert!(d.message.contains(says), "{text}\n{d}");
        assert_eq!((d.at.line, d.at.column), (*line, *column), "{text}\n{d}");
        assert!(
            d.to_string()
                .starts_with(&format!("p.toml:{line}:{column}: ")),
            "{d}"
        );
    }
}

#[test]
fn base_url_is_overridden_per_environment() {
    let (mut policy, _) = Policy::parse(GOOD, "cors-policy.toml").unwrap();
    let staging = url::Url::parse("http://127.0.0.1:8080").unwrap();
    policy.override_base_url(Some("shop"), &staging).unwrap();
    assert_eq!(
        policy.apis[0].url_of("/v1/public").unwrap().as_str(),
        "http://127.0.0.1:8080/v1/public"
    );
    let err = policy
        .override_base_url(Some("nope"), &staging)
        .unwrap_err();
    assert!(
        err.contains("no API named `nope`") && err.contains("shop"),
        "{err}"
    );
}
