//! What a response says about which origin may read it: the three headers
//! the scan's cells, its allow-list probe and `check`'s second-origin probe
//! all record.

use cors_engine::headers::{get_combined, HeaderLines};
use std::borrow::Cow;

/// `Access-Control-Allow-Origin`, `-Allow-Credentials` (each combined as
/// the Fetch standard's "get") and whether `Vary` covers `Origin`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowAnswer {
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    pub vary_origin: bool,
}

impl AllowAnswer {
    pub fn of(headers: &HeaderLines) -> AllowAnswer {
        AllowAnswer {
            allow_origin: get_combined(headers, "access-control-allow-origin").map(Cow::into_owned),
            allow_credentials: get_combined(headers, "access-control-allow-credentials")
                .map(Cow::into_owned),
            vary_origin: cors_engine::flow::vary_covers_origin(headers),
        }
    }
}
