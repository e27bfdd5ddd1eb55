//! Where output goes and whether it is coloured: colours only on a
//! terminal, never with NO_COLOR, unless --color says otherwise.

use crate::cli::ColorChoice;
use crate::exit::Failure;
use cors_report::Palette;
use std::io::{IsTerminal, Write};

pub struct Output {
    color: bool,
}

impl Output {
    pub fn new(choice: ColorChoice) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Output { color }
    }

    pub fn palette(&self) -> Palette {
        Palette {
            enabled: self.color,
        }
    }

    pub fn print(&mut self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
        self.print(&text);
        self.print("\n");
        Ok(())
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
