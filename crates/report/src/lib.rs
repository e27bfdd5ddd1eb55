//! Renderers: turn what the probe and the engine found into text for people
//! (terminal, with or without colour) and JSON for programs (a versioned,
//! documented schema), plus the curl commands that replay each exchange.
//! Renderers return strings; only the CLI prints.

pub mod audit;
pub mod check_json;
pub mod check_text;
pub mod curl;
pub mod explain;
pub mod explain_docs;
pub mod findings;
pub mod fix_config;
pub mod har;
pub mod marks;
pub mod policy_init;
pub mod proxy;
pub mod scan_json;
pub mod scan_text;
pub mod style;
pub mod verify;
pub mod verify_ci;
pub mod words;

pub use check_json::{check_to_json, CHECK_SCHEMA};
pub use check_text::render_check;
pub use curl::{curl_command, CurlOptions};
pub use fix_config::{FixConfig, FixConfigDoc};
pub use style::Palette;
