//! `check --fix-for TARGET`: the configuration that lets the checked
//! request through, written for the user's own server, as a section of the
//! check report (text) and its `fix_config` field (JSON). The CLI asks
//! `cors-config` for it; this module only renders it.

use std::fmt::Write;

use serde::Serialize;

use crate::style::Palette;

/// What `--fix-for` produced for one target.
#[derive(Clone, Debug)]
pub struct FixConfig {
    /// The target's id (`nginx`, `express`, …).
    pub target: String,
    /// What it writes (`express with the cors package`).
    pub target_name: String,
    /// Whether the tests prove this target on its real server.
    pub verified_here: bool,
    /// False when every browser already allows the request.
    pub needed: bool,
    /// The configuration, or why none can let this request through.
    pub configuration: Result<String, String>,
}

/// `fix_config` in `cors-doctor/check/v1` (present only with `--fix-for`).
#[derive(Serialize)]
pub struct FixConfigDoc {
    pub target: String,
    pub target_name: String,
    pub verified_here: bool,
    pub needed: bool,
    /// null when `refused` says why none was written.
    pub configuration: Option<String>,
    pub refused: Option<String>,
}

impl FixConfig {
    pub fn to_doc(&self) -> FixConfigDoc {
        FixConfigDoc {
            target: self.target.clone(),
            target_name: self.target_name.clone(),
            verified_here: self.verified_here,
            needed: self.needed,
            configuration: self.configuration.as_ref().ok().cloned(),
            refused: self.configuration.as_ref().err().cloned(),
        }
    }

    /// The report's section: a heading, one line on what it is, the
    /// configuration indented.
    pub fn render(&self, p: &Palette) -> String {
        let mut out = String::new();
        let heading = p.heading(&format!("Fix for {}", self.target));
        match (&self.configuration, self.needed) {
            (Err(why), _) => {
                let _ = writeln!(out, "{heading}: no configuration written — {why}");
            }
            (Ok(text), needed) => {
                let what = if needed {
                    "the smallest configuration that lets this request through in every browser"
                } else {
                    "every browser already allows this request; this configuration keeps it so"
                };
                let proof = if self.verified_here {
                    "proven on the real server by cors-doctor's tests"
                } else {
                    "not verified here: check it with `cors-doctor verify` once deployed"
                };
                let _ = writeln!(out, "{heading} ({}): {what}; {proof}.", self.target_name);
                for line in text.lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        let _ = writeln!(out, "    {line}");
                    }
                }
            }
        }
        out
    }
}
