//! Where output goes and whether it is coloured: colours only on a
//! terminal, never with NO_COLOR, unless --color says otherwise.

use crate::cli::ColorChoice;
use crate::exit::Failure;
use cors_report::Palette;
use std::io::{IsTerminal, Write};

pub struct Output {
    color: bool,
    /// The first failure to write standard output (a closed pipe aside).
    write_error: Option<std::io::Error>,
}

impl Output {
    pub fn new(choice: ColorChoice) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Output {
            color,
            write_error: None,
        }
    }

    pub fn palette(&self) -> Palette {
        Palette {
            enabled: self.color,
        }
    }

    pub fn print(&mut self, text: &str) {
        if self.write_error.is_some() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        let written = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
        match written {
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => self.write_error = Some(e),
            _ => {}
        }
    }

    /// Why standard output could not be written, if it could not.
    pub fn write_error(&self) -> Option<&std::io::Error> {
        self.write_error.as_ref()
    }

    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> Result<(), Failure> {
        if self.write_error.is_some() {
            return Ok(());
        }
        // Straight to standard output: a large report is not built twice.
        let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let written = serde_json::to_writer_pretty(&mut stdout, value)
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n"))
            .and_then(|()| stdout.flush());
        match written {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => self.write_error = Some(e),
            _ => {}
        }
        Ok(())
    }

    /// Text for the user that is not the report (a summary beside NDJSON, a note).
    pub fn error_text(&mut self, text: &str) {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    pub fn error(&mut self, message: &str, hint: Option<&str>) {
        let palette = Palette {
            enabled: self.color && std::io::stderr().is_terminal(),
        };
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{} {message}", palette.bad("error:"));
        if let Some(hint) = hint {
            let _ = writeln!(stderr, "  {} {hint}", palette.dim("hint:"));
        }
    }
}

/// A progress bar on standard error when it is a terminal and no JSON goes
/// to standard output; `progress(sent, known)` moves it.
pub fn progress_bar(verb: &str, json: bool) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || json {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {verb} {{pos}}/{{len}} requests {{wide_bar}} {{elapsed}}"
    )) {
        bar.set_style(style);
    }
    Some(bar)
}

impl Output {
    /// The error of a server that could not be reached, with its stage and hint.
    pub fn unreachable(&mut self, e: &cors_probe::error::ProbeError) {
        self.error(
            &format!(
                "could not reach the server: {e} (stage: {})",
                e.stage().id()
            ),
            e.hint(),
        );
    }
}
