//! The policy file as TOML gives it, every value with its span; unknown
//! keys are refused by serde (`deny_unknown_fields`) with their position.

use serde::Deserialize;
use toml::Spanned;

pub(crate) type Strings = Spanned<Vec<Spanned<String>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) version: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) api: Vec<Spanned<RawApi>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApi {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) base_url: Spanned<String>,
    #[serde(default)]
    pub(crate) rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) path: Spanned<String>,
    pub(crate) probe: Option<Strings>,
    pub(crate) allow_origins: Strings,
    pub(crate) methods: Option<Strings>,
    pub(crate) request_headers: Option<Strings>,
    pub(crate) credentials: Option<Spanned<bool>>,
    pub(crate) expose_headers: Option<Strings>,
    pub(crate) max_age: Option<Spanned<i64>>,
    pub(crate) refuse_origins: Option<Strings>,
}
