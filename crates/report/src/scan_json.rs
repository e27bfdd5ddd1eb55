//! The JSON document of `scan --json`: schema `cors-doctor/scan/v1`
//! (docs/json-schema.md).

use crate::words::is_relevant_response_header;
use cors_probe::scan::ScanReport;
use cors_probe::scan_analysis::ScanAnalysis;
use cors_probe::scan_matrix::OriginRole;
use serde::Serialize;

pub const SCAN_SCHEMA: &str = "cors-doctor/scan/v1";

#[derive(Serialize)]
pub struct ScanDocument {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub url: String,
    pub advertised_methods: Vec<String>,
    pub requests_sent: usize,
    pub origins: Vec<OriginDoc>,
    pub kinds: Vec<KindDoc>,
    pub cells: Vec<CellDoc>,
    pub summary: Vec<String>,
    pub security: Vec<SecurityDoc>,
    /// Why a request could not reach the server (`cells` is empty when it
    /// was the first, discovery request).
    pub error: Option<crate::check_json::ErrorDoc>,
}

#[derive(Serialize)]
pub struct OriginDoc {
    pub origin: String,
    /// `user`, `variant` or `attack`.
    pub role: &'static str,
    /// The attack class for `attack` origins.
    pub class: Option<&'static str>,
    pub label: String,
}

#[derive(Serialize)]
pub struct KindDoc {
    pub label: String,
    pub method: String,
    pub headers: Vec<crate::check_json::Header>,
}

#[derive(Serialize)]
pub struct CellDoc {
    pub origin: usize,
    pub kind: usize,
    pub credentials: bool,
    pub allowed_in: Vec<&'static str>,
    /// Per browser: the blocking finding id, or null when allowed.
    pub blocked_by: std::collections::BTreeMap<&'static str, Option<&'static str>>,
    pub access_control_allow_origin: Option<String>,
    pub access_control_allow_credentials: Option<String>,
    pub vary_origin: bool,
    /// The cell's exchanges (as its first browser went through them): the
    /// request line and the response lines worth showing.
    pub exchanges: Vec<CellExchangeDoc>,
}

#[derive(Serialize)]
pub struct CellExchangeDoc {
    pub purpose: &'static str,
    pub method: String,
    pub url: String,
    /// Origin, the script's headers, a preflight's Access-Control-Request-*.
    pub request_headers: Vec<crate::check_json::Header>,
    /// Null when no response came (`error` says why).
    pub status: Option<u16>,
    pub headers: Vec<crate::check_json::Header>,
    pub error: Option<String>,
}

impl CellExchangeDoc {
    fn of(exchange: &cors_engine::Exchange) -> CellExchangeDoc {
        let request = &exchange.request;
        let (status, headers, error) = match &exchange.response {
            Ok(r) => (
                Some(r.status),
                r.headers
                    .iter()
                    .filter(|(name, _)| is_relevant_response_header(name))
                    .map(|(name, value)| crate::check_json::Header {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                None,
            ),
            Err((_, description)) => (None, Vec::new(), Some(description.clone())),
        };
        CellExchangeDoc {
            purpose: crate::check_json::purpose_id(request.purpose),
            method: request.method.clone(),
            url: request.url.to_string(),
            request_headers: crate::check_json::headers(&request.headers),
            status,
            headers,
            error,
        }
    }
}

/// One security finding, as `scan --json` and every `audit` record write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SecurityDoc {
    pub id: String,
    pub severity: String,
    pub title: String,
    pub origin: String,
    pub request: String,
    pub credentials: bool,
    pub access_control_allow_origin: Option<String>,
    pub access_control_allow_credentials: Option<String>,
    pub browsers: Vec<String>,
}

impl SecurityDoc {
    pub fn of(f: &cors_probe::scan_analysis::SecurityFinding) -> SecurityDoc {
        SecurityDoc {
            id: f.id.to_string(),
            severity: f.severity.id().to_string(),
            title: f.title.clone(),
            origin: f.origin.clone(),
            request: f.request.clone(),
            credentials: f.credentials,
            access_control_allow_origin: f.allow_origin.clone(),
            access_control_allow_credentials: f.allow_credentials.clone(),
            browsers: f.browsers.iter().map(|b| b.id().to_string()).collect(),
        }
    }
}

pub fn scan_to_json(report: &ScanReport, analysis: &ScanAnalysis) -> ScanDocument {
    ScanDocument {
        schema: SCAN_SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        url: report.url.to_string(),
        advertised_methods: report.advertised_methods.clone(),
        requests_sent: report.requests_sent,
        origins: report
            .origins
            .iter()
            .map(|o| OriginDoc {
                origin: o.origin.serialize(),
                role: match o.role {
                    OriginRole::User => "user",
                    OriginRole::Variant => "variant",
                    OriginRole::Attack(_) => "attack",
                },
                class: match o.role {
                    OriginRole::Attack(c) => Some(c.id()),
                    _ => None,
                },
                label: o.label.clone(),
            })
            .collect(),
        kinds: report
            .kinds
            .iter()
            .map(|k| KindDoc {
                label: k.label.clone(),
                method: k.method.clone(),
                headers: crate::check_json::headers(&k.headers),
            })
            .collect(),
        cells: report
            .cells
            .iter()
            .map(|c| CellDoc {
                origin: c.origin,
                kind: c.kind,
                credentials: c.credentials,
                allowed_in: c.allowed_in().iter().map(|b| b.id()).collect(),
                blocked_by: c
                    .browsers
                    .iter()
                    .map(|b| (b.browser.id(), b.blocking.map(|id| id.slug())))
                    .collect(),
                access_control_allow_origin: c.allow_origin.clone(),
                access_control_allow_credentials: c.allow_credentials.clone(),
                vary_origin: c.vary_origin,
                exchanges: c.exchanges.iter().map(CellExchangeDoc::of).collect(),
            })
            .collect(),
        summary: analysis.summary.clone(),
        security: analysis.security.iter().map(SecurityDoc::of).collect(),
        error: report
            .network_error
            .as_ref()
            .map(crate::check_json::ErrorDoc::of),
    }
}
