//! The targets that cannot run here (S3, Netlify, Vercel): their files
//! parse, carry every declared value, say they are not verified here, and
//! refuse what the platform cannot express instead of writing it wrongly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_config::Target;
use cors_policy::Policy;

fn policy(keys: &str) -> Policy {
    let text = format!(
        "[[api]]\nbase_url = \"https://api.example.com\"\n[[api.rule]]\nname = \"items\"\npath = \"/api/*\"\nprobe = [\"/api/items\"]\n{keys}\n"
    );
    Policy::parse(&text, "cors-policy.toml").unwrap().0
}

#[test]
fn s3_writes_the_bucket_rules_and_refuses_methods_it_lacks() {
    let p = policy("allow_origins = [\"https://app.example.com\", \"https://*.preview.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nrequest_headers = [\"Content-Type\"]\nexpose_headers = [\"X-Request-Id\"]\nmax_age = 600");
    let text = Target::S3.generate(&p).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rule = &doc["CORSRules"][0];
    assert_eq!(rule["AllowedOrigins"][1], "https://*.preview.example.com");
    assert_eq!(rule["AllowedMethods"], serde_json::json!(["GET", "PUT"]));
    assert_eq!(rule["ExposeHeaders"][0], "X-Request-Id");
    assert_eq!(rule["MaxAgeSeconds"], 600);
    assert!(doc["_comment"]
        .as_str()
        .unwrap()
        .contains("Not verified here"));
    let patch = policy("allow_origins = [\"https://app.example.com\"]\nmethods = [\"PATCH\"]");
    assert!(Target::S3.generate(&patch).unwrap_err().contains("PATCH"));
    assert!(!Target::S3.verified_here());
}

#[test]
fn static_headers_take_one_origin_and_say_how_to_serve_several() {
    let one = policy("allow_origins = [\"https://app.example.com\"]\ncredentials = true\nmethods = [\"GET\", \"PUT\"]");
    let netlify = Target::Netlify.generate(&one).unwrap();
    assert!(
        netlify.contains("/api/*\n  Access-Control-Allow-Origin: https://app.example.com"),
        "{netlify}"
    );
    assert!(netlify.contains("Access-Control-Allow-Credentials: true"));
    assert!(netlify.contains("Vary: Origin"));
    let vercel: serde_json::Value =
        serde_json::from_str(&Target::Vercel.generate(&one).unwrap()).unwrap();
    assert_eq!(vercel["headers"][0]["source"], "/api/(.*)");
    assert_eq!(
        vercel["headers"][0]["headers"][0]["value"],
        "https://app.example.com"
    );
    let several = policy("allow_origins = [\"https://a.example.com\", \"https://b.example.com\"]");
    for t in [Target::Netlify, Target::Vercel] {
        let err = t.generate(&several).unwrap_err();
        assert!(err.contains("edge function"), "{err}");
        assert!(!t.verified_here());
    }
    let public = policy("allow_origins = [\"*\"]");
    let netlify = Target::Netlify.generate(&public).unwrap();
    assert!(
        netlify.contains("Access-Control-Allow-Origin: *") && !netlify.contains("Vary"),
        "{netlify}"
    );
}
