//! From the raw TOML to a [`Policy`]: every value checked, every mistake a
//! [`Diagnostic`] at its position. Errors make the policy unusable;
//! warnings are kept beside it (a max-age no browser honours, a header no
//! script may set).

use cors_engine::{method, safelist, Browser, Origin};
use std::ops::Range;
use toml::Spanned;
use url::Url;

use crate::origin_pattern::OriginPattern;
use crate::raw::{RawPolicy, RawRule, Strings};
use crate::{Api, Diagnostic, Level, Policy, Position, Rejected, Rule};

struct Checker<'a> {
    text: &'a str,
    file: &'a str,
    found: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, span: Range<usize>) -> Position {
        Position::of(self.text, span.start)
    }

    fn say(&mut self, level: Level, span: Range<usize>, message: String) {
        let at = self.at(span);
        self.found.push(Diagnostic {
            level,
            file: self.file.to_string(),
            at,
            message,
        });
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        self.say(Level::Error, span, message);
    }

    fn warn(&mut self, span: Range<usize>, message: String) {
        self.say(Level::Warning, span, message);
    }
}

pub(crate) fn parse(text: &str, file: &str) -> Result<(Policy, Vec<Diagnostic>), Rejected> {
    let mut c = Checker {
        text,
        file,
        found: Vec::new(),
    };
    let raw: RawPolicy = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            c.error(span, e.message().to_string());
            return Err(Rejected {
                diagnostics: c.found,
            });
        }
    };
    if let Some(v) = &raw.version {
        if *v.get_ref() != 1 {
            c.error(
                v.span(),
                format!(
                    "version {} is not known: this cors-doctor reads version 1",
                    v.get_ref()
                ),
            );
        }
    }
    if raw.api.is_empty() {
        c.error(
            0..0,
            "the policy declares no API: add an `[[api]]` table with `base_url` and `[[api.rule]]` tables".to_string(),
        );
    }
    let mut apis = Vec::new();
    for (index, api) in raw.api.iter().enumerate() {
        let api_span = api.span();
        let api = api.get_ref();
        let name = api
            .name
            .as_ref()
            .map_or_else(|| format!("api {}", index + 1), |n| n.get_ref().clone());
        let base_url = match Url::parse(api.base_url.get_ref()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => u,
            Ok(_) => {
                c.error(
                    api.base_url.span(),
                    format!(
                        "base_url `{}` must be an http or https URL",
                        api.base_url.get_ref()
                    ),
                );
                continue;
            }
            Err(e) => {
                c.error(
                    api.base_url.span(),
                    format!("base_url `{}` is not a URL ({e})", api.base_url.get_ref()),
                );
                continue;
            }
        };
        if api.rule.is_empty() {
            c.error(
                api_span.clone(),
                format!("API `{name}` has no rule: add `[[api.rule]]` tables"),
            );
        }
        let mut rules: Vec<Rule> = Vec::new();
        for rule in &api.rule {
            if let Some(rule) = check_rule(&mut c, rule.get_ref()) {
                if let Some(earlier) = rules.iter().find(|r| r.path == rule.path) {
                    let line = earlier.at.line;
                    c.found.push(Diagnostic {
                        level: Level::Warning,
                        file: file.to_string(),
                        at: rule.at,
                        message: format!(
                            "path `{}` already has a rule (line {line}): verify checks both",
                            rule.path
                        ),
                    });
                }
                rules.push(rule);
            }
        }
        apis.push(Api {
            name,
            base_url,
            at: c.at(api_span),
            rules,
        });
    }
    // Errors first, then warnings, each in file order.
    c.found
        .sort_by_key(|d| (d.level == Level::Warning, d.at.line, d.at.column));
    if c.found.iter().any(|d| d.level == Level::Error) {
        return Err(Rejected {
            diagnostics: c.found,
        });
    }
    Ok((
        Policy {
            file: file.to_string(),
            apis,
        },
        c.found,
    ))
}

fn items(list: &Option<Strings>) -> Vec<&Spanned<String>> {
    list.as_ref()
        .map(|l| l.get_ref().iter().collect())
        .unwrap_or_default()
}

/// Why `path` cannot be a rule's path, if it cannot. Every server
/// configuration writes the path as it is (`location = /a`, `path /a*`), so
/// only URL path characters pass, with `*` and whole `{name}` placeholders:
/// a space, quote, `;`, `$`, `#` or stray brace would break the
/// configuration or add to it.
fn path_problem(path: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~/%*:@!+,=&".contains(c);
    let mut chars = path.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '{' {
            let name: String = chars
                .by_ref()
                .map(|(_, c)| c)
                .take_while(|c| *c != '}')
                .collect();
            let closed = path.get(at..).is_some_and(|rest| rest.contains('}'));
            if !closed
                || name.is_empty()
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Some(format!(
                    "path `{}` has a `{{` that does not open a `{{name}}` placeholder (letters, digits, `_`)",
                    path.escape_debug()
                ));
            }
        } else if !allowed(c) {
            return Some(format!(
                "path `{}` has `{}`: a path may hold URL path characters, `*` and `{{name}}` placeholders only (it is written into server configurations as it is)",
                path.escape_debug(),
                c.escape_debug()
            ));
        }
    }
    None
}

fn check_rule(c: &mut Checker<'_>, raw: &RawRule) -> Option<Rule> {
    let errors_before = c.found.iter().filter(|d| d.level == Level::Error).count();
    let mut key_positions = Vec::new();
    let mut keep = |key: &str, span: Range<usize>, c: &Checker<'_>| {
        key_positions.push((key.to_string(), c.at(span)));
    };
    let path = raw.path.get_ref().clone();
    keep("path", raw.path.span(), c);
    if !path.starts_with('/') {
        c.error(
            raw.path.span(),
            format!("path `{path}` must start with `/`"),
        );
    } else if let Some(problem) = path_problem(&path) {
        c.error(raw.path.span(), problem);
    }
    let pattern = path.contains('*') || path.contains('{');
    let mut probe_paths: Vec<String> = Vec::new();
    for p in items(&raw.probe) {
        if !p.get_ref().starts_with('/') || p.get_ref().contains('*') {
            c.error(
                p.span(),
                format!(
                    "probe path `{}` must be a concrete path starting with `/`",
                    p.get_ref()
                ),
            );
        }
        probe_paths.push(p.get_ref().clone());
    }
    if let Some(probe) = &raw.probe {
        keep("probe", probe.span(), c);
    }
    if probe_paths.is_empty() {
        if pattern {
            c.error(
                raw.path.span(),
                format!("path `{path}` is a pattern: add `probe = [\"/a/concrete/path\"]` so that verify can request it"),
            );
        } else {
            probe_paths.push(path.clone());
        }
    }
    let credentials = raw.credentials.as_ref().is_some_and(|b| *b.get_ref());
    if let Some(b) = &raw.credentials {
        keep("credentials", b.span(), c);
    }
    keep("allow_origins", raw.allow_origins.span(), c);
    let mut allow_origins = Vec::new();
    if raw.allow_origins.get_ref().is_empty() {
        c.error(
            raw.allow_origins.span(),
            "allow_origins is empty: name at least one origin (or move the path to a rule that refuses every origin with `refuse_origins`)".to_string(),
        );
    }
    for o in raw.allow_origins.get_ref() {
        match OriginPattern::parse(o.get_ref()) {
            Ok(OriginPattern::Any) if credentials => c.error(
                o.span(),
                "`*` with `credentials = true`: browsers refuse a wildcard Access-Control-Allow-Origin on credentialed requests; list the origins".to_string(),
            ),
            Ok(OriginPattern::Exact(Origin::Opaque)) => {
                c.warn(
                    o.span(),
                    "allowing `null` lets in sandboxed iframes and data: or file: pages of any site, an attacker's included".to_string(),
                );
                allow_origins.push(OriginPattern::Exact(Origin::Opaque));
            }
            Ok(p) => {
                if o.get_ref().ends_with('/') {
                    c.warn(
                        o.span(),
                        format!("`{}` ends with `/`: browsers send the origin without it (read as `{p}`)", o.get_ref()),
                    );
                }
                allow_origins.push(p);
            }
            Err(e) => c.error(o.span(), e),
        }
    }
    let mut methods = Vec::new();
    for m in items(&raw.methods) {
        let text = m.get_ref();
        if !method::is_token(text) {
            c.error(m.span(), format!("`{text}` is not a method name"));
        } else if method::is_forbidden(text) {
            c.error(
                m.span(),
                format!("`{text}` is a method no browser lets a script send"),
            );
        } else {
            methods.push(method::normalize(text));
        }
    }
    if let Some(l) = &raw.methods {
        keep("methods", l.span(), c);
    }
    if methods.is_empty() {
        methods.push("GET".to_string());
    }
    let mut request_headers = Vec::new();
    for h in items(&raw.request_headers) {
        let text = h.get_ref();
        if !cors_engine::headers::is_valid_name(text) {
            c.error(h.span(), format!("`{text}` is not a header name"));
        } else if safelist::is_forbidden_request_header(text, "") {
            c.warn(
                h.span(),
                format!("`{text}` is a header no script may set: browsers send their own, so it never needs allowing"),
            );
        } else {
            request_headers.push(text.clone());
        }
    }
    if let Some(l) = &raw.request_headers {
        keep("request_headers", l.span(), c);
    }
    let mut expose_headers = Vec::new();
    for h in items(&raw.expose_headers) {
        if h.get_ref().eq_ignore_ascii_case("set-cookie")
            || h.get_ref().eq_ignore_ascii_case("set-cookie2")
        {
            c.error(
                h.span(),
                format!("`{}` can never be exposed: browsers hide it from every script, whatever the server says", h.get_ref()),
            );
        } else if cors_engine::headers::is_valid_name(h.get_ref()) {
            expose_headers.push(h.get_ref().clone());
        } else {
            c.error(h.span(), format!("`{}` is not a header name", h.get_ref()));
        }
    }
    if let Some(l) = &raw.expose_headers {
        keep("expose_headers", l.span(), c);
    }
    let max_age = match &raw.max_age {
        None => None,
        Some(v) => {
            keep("max_age", v.span(), c);
            let seconds = *v.get_ref();
            let highest = Browser::ALL
                .iter()
                .map(|b| b.max_age_cap())
                .max()
                .unwrap_or(86_400);
            if seconds < 0 {
                c.error(v.span(), format!("max_age {seconds} is negative"));
                None
            } else {
                let seconds = u64::try_from(seconds).unwrap_or(0);
                if seconds > highest {
                    c.warn(
                        v.span(),
                        format!("max_age {seconds} is above every browser's cap (Chromium {}, Firefox {}, Safari {} seconds): each uses its cap", Browser::Chromium.max_age_cap(), Browser::Firefox.max_age_cap(), Browser::WebKit.max_age_cap()),
                    );
                }
                Some(seconds)
            }
        }
    };
    let mut refuse_origins = Vec::new();
    for o in items(&raw.refuse_origins) {
        match Origin::parse(o.get_ref()) {
            Ok(origin) => {
                if allow_origins.iter().any(|p| p.matches(&origin)) {
                    c.error(
                        o.span(),
                        format!(
                            "`{}` is both allowed (allow_origins) and to be refused",
                            o.get_ref()
                        ),
                    );
                }
                refuse_origins.push(origin);
            }
            Err(e) => c.error(
                o.span(),
                format!("`{}` is not an origin ({e})", o.get_ref()),
            ),
        }
    }
    if let Some(l) = &raw.refuse_origins {
        keep("refuse_origins", l.span(), c);
    }
    let errors_after = c.found.iter().filter(|d| d.level == Level::Error).count();
    if errors_after > errors_before {
        return None;
    }
    let at = c.at(raw.path.span());
    Some(Rule {
        name: raw
            .name
            .as_ref()
            .map_or_else(|| path.clone(), |n| n.get_ref().clone()),
        path,
        probe_paths,
        allow_origins,
        methods,
        request_headers,
        credentials,
        expose_headers,
        max_age,
        refuse_origins,
        at,
        key_positions,
    })
}
