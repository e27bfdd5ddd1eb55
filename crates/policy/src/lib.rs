//! A declared CORS policy (`cors-policy.toml`), as `verify` proves it and
//! `config` will write it: APIs with a base URL, and per path pattern the
//! origins allowed (exact, or every subdomain of one parent written
//! `https://*.example.com`; never a regular expression), the methods, the
//! request headers, credentials, exposed headers, max-age, and origins that
//! must be refused.
//!
//! Parsing keeps every value's position so that each mistake — an unknown
//! key, `*` with credentials, a pattern that an attacker's domain also
//! matches, a max-age no browser honours — is reported as
//! `file:line:column`, and so that reports can point at the rule a finding
//! is about.

mod check;
mod origin_pattern;
mod raw;
mod request_match;
mod spec;

use std::fmt;

pub use origin_pattern::OriginPattern;
pub use spec::RuleSpec;
use url::Url;

/// A position in the policy file (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`.
    pub fn of(text: &str, offset: usize) -> Position {
        let before = text.get(..offset.min(text.len())).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
        Position { line, column }
    }
}

/// How serious a [`Diagnostic`] is: an error makes the policy unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// One thing wrong (or doubtful) in the policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    pub file: String,
    pub at: Position,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            self.file, self.at.line, self.at.column, self.message
        )
    }
}

/// A parsed, checked policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The file name used in diagnostics and reports.
    pub file: String,
    pub apis: Vec<Api>,
}

/// One API: a base URL (overridable per environment) and its rules.
#[derive(Clone, Debug)]
pub struct Api {
    pub name: String,
    pub base_url: Url,
    pub at: Position,
    pub rules: Vec<Rule>,
}

/// What one path pattern must do.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule's name (its `name`, else its path).
    pub name: String,
    /// The path pattern (`/v1/users/{id}`, `/v1/*`), as written.
    pub path: String,
    /// Concrete paths requested to verify the rule.
    pub probe_paths: Vec<String>,
    pub allow_origins: Vec<OriginPattern>,
    /// Methods the pages use (upper-cased unless written otherwise).
    pub methods: Vec<String>,
    /// Request headers the pages set (beyond the safelisted ones).
    pub request_headers: Vec<String>,
    pub credentials: bool,
    pub expose_headers: Vec<String>,
    /// The max-age the preflight should declare, if the policy says.
    pub max_age: Option<u64>,
    /// Origins that must be refused (beyond the attack origins `verify` adds).
    pub refuse_origins: Vec<cors_engine::Origin>,
    /// Where the rule starts (its `path` key), and where each key is.
    pub at: Position,
    pub key_positions: Vec<(String, Position)>,
}

impl Rule {
    /// Where `key` is written in the file (the rule's start if it is not).
    pub fn position_of(&self, key: &str) -> Position {
        self.key_positions
            .iter()
            .find(|(k, _)| k == key)
            .map_or(self.at, |(_, p)| *p)
    }
}

/// A policy that could not be used, with every error (and warning) found.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl Policy {
    /// Parses and checks `text` (read from `file`). On success the warnings
    /// come with the policy; on failure every diagnostic, errors first.
    pub fn parse(text: &str, file: &str) -> Result<(Policy, Vec<Diagnostic>), Rejected> {
        check::parse(text, file)
    }

    /// Replaces the base URL of the API named `name` (or of every API when
    /// `name` is `None`), as `--base-url` does per environment.
    pub fn override_base_url(&mut self, name: Option<&str>, url: &Url) -> Result<(), String> {
        let mut hit = false;
        for api in &mut self.apis {
            if name.is_none_or(|n| n == api.name) {
                api.base_url = url.clone();
                hit = true;
            }
        }
        if hit {
            Ok(())
        } else {
            let names: Vec<&str> = self.apis.iter().map(|a| a.name.as_str()).collect();
            Err(format!(
                "no API named `{}` in {} (its APIs: {})",
                name.unwrap_or_default(),
                self.file,
                names.join(", ")
            ))
        }
    }
}

impl Api {
    /// The URL of `path` under this API's base URL.
    pub fn url_of(&self, path: &str) -> Result<Url, url::ParseError> {
        let base = self.base_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}"))
    }
}
