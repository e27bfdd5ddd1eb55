//! Colours and marks for terminal output; a disabled palette emits plain
//! text (pipes, `NO_COLOR`, snapshots).

use anstyle::{AnsiColor, Style};

/// Which styles to use; `Palette::plain()` for no colour at all.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn plain() -> Palette {
        Palette { enabled: false }
    }

    pub fn colored() -> Palette {
        Palette { enabled: true }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.enabled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    pub fn bad(&self, text: &str) -> String {
        self.paint(AnsiColor::Red.on_default().bold(), text)
    }

    pub fn good(&self, text: &str) -> String {
        self.paint(AnsiColor::Green.on_default().bold(), text)
    }

    pub fn warn(&self, text: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default().bold(), text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    pub fn heading(&self, text: &str) -> String {
        self.paint(Style::new().bold().underline(), text)
    }

    pub fn strong(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    pub fn code(&self, text: &str) -> String {
        self.paint(AnsiColor::Cyan.on_default(), text)
    }
}
