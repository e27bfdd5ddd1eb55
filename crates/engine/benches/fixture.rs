//! The request and canned responses of the engine benchmark, shared by the
//! criterion bench (`benches/evaluate.rs`) and the instruction-count loop
//! (`examples/evaluate_loop.rs`): a preflighted, credentialed `PUT` from
//! `https://app.example.com`; the preflight passes, the actual response lacks
//! `Access-Control-Allow-Credentials`, so every browser blocks it and renders
//! its console message.

use cors_engine::{PlannedRequest, Request, RequestPurpose, Response};
use url::Url;

fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

pub struct Fixture {
    pub request: Request,
    pub preflight: Response,
    pub actual: Response,
}

impl Fixture {
    pub fn new() -> Option<Fixture> {
        let page = Url::parse("https://app.example.com/").ok()?;
        let url = Url::parse("https://api.example.com/v1/items/7").ok()?;
        let request = Request::new(page, url)
            .method("PUT")
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer token")
            .credentials(cors_engine::CredentialsMode::Include);
        let preflight = Response::new(
            204,
            lines(&[
                ("Access-Control-Allow-Origin", "https://app.example.com"),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "GET, POST, PUT"),
                (
                    "Access-Control-Allow-Headers",
                    "Content-Type, Authorization",
                ),
                ("Access-Control-Max-Age", "600"),
                ("Vary", "Origin"),
            ]),
        );
        let actual = Response::new(
            200,
            lines(&[
                ("Access-Control-Allow-Origin", "https://app.example.com"),
                ("Content-Type", "application/json"),
                ("Vary", "Origin"),
            ]),
        );
        Some(Fixture {
            request,
            preflight,
            actual,
        })
    }

    /// The two responses as they arrive from the network: owned, once each.
    pub fn arrivals(&self) -> Arrivals<'_> {
        Arrivals {
            fixture: self,
            preflight: Some(self.preflight.clone()),
            actual: Some(self.actual.clone()),
        }
    }
}

/// Owned responses handed to `evaluate`'s responder. The engine asks each
/// distinct request once, so each arrives once; a second ask (a browser
/// whose request differed) gets a copy.
pub struct Arrivals<'f> {
    fixture: &'f Fixture,
    preflight: Option<Response>,
    actual: Option<Response>,
}

impl Arrivals<'_> {
    pub fn respond(&mut self, planned: &PlannedRequest) -> Result<Response, (String, String)> {
        Ok(match planned.purpose {
            RequestPurpose::Preflight => self
                .preflight
                .take()
                .unwrap_or_else(|| self.fixture.preflight.clone()),
            RequestPurpose::Actual => self
                .actual
                .take()
                .unwrap_or_else(|| self.fixture.actual.clone()),
        })
    }
}
