//! Exit codes, documented in the README. Named so that "the browser would
//! block this" (1) is never confused with "could not run" (2, 3).

/// Allowed in every selected browser / nothing to report.
pub const OK: u8 = 0;
/// Blocked in at least one selected browser (or a finding at/above the threshold).
pub const BLOCKED: u8 = 1;
/// Bad usage or input: a malformed URL, origin, header, file, unknown option.
pub const USAGE: u8 = 2;
/// The server could not be reached or answered nothing usable (DNS, connect, TLS, timeout).
pub const UNREACHABLE: u8 = 3;
/// The report could not be written (standard output full or failing).
pub const OUTPUT: u8 = 4;
/// Interrupted (Ctrl-C): what finished is written.
pub const INTERRUPTED: u8 = 130;

/// An error that ends the command with a message and an exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: USAGE,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }
}
