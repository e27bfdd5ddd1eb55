//! `cors-doctor har`: reads a HAR file as a stream (a byte progress bar on
//! a terminal for large files), has `cors-har` judge it through the engine
//! and prints the report.

use std::io::{IsTerminal, Read};

use crate::cli::HarArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::Browser;
use cors_har::{judge, read_har, recording_browser, Limits};
use cors_report::har::{har_to_json, render_har};

/// Files above this size get a progress bar (on a terminal).
const PROGRESS_FROM: u64 = 64 * 1024 * 1024;

pub fn run(args: &HarArgs, out: &mut Output) -> Result<u8, Failure> {
    let chosen = match &args.browser {
        None => None,
        Some(id) => Some(Browser::from_id(id).ok_or_else(|| {
            Failure::usage(format!("unknown browser `{id}`"))
                .with_hint("use chromium, firefox or webkit (or chrome, edge, safari)")
        })?),
    };
    let (name, input, size): (String, Box<dyn Read>, Option<u64>) = if args.file == "-" {
        (
            "<stdin>".to_string(),
            Box::new(std::io::stdin().lock()),
            None,
        )
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| Failure::usage(format!("cannot read the HAR file {}: {e}", args.file)))?;
        let size = file.metadata().ok().map(|m| m.len());
        (args.file.clone(), Box::new(file), size)
    };
    let input = std::io::BufReader::with_capacity(256 * 1024, input);
    let bar = match size {
        Some(size) if size >= PROGRESS_FROM && std::io::stderr().is_terminal() && !args.json => {
            let bar = indicatif::ProgressBar::new(size);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
            ) {
                bar.set_style(style);
            }
            Some(bar)
        }
        _ => None,
    };
    let read: Box<dyn Read> = match &bar {
        Some(bar) => Box::new(bar.wrap_read(input)),
        None => Box::new(input),
    };
    let har = read_har(read, &Limits::default(), &mut |_| {});
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let har = har.map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    let (browser, evidence) = match chosen {
        Some(b) => (b, "chosen with --browser".to_string()),
        None => recording_browser(&har),
    };
    let report = judge(&har, browser, evidence);
    if args.json {
        out.json(&har_to_json(&report, &name, args.show_secrets))?;
    } else {
        out.print(&render_har(
            &report,
            &name,
            &out.palette(),
            args.show_secrets,
        ));
    }
    Ok(if report.any_blocked() {
        exit::BLOCKED
    } else {
        exit::OK
    })
}
