//! The probe: sends over the real network exactly the requests a browser
//! would send (as planned by `cors-engine`), one hop at a time, and records
//! the transcript. It is the only crate of the checker that opens sockets.
//!
//! [`transport`] sends one request exactly as given; [`check`] drives the
//! engine's per-browser flows over it, sending each distinct request once.

pub mod allow_answer;
pub mod audit;
pub mod audit_input;
pub mod audit_openapi;
pub mod check;
pub mod error;
pub mod flows;
pub(crate) mod raw_http1;
pub(crate) mod resolver;
pub mod scan;
pub mod scan_analysis;
pub mod scan_matrix;
pub mod transport;
pub mod trust;
pub mod verify;

pub use check::{run_check, CheckReport, CheckRequest, SecondOriginProbe, WireExchange};
pub use error::{ProbeError, Stage};
pub use transport::{
    Client, Exchange, HttpVersion, OutgoingRequest, ResolveOverride, TransportOptions,
};
