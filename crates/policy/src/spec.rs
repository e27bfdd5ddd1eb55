//! A one-rule policy from values given on the command line (`config`'s
//! flags, or the request `config --from-check` ran). It is written as a
//! policy file and parsed, so that every check a file gets — no `*` with
//! credentials, no pattern an attacker's domain also matches, a max-age
//! browsers honour — holds for flags too, and the generated configuration
//! can show the policy it came from.

use crate::{Diagnostic, Policy, Rejected};

/// The values of one rule, as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSpec {
    /// Where the API lives (`https://api.example.com`); the rule's path is under it.
    pub base_url: String,
    /// The path pattern (`/api/*`, `/v1/items`).
    pub path: String,
    /// Concrete paths for `verify` (the path itself when it is one).
    pub probe: Vec<String>,
    pub allow_origins: Vec<String>,
    pub methods: Vec<String>,
    pub request_headers: Vec<String>,
    pub credentials: bool,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
}

impl RuleSpec {
    /// The policy file these values make (the `verify` format).
    pub fn to_toml(&self) -> String {
        let strings = |items: &[String]| {
            toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
        };
        let mut rule = toml::Table::new();
        rule.insert("name".into(), toml::Value::String(rule_name(&self.path)));
        rule.insert("path".into(), toml::Value::String(self.path.clone()));
        if !self.probe.is_empty() {
            rule.insert("probe".into(), strings(&self.probe));
        }
        rule.insert("allow_origins".into(), strings(&self.allow_origins));
        if !self.methods.is_empty() {
            rule.insert("methods".into(), strings(&self.methods));
        }
        if !self.request_headers.is_empty() {
            rule.insert("request_headers".into(), strings(&self.request_headers));
        }
        if self.credentials {
            rule.insert("credentials".into(), toml::Value::Boolean(true));
        }
        if !self.expose_headers.is_empty() {
            rule.insert("expose_headers".into(), strings(&self.expose_headers));
        }
        if let Some(max_age) = self.max_age {
            let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
            rule.insert("max_age".into(), toml::Value::Integer(max_age));
        }
        let mut api = toml::Table::new();
        api.insert("name".into(), toml::Value::String("api".into()));
        api.insert(
            "base_url".into(),
            toml::Value::String(self.base_url.clone()),
        );
        api.insert(
            "rule".into(),
            toml::Value::Array(vec![toml::Value::Table(rule)]),
        );
        let mut doc = toml::Table::new();
        doc.insert(
            "api".into(),
            toml::Value::Array(vec![toml::Value::Table(api)]),
        );
        // A table of strings, booleans and integers always serialises.
        toml::to_string(&doc).unwrap_or_default()
    }

    /// The checked policy; `file` names the values' source in diagnostics.
    pub fn policy(&self, file: &str) -> Result<(Policy, Vec<Diagnostic>), Rejected> {
        Policy::parse(&self.to_toml(), file)
    }
}

/// A rule name from its path: `/v1/orders/*` → `orders`, `/` → `root`.
fn rule_name(path: &str) -> String {
    path.split('/')
        .rev()
        .find(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or("root")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RuleSpec {
        RuleSpec {
            base_url: "https://api.example.com".into(),
            path: "/v1/items".into(),
            allow_origins: vec!["https://app.example.com".into()],
            methods: vec!["PUT".into()],
            request_headers: vec!["X-Api-Key".into()],
            credentials: true,
            expose_headers: vec!["X-Request-Id".into()],
            max_age: Some(600),
            ..RuleSpec::default()
        }
    }

    #[test]
    fn flags_become_the_rule_a_file_would_declare() {
        let (policy, warnings) = spec().policy("flags").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let rule = &policy.apis[0].rules[0];
        assert_eq!(rule.name, "items");
        assert_eq!(rule.path, "/v1/items");
        assert_eq!(rule.probe_paths, vec!["/v1/items".to_string()]);
        assert_eq!(rule.methods, vec!["PUT".to_string()]);
        assert!(rule.credentials);
        assert_eq!(rule.max_age, Some(600));
        assert_eq!(policy.file, "flags");
    }

    #[test]
    fn flags_get_the_checks_a_file_gets() {
        let mut any = spec();
        any.allow_origins = vec!["*".into()];
        let rejected = any.policy("flags").unwrap_err();
        assert!(rejected.to_string().contains("credentials"), "{rejected}");
        let mut quoted = spec();
        quoted.allow_origins = vec!["https://a.example.com\"\n[x]".into()];
        assert!(quoted.policy("flags").is_err());
    }
}
