//! The targets configured by files that cannot run here (S3, Netlify,
//! Vercel, API Gateway, CloudFront): their files parse, carry every
//! declared value, say they are not verified here, and refuse what the
//! platform cannot express instead of writing it wrongly. The code targets
//! that cannot run here are in paper_frameworks.rs.

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

fn two_rules(first: &str, second: &str) -> Policy {
    let text = format!(
        "[[api]]\nbase_url = \"https://api.example.com\"\n[[api.rule]]\nname = \"items\"\npath = \"/api/*\"\nprobe = [\"/api/items\"]\n{first}\n[[api.rule]]\nname = \"feed\"\npath = \"/feed\"\n{second}\n"
    );
    Policy::parse(&text, "cors-policy.toml").unwrap().0
}

const FULL: &str = "allow_origins = [\"https://app.example.com\", \"https://admin.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nrequest_headers = [\"Content-Type\", \"X-Api-Key\"]\nexpose_headers = [\"X-Request-Id\"]\ncredentials = true\nmax_age = 600";

#[test]
fn api_gateway_writes_one_cors_configuration_for_the_whole_api() {
    let text = Target::ApiGateway.generate(&policy(FULL)).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["AllowOrigins"],
        serde_json::json!(["https://app.example.com", "https://admin.example.com"])
    );
    assert_eq!(doc["AllowMethods"], serde_json::json!(["GET", "PUT"]));
    assert_eq!(
        doc["AllowHeaders"],
        serde_json::json!(["Content-Type", "X-Api-Key"])
    );
    assert_eq!(doc["ExposeHeaders"], serde_json::json!(["X-Request-Id"]));
    assert_eq!(doc["MaxAge"], 600);
    assert_eq!(doc["AllowCredentials"], true);
    let comment = doc["_comment"].as_str().unwrap();
    assert!(comment.starts_with("Not verified here"), "{comment}");
    assert!(comment.contains("OPTIONS /{proxy+}"), "{comment}");
    assert!(text.lines().nth(1).unwrap().contains("Not verified here"));
    assert!(!Target::ApiGateway.verified_here());

    // Every rule shares the one configuration: same settings merge, others refuse.
    let same = two_rules(FULL, FULL);
    assert!(Target::ApiGateway.generate(&same).is_ok());
    let differ = two_rules(FULL, "allow_origins = [\"*\"]");
    let err = Target::ApiGateway.generate(&differ).unwrap_err();
    assert!(
        err.contains("allowed origins") && err.contains("separate HTTP APIs"),
        "{err}"
    );

    // No subdomain pattern on API Gateway: refused with the way out, never `https://*`.
    let sub = policy("allow_origins = [\"https://*.preview.example.com\"]");
    let err = Target::ApiGateway.generate(&sub).unwrap_err();
    assert!(
        err.contains("no subdomain pattern") && err.contains("integration"),
        "{err}"
    );

    // A public API: `*` without credentials.
    let public: serde_json::Value = serde_json::from_str(
        &Target::ApiGateway
            .generate(&policy("allow_origins = [\"*\"]"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(public["AllowOrigins"], serde_json::json!(["*"]));
    assert_eq!(public["AllowCredentials"], false);
}

#[test]
fn cloudfront_writes_a_response_headers_policy_per_cache_behavior() {
    let text = Target::CloudFront
        .generate(&two_rules(
            FULL,
            "allow_origins = [\"https://*.preview.example.com\"]\nmethods = [\"GET\", \"PATCH\"]",
        ))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(doc["_comment"]
        .as_str()
        .unwrap()
        .starts_with("Not verified here"));
    assert!(!Target::CloudFront.verified_here());
    let first = &doc["Policies"][0];
    assert_eq!(first["CacheBehaviorPathPattern"], "/api/*");
    let config = &first["ResponseHeadersPolicyConfig"];
    assert_eq!(config["Name"], "cors-doctor-items");
    let cors = &config["CorsConfig"];
    for (key, items) in [
        (
            "AccessControlAllowOrigins",
            serde_json::json!(["https://app.example.com", "https://admin.example.com"]),
        ),
        (
            "AccessControlAllowMethods",
            serde_json::json!(["GET", "PUT"]),
        ),
        (
            "AccessControlAllowHeaders",
            serde_json::json!(["Content-Type", "X-Api-Key"]),
        ),
        (
            "AccessControlExposeHeaders",
            serde_json::json!(["X-Request-Id"]),
        ),
    ] {
        assert_eq!(cors[key]["Items"], items, "{key}");
        assert_eq!(
            cors[key]["Quantity"].as_u64().unwrap() as usize,
            items.as_array().unwrap().len(),
            "{key}"
        );
    }
    assert_eq!(cors["AccessControlAllowCredentials"], true);
    assert_eq!(cors["AccessControlMaxAgeSec"], 600);
    assert_eq!(cors["OriginOverride"], true);
    let second = &doc["Policies"][1];
    assert_eq!(second["CacheBehaviorPathPattern"], "/feed");
    let cors = &second["ResponseHeadersPolicyConfig"]["CorsConfig"];
    assert_eq!(
        cors["AccessControlAllowOrigins"]["Items"],
        serde_json::json!(["https://*.preview.example.com"])
    );
    assert_eq!(cors["AccessControlAllowCredentials"], false);
    assert_eq!(cors["AccessControlAllowHeaders"]["Quantity"], 0);
    assert!(cors.get("AccessControlMaxAgeSec").is_none());

    // CloudFront takes seven methods; any other is refused with the way out.
    let odd = policy("allow_origins = [\"https://app.example.com\"]\nmethods = [\"PROPFIND\"]");
    let err = Target::CloudFront.generate(&odd).unwrap_err();
    assert!(err.contains("PROPFIND") && err.contains("origin"), "{err}");
}
