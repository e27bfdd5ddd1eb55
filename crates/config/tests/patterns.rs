//! The patterns `config` writes refuse every attack shape `scan` knows:
//! each subdomain pattern, compiled as the servers compile it (a regex
//! engine with PCRE/JavaScript syntax), matches real subdomains and none of
//! the near misses and attacker origins derived from the parent. The
//! patterns the paper targets emit (Spring's origin pattern, ASP.NET's
//! Regex, Laravel's preg_match pattern, the Worker's RegExp) are taken from
//! their output and held to the same shapes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_config::origin_regex::regex;
use cors_config::Target;
use cors_engine::Origin;
use cors_policy::{OriginPattern, Policy};
use cors_probe::scan_matrix::origins;
use regex::Regex;

const CASES: [(&str, &str, &str); 3] = [
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
];

/// `re` agrees with the policy's own matcher on every scan shape, matches
/// `inside`, and refuses the attack origins.
fn holds(re: &Regex, form: &str, pattern: &str, parent: &str, inside: &str) {
    let p = OriginPattern::parse(pattern).unwrap();
    assert!(re.is_match(inside), "{form}: {pattern} must match {inside}");
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
            "{form}: {pattern} vs {text} ({})",
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
            assert!(
                !re.is_match(attack),
                "{form}: {pattern} must refuse {attack}"
            );
        }
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

/// Spring's OriginPattern.initPattern without a port list: the pattern
/// quoted, each `*` as `.*`, matched whole (Matcher.matches).
fn spring_regex(glob: &str) -> String {
    let parts: Vec<String> = glob.split('*').map(regex::escape).collect();
    format!("^{}$", parts.join(".*"))
}

/// A JavaScript or PHP single-quoted literal's value.
fn unquote(literal: &str) -> String {
    let mut out = String::new();
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('\\' | '\'')) => out.extend(chars.next()),
            (c, _) => out.push(c),
        }
    }
    out
}

#[test]
fn subdomain_patterns_refuse_every_attack_shape() {
    for (pattern, parent, inside) in CASES {
        let p = OriginPattern::parse(pattern).unwrap();
        let re = Regex::new(&regex(&p).unwrap()).unwrap();
        holds(&re, "shared regex", pattern, parent, inside);
    }
}

#[test]
fn the_paper_targets_patterns_refuse_every_attack_shape() {
    for (pattern, parent, inside) in CASES {
        let text = format!(
            "[[api]]\nbase_url = \"https://api.example.com\"\n[[api.rule]]\nname = \"items\"\npath = \"/api/*\"\nprobe = [\"/api/items\"]\nallow_origins = [\"{pattern}\"]\n"
        );
        let policy = Policy::parse(&text, "cors-policy.toml").unwrap().0;
        let out = |t: Target| t.generate(&policy).unwrap();

        let spring = out(Target::Spring);
        let glob = between(&spring, ".allowedOriginPatterns(\"", "\")");
        assert_eq!(glob, pattern);
        holds(
            &Regex::new(&spring_regex(glob)).unwrap(),
            "spring",
            pattern,
            parent,
            inside,
        );

        let aspnet = out(Target::AspNet);
        let re = between(&aspnet, "new Regex(@\"", "\");").replace("\"\"", "\"");
        assert!(re.starts_with('^') && re.ends_with("\\z"), "{re}");
        holds(&Regex::new(&re).unwrap(), "aspnet", pattern, parent, inside);

        let laravel = out(Target::Laravel);
        let literal = between(&laravel, "'allowed_origins_patterns' => ['", "'],");
        let preg = unquote(literal);
        let body = preg.strip_prefix('#').unwrap().strip_suffix("#D").unwrap();
        assert!(body.starts_with('^') && body.ends_with('$'), "{body}");
        holds(
            &Regex::new(body).unwrap(),
            "laravel",
            pattern,
            parent,
            inside,
        );

        let worker = out(Target::Cloudflare);
        let re = unquote(between(&worker, "new RegExp('", "')"));
        assert!(re.starts_with('^') && re.ends_with('$'), "{re}");
        holds(
            &Regex::new(&re).unwrap(),
            "cloudflare",
            pattern,
            parent,
            inside,
        );
    }
}
