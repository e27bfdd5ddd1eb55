//! One handler per subcommand; each returns an exit code or a [`Failure`].

pub mod audit;
pub mod audit_input;
pub mod audit_output;
pub mod check;
pub mod config;
pub mod demo;
pub mod explain;
pub mod explain_input;
pub mod har;
pub mod lab;
pub mod lab_estate;
pub mod proxy;
pub mod scan;
pub mod serve;
pub mod verify;
