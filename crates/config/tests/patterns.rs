//! The patterns `config` writes refuse every attack shape `scan` knows:
//! each subdomain pattern, compiled as the servers compile it (a regex
//! engine with PCRE/JavaScript syntax), matches real subdomains and none of
//! the near misses and attacker origins derived from the parent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_config::origin_regex::regex;
use cors_engine::Origin;
use cors_policy::OriginPattern;
use cors_probe::scan_matrix::origins;

#[test]
fn subdomain_patterns_refuse_every_attack_shape() {
    for (pattern, parent, inside) in [
        (
            "https://*.example.com",
            "https://example.com",
            "https://a.example.com",
        ),
        (
            "https://*.preview.example.com",
            "https://pr-1.preview.example.com",
            "https://x.y.preview.example.com",
        ),
        (
            "http://*.example.com:3000",
            "http://app.example.com:3000",
            "http://app.example.com:3000",
        ),
    ] {
        let p = OriginPattern::parse(pattern).unwrap();
        let re = regex::Regex::new(&regex(&p).unwrap()).unwrap();
        assert!(re.is_match(inside), "{pattern} must match {inside}");
        let shapes = origins(&[
            Origin::parse(parent).unwrap(),
            Origin::parse(inside).unwrap(),
        ]);
        assert!(shapes.len() > 10);
        for shape in shapes {
            let text = shape.origin.serialize();
            // The engine's own matcher decides what the pattern allows; the
            // generated regex must agree on every shape.
            assert_eq!(
                re.is_match(&text),
                p.matches(&shape.origin),
                "{pattern} vs {text} ({})",
                shape.label
            );
        }
        for attack in [
            "https://example.com.evil.test",
            "https://evilexample.com",
            "https://a.exampleXcom",
            "https://a.example.com.",
            "https://a.example.com:8443",
            "https://a.example.com/x",
            "https://a_b.example.com.evil",
            "null",
        ] {
            if !pattern.ends_with(":3000") {
                assert!(!re.is_match(attack), "{pattern} must refuse {attack}");
            }
        }
    }
}
