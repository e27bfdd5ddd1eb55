//! An allowed origin as a policy writes it: one exact origin, every
//! subdomain of one parent (`https://*.preview.example.com`), or `*` (any
//! origin, never with credentials). Literal, never a regular expression:
//! the classic bugs (`.` unescaped, no anchor, `*example.com`) cannot be
//! written.

use cors_engine::Origin;

/// Parents whose subdomains anyone can get: multi-label public suffixes
/// and hosting platforms that give every customer a subdomain (a short
/// list of the common ones, not the whole public suffix list).
const SHARED_PARENTS: &[&str] = &[
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.jp",
    "co.nz",
    "com.br",
    "com.cn",
    "co.in",
    "co.za",
    "com.mx",
    "co.kr",
    "com.tr",
    "com.sg",
    "github.io",
    "gitlab.io",
    "vercel.app",
    "netlify.app",
    "herokuapp.com",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "azurewebsites.net",
    "azurestaticapps.net",
    "cloudfront.net",
    "amazonaws.com",
    "onrender.com",
    "fly.dev",
    "glitch.me",
    "repl.co",
    "replit.app",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "blogspot.com",
    "wordpress.com",
    "surge.sh",
    "now.sh",
    "railway.app",
    "deno.dev",
];

/// One entry of `allow_origins`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginPattern {
    Exact(Origin),
    /// `scheme://*.parent[:port]`: any origin one or more labels below `parent`.
    Subdomains {
        scheme: String,
        parent: String,
        port: Option<u16>,
    },
    /// `*`.
    Any,
}

impl OriginPattern {
    /// Parses one entry; the error says what is wrong in the user's terms.
    pub fn parse(text: &str) -> Result<OriginPattern, String> {
        if text == "*" {
            return Ok(OriginPattern::Any);
        }
        if text
            .chars()
            .any(|c| matches!(c, '^' | '$' | '\\' | '(' | ')' | '|' | '[' | '?' | '+'))
        {
            return Err(format!(
                "`{text}` looks like a regular expression: origins are written literally, and every subdomain of a parent as `https://*.example.com`"
            ));
        }
        let Some(star) = text.find('*') else {
            return match Origin::parse(text) {
                Ok(Origin::Opaque) if text.trim() == "null" => Ok(OriginPattern::Exact(Origin::Opaque)),
                Ok(Origin::Opaque) => Err(format!(
                    "`{text}`: only http and https origins (and `null`) can be written here"
                )),
                Ok(origin) => Ok(OriginPattern::Exact(origin)),
                Err(e) => Err(format!("`{text}` is not an origin ({e}); write scheme://host[:port], as the browser sends it")),
            };
        };
        let Some(rest) = text
            .split_once("://")
            .and_then(|(scheme, rest)| rest.strip_prefix("*.").map(|r| (scheme, r)))
            .filter(|_| text[star + 1..].find('*').is_none())
        else {
            return Err(format!(
                "`{text}`: only a whole leftmost label may be a wildcard, as in `https://*.example.com` (`*example.com` would also match `evilexample.com`)"
            ));
        };
        let (scheme, parent_and_port) = rest;
        if !matches!(scheme, "http" | "https") {
            return Err(format!("`{text}`: the scheme must be http or https"));
        }
        // Parse the parent as an origin to validate host and port.
        let parent = Origin::parse(&format!("{scheme}://{parent_and_port}"))
            .map_err(|e| format!("`{text}`: `{parent_and_port}` is not a host[:port] ({e})"))?;
        let Origin::Tuple { host, port, .. } = parent else {
            return Err(format!("`{text}`: no host after `*.`"));
        };
        if !host.contains('.') {
            return Err(format!(
                "`{text}` would match every site under `.{host}`, an attacker's included: name the parent domain (`https://*.example.{host}`)"
            ));
        }
        if let Some(shared) = SHARED_PARENTS.iter().find(|s| host == **s) {
            return Err(format!(
                "`{text}`: every name under `{shared}` belongs to whoever registers it, an attacker included: list your own origins there exactly"
            ));
        }
        Ok(OriginPattern::Subdomains {
            scheme: scheme.to_string(),
            parent: host,
            port,
        })
    }

    /// Whether the pattern allows `origin`.
    pub fn matches(&self, origin: &Origin) -> bool {
        match (self, origin) {
            (OriginPattern::Any, _) => true,
            (OriginPattern::Exact(o), _) => o == origin,
            (
                OriginPattern::Subdomains {
                    scheme,
                    parent,
                    port,
                },
                Origin::Tuple {
                    scheme: s,
                    host,
                    port: p,
                },
            ) => {
                s == scheme
                    && p == port
                    && host.len() > parent.len() + 1
                    && host.ends_with(parent.as_str())
                    && host.as_bytes().get(host.len() - parent.len() - 1) == Some(&b'.')
            }
            (OriginPattern::Subdomains { .. }, Origin::Opaque) => false,
        }
    }

    /// An origin this pattern allows, for a request that proves it: the
    /// origin itself, or a made-up subdomain of the parent.
    pub fn example(&self) -> Option<Origin> {
        match self {
            OriginPattern::Exact(o) => Some(o.clone()),
            OriginPattern::Subdomains {
                scheme,
                parent,
                port,
            } => Some(Origin::Tuple {
                scheme: scheme.clone(),
                host: format!("cors-doctor-verify.{parent}"),
                port: *port,
            }),
            OriginPattern::Any => None,
        }
    }
}

impl std::fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginPattern::Exact(o) => f.write_str(&o.serialize()),
            OriginPattern::Subdomains {
                scheme,
                parent,
                port,
            } => {
                write!(f, "{scheme}://*.{parent}")?;
                if let Some(p) = port {
                    write!(f, ":{p}")?;
                }
                Ok(())
            }
            OriginPattern::Any => f.write_str("*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_what_they_match() {
        let sub =
            OriginPattern::parse("https://*.preview.example.com").unwrap_or(OriginPattern::Any);
        let o = |t: &str| Origin::parse(t).unwrap_or(Origin::Opaque);
        assert!(sub.matches(&o("https://pr-1.preview.example.com")));
        assert!(sub.matches(&o("https://a.b.preview.example.com")));
        assert!(!sub.matches(&o("https://preview.example.com")));
        assert!(!sub.matches(&o("https://evilpreview.example.com")));
        assert!(!sub.matches(&o("https://preview.example.com.evil.test")));
        assert!(!sub.matches(&o("http://pr-1.preview.example.com")));
        assert!(!sub.matches(&o("https://pr-1.preview.example.com:8443")));
        assert_eq!(sub.to_string(), "https://*.preview.example.com");
        let exact =
            OriginPattern::parse("https://app.example.com:8443").unwrap_or(OriginPattern::Any);
        assert!(exact.matches(&o("https://app.example.com:8443")));
        assert!(!exact.matches(&o("https://app.example.com")));
    }

    #[test]
    fn the_classic_mistakes_are_refused_with_a_reason() {
        for (text, says) in [
            ("https://*example.com", "whole leftmost label"),
            ("https://app-*.example.com", "whole leftmost label"),
            ("https://*.com", "every site under `.com`"),
            ("^https://.*\\.example\\.com$", "regular expression"),
            ("https://app.example.com/path", "not an origin"),
            ("app.example.com", "not an origin"),
            ("ftp://*.example.com", "http or https"),
            ("https://*.github.io", "belongs to whoever registers it"),
            ("chrome-extension://abcdef", "only http and https origins"),
            ("https://*.co.uk", "belongs to whoever registers it"),
        ] {
            let err = OriginPattern::parse(text).err().unwrap_or_default();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
