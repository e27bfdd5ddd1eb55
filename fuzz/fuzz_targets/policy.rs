//! Fuzzes the policy parser (`cors-policy.toml`): any text gives a policy or
//! diagnostics, never a panic; every diagnostic's position lies inside the
//! text; and every allowed-origin pattern that parses matches its own example.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let lines = text.split('\n').count();
    let diagnostics = match cors_policy::Policy::parse(text, "fuzz.toml") {
        Ok((policy, warnings)) => {
            for api in &policy.apis {
                for rule in &api.rules {
                    for pattern in &rule.allow_origins {
                        if let Some(example) = pattern.example() {
                            assert!(pattern.matches(&example), "{pattern} vs {example:?}");
                        }
                    }
                }
            }
            warnings
        }
        Err(rejected) => rejected.diagnostics,
    };
    for d in diagnostics {
        assert!(d.at.line >= 1 && d.at.line <= lines, "{d}");
        assert!(d.at.column >= 1, "{d}");
    }
    let _ = cors_policy::OriginPattern::parse(text);
});
