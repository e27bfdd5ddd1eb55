//! The axes of a scan: the origins to try (the user's, their near misses and
//! the classic bypass shapes an attacker would use) and the request kinds.
//! Pure data; no I/O.

use cors_engine::Origin;

/// Why an origin is in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginRole {
    /// Given with `--origin`: it should be allowed.
    User,
    /// A near miss of a user origin (other scheme, port, `www.`): a user
    /// mistake if the app really runs there.
    Variant,
    /// An origin an attacker could control: allowing it is a security issue.
    Attack(AttackClass),
}

/// The bypass shapes scanners look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttackClass {
    /// Any unrelated origin is accepted (reflected).
    ArbitraryOrigin,
    /// `null` (sandboxed iframes, data: URLs) is accepted.
    NullOrigin,
    /// The trusted host followed by the attacker's domain.
    Prefix,
    /// The attacker's name followed by the trusted domain.
    Suffix,
    /// A dot of the trusted host replaced (an unescaped `.` in a regex).
    UnescapedDot,
    /// Special characters after the trusted host (`_`, `` ` ``).
    SpecialCharacters,
    /// Any subdomain of the trusted site (takeover or XSS there is enough).
    AnySubdomain,
    /// The http version of an https origin (network attackers can inject it).
    HttpTrusted,
    /// A third-party hosting platform where anyone can publish.
    ThirdPartyHosting,
    /// A part of the trusted host (its parent domain, or a substring): a
    /// containment check the wrong way round (`allowed.contains(origin)`).
    SubstringMatch,
}

impl AttackClass {
    pub fn id(self) -> &'static str {
        match self {
            AttackClass::ArbitraryOrigin => "reflected-arbitrary-origin",
            AttackClass::NullOrigin => "null-origin-allowed",
            AttackClass::Prefix => "prefix-match",
            AttackClass::Suffix => "suffix-match",
            AttackClass::UnescapedDot => "unescaped-dot",
            AttackClass::SpecialCharacters => "special-characters",
            AttackClass::AnySubdomain => "any-subdomain",
            AttackClass::HttpTrusted => "http-origin-trusted",
            AttackClass::ThirdPartyHosting => "third-party-hosting",
            AttackClass::SubstringMatch => "substring-match",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            AttackClass::ArbitraryOrigin => "any origin is accepted (the server reflects the Origin header), so every narrower shape is too",
            AttackClass::NullOrigin => "the `null` origin is accepted: any page can get it with a sandboxed iframe",
            AttackClass::Prefix => "an attacker's host that merely starts with the trusted host is accepted",
            AttackClass::Suffix => "an attacker's domain that merely ends with the trusted domain is accepted",
            AttackClass::UnescapedDot => "a dot in the trusted host matches any character (unescaped `.` in a pattern)",
            AttackClass::SpecialCharacters => "special characters after the trusted host are accepted (browsers allow some in host names)",
            AttackClass::AnySubdomain => "any subdomain is accepted: an XSS or a subdomain takeover anywhere on the site is enough",
            AttackClass::HttpTrusted => "the http:// origin is trusted by an https site: a network attacker can inject a page there",
            AttackClass::ThirdPartyHosting => "an origin on a public hosting platform is accepted: anyone can publish a page there",
            AttackClass::SubstringMatch => "a part of the trusted host is accepted (the origin is checked as a substring of the allowed one): the parent domain, or a shortened host an attacker can register",
        }
    }
}

/// One origin of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOrigin {
    pub origin: Origin,
    pub role: OriginRole,
    /// How it was derived, e.g. "other scheme of https://app.example.com".
    pub label: String,
}

fn tuple(scheme: &str, host: &str, port: Option<u16>) -> Origin {
    Origin::Tuple {
        scheme: scheme.to_string(),
        host: host.to_string(),
        port,
    }
}

/// The registrable-looking part of a host: its last two labels.
fn site_of(host: &str) -> &str {
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((second, _))) => &host[second + 1..],
        _ => host,
    }
}

/// Public hosting platforms where anyone can publish a page, as origins an
/// allow list might name: the platform's own shared origin, or an
/// attacker's site on its shared domain.
pub const THIRD_PARTY_ORIGINS: &[(&str, &str)] = &[
    (
        "https://cors-doctor-evil.github.io",
        "a GitHub Pages origin",
    ),
    ("https://codepen.io", "CodePen (anyone's pens run there)"),
    ("https://cdpn.io", "CodePen's result frames"),
    ("https://jsfiddle.net", "JSFiddle"),
    ("https://fiddle.jshell.net", "JSFiddle's result frames"),
    ("https://output.jsbin.com", "JS Bin's output frames"),
    ("https://cors-doctor-evil.glitch.me", "a Glitch project"),
    ("https://cors-doctor-evil.netlify.app", "a Netlify site"),
    ("https://cors-doctor-evil.vercel.app", "a Vercel deployment"),
    ("https://cors-doctor-evil.herokuapp.com", "a Heroku app"),
    (
        "https://cors-doctor-evil.pages.dev",
        "a Cloudflare Pages site",
    ),
    (
        "https://cors-doctor-evil.web.app",
        "a Firebase Hosting site",
    ),
    (
        "http://cors-doctor-evil.s3-website-us-east-1.amazonaws.com",
        "an S3 website bucket",
    ),
];

/// Whether `origin` (as serialised) is on a public hosting platform.
pub fn is_third_party_hosting(origin: &str) -> bool {
    let Ok(Origin::Tuple { host, .. }) = Origin::parse(origin) else {
        return false;
    };
    // Every known origin is `https://` and a host, none with a port.
    THIRD_PARTY_ORIGINS.iter().any(|(known, _)| {
        let known = known.trim_start_matches("https://");
        match known.split_once("cors-doctor-evil.") {
            Some((_, shared)) => host
                .strip_suffix(shared)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => host == known,
        }
    })
}

/// The user's origins, their near misses and the attack shapes, without duplicates.
pub fn origins(user: &[Origin]) -> Vec<ScanOrigin> {
    origins_for(user, None)
}

/// [`origins`] for requests to `target` (the endpoint's own origin): the
/// arbitrary origin an attacker's page would have uses the endpoint's
/// scheme (an https page cannot read an http endpoint, so on an http site
/// an https probe would hide a reflecting server behind mixed content), and
/// the endpoint's own origin is never an attack shape.
pub fn origins_for(user: &[Origin], target: Option<&Origin>) -> Vec<ScanOrigin> {
    let mut out: Vec<ScanOrigin> = Vec::new();
    let mut push = |origin: Origin, role: OriginRole, label: String| {
        let own = target == Some(&origin) && matches!(role, OriginRole::Attack(_));
        if !own && !out.iter().any(|o| o.origin == origin) {
            out.push(ScanOrigin {
                origin,
                role,
                label,
            });
        }
    };
    for o in user {
        push(o.clone(), OriginRole::User, "given".to_string());
    }
    for o in user {
        let Origin::Tuple { scheme, host, port } = o else {
            continue;
        };
        let shown = o.serialize();
        let other_scheme = if scheme == "https" { "http" } else { "https" };
        let other_role = if scheme == "https" {
            OriginRole::Attack(AttackClass::HttpTrusted)
        } else {
            OriginRole::Variant
        };
        push(
            tuple(other_scheme, host, *port),
            other_role,
            format!("other scheme of {shown}"),
        );
        let other_port = match port {
            Some(p) if *p != 8443 => Some(8443),
            Some(_) => Some(8444),
            None => Some(if scheme == "https" { 8443 } else { 8080 }),
        };
        push(
            tuple(scheme, host, other_port),
            OriginRole::Variant,
            format!("another port of {shown}"),
        );
        match host.strip_prefix("www.") {
            Some(bare) => push(
                tuple(scheme, bare, *port),
                OriginRole::Attack(AttackClass::SubstringMatch),
                format!("{shown} without www. (a part of the trusted host)"),
            ),
            None => push(
                tuple(scheme, &format!("www.{host}"), *port),
                OriginRole::Variant,
                format!("{shown} with www."),
            ),
        }
        let site = site_of(host);
        if host.parse::<std::net::IpAddr>().is_err() && host != "localhost" {
            if host != site {
                let first = host.split('.').next().unwrap_or(host);
                let parent = &host[first.len() + 1..];
                push(
                    tuple(scheme, parent, *port),
                    OriginRole::Attack(AttackClass::SubstringMatch),
                    format!("parent domain of {shown} (a part of the trusted host)"),
                );
            }
            if host.len() > 1 {
                push(
                    tuple(scheme, &host[..host.len() - 1], *port),
                    OriginRole::Attack(AttackClass::SubstringMatch),
                    format!("{host} without its last character (a substring check)"),
                );
            }
            push(
                tuple(scheme, &format!("cors-doctor-sibling.{site}"), *port),
                OriginRole::Attack(AttackClass::AnySubdomain),
                format!("a sibling subdomain of {site}"),
            );
            push(
                tuple(scheme, &format!("{host}.cors-doctor-evil.example"), None),
                OriginRole::Attack(AttackClass::Prefix),
                format!("{host} as a prefix of an attacker's host"),
            );
            push(
                tuple(scheme, &format!("cors-doctor-evil{site}"), None),
                OriginRole::Attack(AttackClass::Suffix),
                format!("{site} as a suffix of an attacker's domain"),
            );
            push(
                tuple(scheme, &format!("cors-doctor-evil{host}"), None),
                OriginRole::Attack(AttackClass::Suffix),
                format!("{host} as a suffix of an attacker's host"),
            );
            // Each dot: a pattern may escape some and not others.
            for (dot, _) in host.match_indices('.') {
                let mut replaced = host.clone();
                replaced.replace_range(dot..dot + 1, "x");
                push(
                    tuple(scheme, &replaced, *port),
                    OriginRole::Attack(AttackClass::UnescapedDot),
                    format!("a dot of {host} replaced"),
                );
            }
            for special in ['_', '`'] {
                push(
                    tuple(
                        scheme,
                        &format!("{host}{special}.cors-doctor-evil.example"),
                        None,
                    ),
                    OriginRole::Attack(AttackClass::SpecialCharacters),
                    format!("`{special}` after {host}"),
                );
            }
        }
    }
    let attacker_scheme = match target {
        Some(Origin::Tuple { scheme, .. }) if scheme == "http" => "http",
        _ => "https",
    };
    push(
        tuple(attacker_scheme, "cors-doctor-unrelated.example", None),
        OriginRole::Attack(AttackClass::ArbitraryOrigin),
        "an unrelated origin".to_string(),
    );
    push(
        Origin::Opaque,
        OriginRole::Attack(AttackClass::NullOrigin),
        "`null` (sandboxed iframe, data: URL)".to_string(),
    );
    for (origin, label) in THIRD_PARTY_ORIGINS {
        if let Ok(origin) = Origin::parse(origin) {
            push(
                origin,
                OriginRole::Attack(AttackClass::ThirdPartyHosting),
                (*label).to_string(),
            );
        }
    }
    out
}

/// One kind of request the page might make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestKind {
    /// Short column label, e.g. `GET`, `POST json`, `GET +auth`.
    pub label: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// A request the user's page makes: the plain GET, their `-H` headers,
    /// and every kind with one of their `-X` methods (the scan's exit code
    /// is about these).
    pub yours: bool,
}

impl RequestKind {
    fn new(label: &str, method: &str, headers: &[(&str, &str)]) -> RequestKind {
        RequestKind {
            label: label.to_string(),
            method: method.to_string(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            yours: false,
        }
    }

    /// The plain GET every scan starts with.
    pub fn is_plain_get(&self) -> bool {
        self.method == "GET" && self.headers.is_empty()
    }
}

/// The request kinds: simple ones, the JSON and Authorization triggers, the
/// advertised and user methods, and the user's headers.
pub fn request_kinds(
    advertised: &[String],
    user_methods: &[String],
    user_headers: &[(String, String)],
) -> Vec<RequestKind> {
    let mut kinds = vec![
        RequestKind::new("GET", "GET", &[]),
        RequestKind::new("HEAD", "HEAD", &[]),
        RequestKind::new(
            "POST text",
            "POST",
            &[("Content-Type", "text/plain;charset=UTF-8")],
        ),
        RequestKind::new("POST json", "POST", &[("Content-Type", "application/json")]),
        RequestKind::new(
            "GET +auth",
            "GET",
            &[("Authorization", "Bearer cors-doctor")],
        ),
    ];
    let mut methods: Vec<String> = Vec::new();
    for m in advertised.iter().chain(user_methods) {
        let m = cors_engine::method::normalize(m.trim());
        if !m.is_empty()
            && !matches!(m.as_str(), "GET" | "POST" | "HEAD" | "OPTIONS" | "*")
            && cors_engine::method::is_token(&m)
            && !cors_engine::method::is_forbidden(&m)
            && !methods.contains(&m)
        {
            methods.push(m);
        }
    }
    for m in methods {
        kinds.push(RequestKind::new(
            &m,
            &m,
            &[("Content-Type", "application/json")],
        ));
    }
    if !user_headers.is_empty() {
        kinds.push(RequestKind {
            label: "GET +headers".to_string(),
            method: "GET".to_string(),
            headers: user_headers.to_vec(),
            yours: true,
        });
    }
    for kind in &mut kinds {
        kind.yours |= kind.is_plain_get()
            || user_methods
                .iter()
                .any(|m| cors_engine::method::normalize(m) == kind.method);
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosting_platforms_by_host() {
        for (origin, hosted) in [
            ("https://someone.github.io", true),
            ("http://someone.github.io:8080", true),
            ("https://a.b.netlify.app", true),
            ("https://codepen.io", true),
            ("https://github.io", false),
            ("https://evilgithub.io", false),
            ("https://x.codepen.io", false),
            ("https://codepen.io.evil.example", false),
            ("null", false),
            ("not an origin", false),
        ] {
            assert_eq!(is_third_party_hosting(origin), hosted, "{origin}");
        }
    }

    #[test]
    fn origin_variants_of_an_https_origin() {
        let user = Origin::parse("https://app.example.com").unwrap();
        let list = origins(&[user]);
        let shown: Vec<String> = list.iter().map(|o| o.origin.serialize()).collect();
        for expected in [
            "https://app.example.com",
            "http://app.example.com",
            "https://app.example.com:8443",
            "https://www.app.example.com",
            "https://example.com",
            "https://cors-doctor-sibling.example.com",
            "https://app.example.com.cors-doctor-evil.example",
            "https://cors-doctor-evilexample.com",
            "https://appxexample.com",
            "https://app.example.com_.cors-doctor-evil.example",
            "https://cors-doctor-unrelated.example",
            "null",
        ] {
            assert!(
                shown.contains(&expected.to_string()),
                "{expected} missing from {shown:?}"
            );
        }
        let unique: std::collections::HashSet<&String> = shown.iter().collect();
        assert_eq!(unique.len(), shown.len());
        assert_eq!(list[0].role, OriginRole::User);
    }

    #[test]
    fn kinds_include_advertised_methods_once() {
        let kinds = request_kinds(
            &["GET".into(), "put".into(), "DELETE".into(), "PUT".into()],
            &["patch".into()],
            &[],
        );
        let labels: Vec<&str> = kinds.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "GET",
                "HEAD",
                "POST text",
                "POST json",
                "GET +auth",
                "PUT",
                "DELETE",
                "patch"
            ]
        );
    }
}
