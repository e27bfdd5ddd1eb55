//! What a scan's matrix means: the summary in words (which origins and
//! request kinds fail, and why; where browsers differ) and the security
//! findings, graded by what a browser would actually let an attacker's page
//! read. Pure functions over a [`ScanReport`].

use crate::scan::{Cell, ScanReport};
use crate::scan_matrix::{AttackClass, OriginRole};
use cors_engine::{Browser, FindingId, Verdict};

/// How bad a security finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn from_id(text: &str) -> Option<Severity> {
        [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .find(|s| s.id() == text)
    }
}

/// One exploitable (or merely risky) configuration, with its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityFinding {
    pub id: &'static str,
    pub severity: Severity,
    pub title: String,
    /// The attacker-controlled origin that was accepted.
    pub origin: String,
    /// The request kind and credentials mode of the evidence.
    pub request: String,
    pub credentials: bool,
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    pub browsers: Vec<Browser>,
}

fn origin_text(report: &ScanReport, cell: &Cell) -> String {
    report.origins[cell.origin].origin.serialize()
}

/// Whether `cell`'s origin is a parent domain of a trusted origin's host.
fn is_parent(report: &ScanReport, cell: &Cell) -> bool {
    let Some(host) = report.origins[cell.origin].origin.host() else {
        return false;
    };
    let dotted = format!(".{host}");
    report
        .origins
        .iter()
        .filter(|o| o.role == OriginRole::User)
        .filter_map(|o| o.origin.host())
        .any(|trusted| trusted.ends_with(&dotted))
}

/// The security findings, worst first.
pub fn security_findings(report: &ScanReport) -> Vec<SecurityFinding> {
    let mut out: Vec<SecurityFinding> = Vec::new();
    for cell in &report.cells {
        let OriginRole::Attack(class) = report.origins[cell.origin].role else {
            continue;
        };
        let allowed = cell.allowed_in();
        if allowed.is_empty() {
            continue;
        }
        let wildcard = cell.allow_origin.as_deref() == Some("*");
        let (id, severity, title) = if wildcard {
            // `*` never works with credentials: readable only as public data.
            (
                "wildcard-origin",
                Severity::Low,
                "Access-Control-Allow-Origin: * — any site can read the response (without cookies)"
                    .to_string(),
            )
        } else if cell.credentials {
            // Neither the http origin (it takes a network attacker) nor a
            // parent domain (the same owner's site: an XSS there is needed)
            // can be had by registering a domain.
            let severity = if class == AttackClass::HttpTrusted || is_parent(report, cell) {
                Severity::High
            } else {
                Severity::Critical
            };
            (class.id(), severity, format!("{} — with credentials: an attacker's page can read responses with the user's cookies", class.describe()))
        } else {
            let severity = if class == AttackClass::HttpTrusted || is_parent(report, cell) {
                Severity::Low
            } else {
                Severity::Medium
            };
            (class.id(), severity, format!("{} (without credentials: what the server returns to anonymous requests from the victim's network is exposed)", class.describe()))
        };
        let candidate = SecurityFinding {
            id,
            severity,
            title,
            origin: origin_text(report, cell),
            request: report.kinds[cell.kind].label.clone(),
            credentials: cell.credentials,
            allow_origin: cell.allow_origin.clone(),
            allow_credentials: cell.allow_credentials.clone(),
            browsers: allowed,
        };
        // One finding per class: keep the worst evidence.
        match out.iter_mut().find(|f| f.id == candidate.id) {
            Some(existing) if existing.severity < candidate.severity => *existing = candidate,
            Some(_) => {}
            None => out.push(candidate),
        }
    }
    // When any origin is accepted, the narrower shapes are the same hole:
    // listing each would bury the one finding that matters.
    if let Some(worst) = out
        .iter()
        .find(|f| f.id == AttackClass::ArbitraryOrigin.id())
        .map(|f| f.severity)
    {
        out.retain(|f| {
            f.id == AttackClass::ArbitraryOrigin.id()
                || f.id == "wildcard-origin"
                || f.severity > worst
        });
    }
    fold_explained(&mut out);
    // A reflected origin without Vary: caches can hand one origin's answer to another.
    if let Some(cell) = report.cells.iter().find(|c| {
        matches!(
            report.origins[c.origin].role,
            OriginRole::Attack(AttackClass::ArbitraryOrigin)
        ) && c.allow_origin.as_deref() == Some(origin_text(report, c).as_str())
            && !c.vary_origin
    }) {
        out.push(SecurityFinding {
            id: "reflected-origin-without-vary",
            severity: Severity::Medium,
            title: "the reflected Access-Control-Allow-Origin has no `Vary: Origin`: a shared cache can serve it to other origins (cache poisoning)".to_string(),
            origin: origin_text(report, cell),
            request: report.kinds[cell.kind].label.clone(),
            credentials: cell.credentials,
            allow_origin: cell.allow_origin.clone(),
            allow_credentials: cell.allow_credentials.clone(),
            browsers: cell.allowed_in(),
        });
    }
    // Allow lists that echo whatever the preflight asks for.
    if let Some(probe) = report
        .allow_lists_probe
        .as_ref()
        .filter(|p| (p.reflects_method || p.reflects_headers) && p.allow_origin.is_some())
    {
        let credentials = probe.allow_credentials.as_deref() == Some("true");
        let what = match (probe.reflects_method, probe.reflects_headers) {
            (true, true) => "Access-Control-Allow-Methods and -Headers echo",
            (true, false) => "Access-Control-Allow-Methods echoes",
            _ => "Access-Control-Allow-Headers echoes",
        };
        out.push(SecurityFinding {
            id: "reflected-allow-lists",
            severity: if credentials { Severity::Medium } else { Severity::Low },
            title: format!(
                "{what} whatever the preflight asks for{}: every method and header is allowed, so defences that rely on a custom header or method (CSRF tokens in headers) do not hold for the allowed origins",
                if credentials { ", with credentials" } else { "" }
            ),
            origin: probe.origin.clone(),
            request: format!("OPTIONS asking for {} with {}", crate::scan::PROBE_METHOD, crate::scan::PROBE_HEADER),
            credentials,
            allow_origin: probe.allow_origin.clone(),
            allow_credentials: probe.allow_credentials.clone(),
            browsers: report.browsers.clone(),
        });
    }
    // What only a preflight shows: an attacker's origin passes a
    // credentialed preflight for any method and header, though the
    // responses themselves do not name it.
    if let Some(probe) = report.allow_lists_probe.as_ref().filter(|p| {
        !p.passes_in.is_empty()
            && report.origins.iter().any(|o| {
                matches!(o.role, OriginRole::Attack(AttackClass::ArbitraryOrigin))
                    && o.origin.serialize() == p.origin
            })
    }) {
        if !out
            .iter()
            .any(|f| f.id == AttackClass::ArbitraryOrigin.id())
        {
            out.push(SecurityFinding {
                id: "preflight-arbitrary-origin",
                severity: Severity::Medium,
                title: "a preflight from any origin passes, with credentials: an attacker's page can send requests with any method and header and the user's cookies (JSON bodies, custom headers — what CSRF defences rely on); the responses stay unreadable while they do not allow the origin".to_string(),
                origin: probe.origin.clone(),
                request: format!("OPTIONS asking for {} with {}", crate::scan::PROBE_METHOD, crate::scan::PROBE_HEADER),
                credentials: true,
                allow_origin: probe.allow_origin.clone(),
                allow_credentials: probe.allow_credentials.clone(),
                browsers: probe.passes_in.clone(),
            });
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(b.id)));
    out
}

/// What a finding's evidence says the server's check accepts: a suffix
/// check accepts every host ending with the probed suffix, a prefix check
/// every origin starting with the trusted one, any-subdomain every host
/// under the site. `None` for shapes that explain nothing else.
fn explains(finding: &SecurityFinding, origin: &str) -> bool {
    let host_of = |text: &str| {
        cors_engine::Origin::parse(text)
            .ok()
            .and_then(|o| o.host().map(str::to_string))
    };
    let (Some(evidence), Some(host)) = (host_of(&finding.origin), host_of(origin)) else {
        return false;
    };
    // A check on the host says nothing about another scheme.
    let scheme = |text: &str| text.split_once("://").map(|(s, _)| s.to_string());
    if scheme(&finding.origin) != scheme(origin) {
        return false;
    }
    if finding.id == AttackClass::Suffix.id() {
        evidence
            .strip_prefix("cors-doctor-evil")
            .is_some_and(|suffix| host.ends_with(suffix))
    } else if finding.id == AttackClass::Prefix.id() {
        finding
            .origin
            .strip_suffix(".cors-doctor-evil.example")
            .is_some_and(|trusted| origin.starts_with(trusted))
    } else if finding.id == AttackClass::AnySubdomain.id() {
        evidence
            .strip_prefix("cors-doctor-sibling")
            .is_some_and(|site| host.ends_with(site))
    } else {
        false
    }
}

/// Drops a finding whose accepted origin another finding's check already
/// explains (and not the other way round): a `starts_with` accepts the
/// special characters after the host, a suffix check on the site accepts
/// its subdomains and a dot-less twin, any subdomain includes an attacker's
/// name glued to the trusted host. One mistake, one finding.
fn fold_explained(out: &mut Vec<SecurityFinding>) {
    let explained: Vec<bool> = out
        .iter()
        .map(|f| {
            out.iter()
                .any(|g| g.id != f.id && explains(g, &f.origin) && !explains(f, &g.origin))
        })
        .collect();
    let mut flags = explained.into_iter();
    out.retain(|_| !flags.next().unwrap_or(false));
}

fn reason(id: FindingId, status: Option<u16>) -> String {
    match (id, status) {
        (FindingId::PreflightRejected | FindingId::PreflightStatusNotOk, Some(s)) => {
            format!("OPTIONS answers {s}")
        }
        (FindingId::PreflightRedirect, Some(s)) => format!("OPTIONS is redirected ({s})"),
        (FindingId::AllowOriginMissing, _) => "no Access-Control-Allow-Origin".to_string(),
        (FindingId::MethodNotAllowed, _) => {
            "the method is not in Access-Control-Allow-Methods".to_string()
        }
        (FindingId::HeaderNotAllowed, _) => {
            "a header is not in Access-Control-Allow-Headers".to_string()
        }
        (FindingId::WildcardWithCredentials, _) => {
            "`*` cannot be used with credentials".to_string()
        }
        (FindingId::AllowCredentialsNotTrue, _) => {
            "Access-Control-Allow-Credentials is not `true`".to_string()
        }
        (id, _) => id.slug().to_string(),
    }
}

/// What a scan means, computed once for every renderer and the exit code.
#[derive(Clone, Debug)]
pub struct ScanAnalysis {
    pub summary: Vec<String>,
    /// Worst first.
    pub security: Vec<SecurityFinding>,
}

pub fn analyse(report: &ScanReport) -> ScanAnalysis {
    let security = security_findings(report);
    ScanAnalysis {
        summary: summary(report, &security),
        security,
    }
}

/// The pattern of the matrix, in words, most important first; `findings`
/// are the report's [`security_findings`].
fn summary(report: &ScanReport, findings: &[SecurityFinding]) -> Vec<String> {
    let mut lines = Vec::new();
    // No answer, no pattern: the error says why (not "no CORS headers").
    if report.cells.is_empty() {
        return lines;
    }
    let any_acao = report.cells.iter().any(|c| c.allow_origin.is_some());
    if !any_acao && report.cells.iter().all(|c| c.none_allowed()) {
        lines.push("fails for every origin: the server sends no CORS headers".to_string());
        return lines;
    }
    let get_kind = report.kinds.iter().position(|k| k.is_plain_get());
    // Which of the user's origins and their near misses are allowed for a plain GET.
    if let Some(get) = get_kind {
        let mut allowed = Vec::new();
        let mut blocked = Vec::new();
        for (oi, o) in report.origins.iter().enumerate() {
            if matches!(o.role, OriginRole::Attack(AttackClass::HttpTrusted))
                || matches!(o.role, OriginRole::User | OriginRole::Variant)
            {
                if let Some(cell) = report.cell(oi, get, false) {
                    let text = o.origin.serialize();
                    if cell.all_allowed() {
                        allowed.push(text);
                    } else {
                        blocked.push((text, o.role == OriginRole::User));
                    }
                }
            }
        }
        let user_blocked: Vec<&str> = blocked
            .iter()
            .filter(|(_, u)| *u)
            .map(|(t, _)| t.as_str())
            .collect();
        if !user_blocked.is_empty() && !allowed.is_empty() {
            lines.push(format!(
                "your origin{} {} {} blocked for a simple GET, but {} {} allowed instead",
                if user_blocked.len() == 1 { "" } else { "s" },
                user_blocked.join(", "),
                if user_blocked.len() == 1 { "is" } else { "are" },
                allowed.join(", "),
                if allowed.len() == 1 { "is" } else { "are" }
            ));
        } else if !user_blocked.is_empty() {
            let why = report
                .cells
                .iter()
                .filter(|c| {
                    c.kind == get
                        && !c.credentials
                        && report.origins[c.origin].role == OriginRole::User
                })
                .find_map(|c| {
                    c.browsers
                        .iter()
                        .find_map(|b| b.blocking.map(|id| reason(id, b.status)))
                })
                .map(|why| format!(": {why}"))
                .unwrap_or_default();
            lines.push(format!(
                "your origin{} {} {} blocked even for a simple GET{why}",
                if user_blocked.len() == 1 { "" } else { "s" },
                user_blocked.join(", "),
                if user_blocked.len() == 1 { "is" } else { "are" }
            ));
        } else if !allowed.is_empty() && !blocked.is_empty() {
            let others: Vec<&str> = blocked.iter().map(|(t, _)| t.as_str()).collect();
            lines.push(format!(
                "only {} {} allowed; {} {} not",
                allowed.join(", "),
                if allowed.len() == 1 { "is" } else { "are" },
                others.join(", "),
                if others.len() == 1 { "is" } else { "are" }
            ));
        }
    }
    // Request kinds that fail for every user origin, with the reason.
    for (ki, kind) in report.kinds.iter().enumerate() {
        let user_cells: Vec<&Cell> = report
            .cells
            .iter()
            .filter(|c| {
                c.kind == ki && !c.credentials && report.origins[c.origin].role == OriginRole::User
            })
            .collect();
        if user_cells.is_empty() || !user_cells.iter().all(|c| c.none_allowed()) {
            continue;
        }
        if get_kind == Some(ki) {
            continue;
        }
        let first = user_cells[0]
            .browsers
            .iter()
            .find_map(|b| b.blocking.map(|id| (id, b.status)));
        // The same cause as a failing GET is already said.
        let same_as_get = get_kind.is_some_and(|get| {
            report.cells.iter().any(|c| {
                c.kind == get
                    && !c.credentials
                    && report.origins[c.origin].role == OriginRole::User
                    && c.browsers.iter().find_map(|b| b.blocking) == first.map(|f| f.0)
            })
        });
        if same_as_get {
            continue;
        }
        if let Some((id, status)) = first {
            lines.push(format!(
                "{} fails everywhere: {}",
                kind.label,
                reason(id, status)
            ));
        }
    }
    // Credentials: an origin that works without them but not with them.
    if let Some(get) = get_kind {
        for (oi, o) in report.origins.iter().enumerate() {
            if o.role != OriginRole::User {
                continue;
            }
            if let (Some(plain), Some(with)) =
                (report.cell(oi, get, false), report.cell(oi, get, true))
            {
                if plain.all_allowed() && !with.all_allowed() {
                    let why = with
                        .browsers
                        .iter()
                        .find_map(|b| b.blocking.map(|id| reason(id, b.status)))
                        .unwrap_or_default();
                    lines.push(format!(
                        "{} works without credentials but not with them: {why}",
                        o.origin.serialize()
                    ));
                }
            }
        }
    }
    // Browser differences.
    for (ki, kind) in report.kinds.iter().enumerate() {
        let Some(cell) = report.cells.iter().find(|c| {
            c.kind == ki
                && report.origins[c.origin].role == OriginRole::User
                && !c.all_allowed()
                && !c.none_allowed()
        }) else {
            continue;
        };
        let allowed: Vec<&str> = cell
            .browsers
            .iter()
            .filter(|b| b.verdict == Verdict::Allowed)
            .map(|b| b.browser.display_name())
            .collect();
        let blocked: Vec<String> = cell
            .browsers
            .iter()
            .filter(|b| b.verdict != Verdict::Allowed)
            .map(|b| {
                format!(
                    "{} ({})",
                    b.browser.display_name(),
                    b.blocking.map(|id| id.slug()).unwrap_or("-")
                )
            })
            .collect();
        lines.push(format!(
            "browsers differ for {}: allowed in {}, blocked in {}",
            kind.label,
            allowed.join(", "),
            blocked.join(", ")
        ));
    }
    // `security_findings` has already folded the narrower shapes into a
    // reflected arbitrary origin, so each high finding here is its own hole.
    for f in findings {
        if f.severity >= Severity::High {
            let what = match f.id {
                "reflected-arbitrary-origin" => "any origin is reflected with credentials: an attacker's page can read responses with the user's cookies".to_string(),
                _ => format!("{} is accepted with credentials ({}): an attacker's page there can read responses with the user's cookies", f.origin, f.id),
            };
            lines.push(what);
        }
    }
    if lines.is_empty() {
        lines.push(if findings.is_empty() {
            "every origin you gave is allowed for every request kind, and no attacker-shaped origin is".to_string()
        } else {
            format!(
                "every origin you gave is allowed for every request kind; {} security finding{} below",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            )
        });
    }
    lines
}
