//! The terminal report of `scan`: the matrix (origins × request kinds ×
//! credentials; per-browser marks only where browsers differ), the summary
//! in words, and the security findings with their evidence.

use crate::style::Palette;
use cors_engine::Verdict;
use cors_probe::scan::{Cell, ScanReport};
use cors_probe::scan_analysis::{ScanAnalysis, Severity};
use cors_probe::scan_matrix::OriginRole;
use std::fmt::Write;

fn mark(cell: &Cell, p: &Palette) -> String {
    if cell.all_allowed() {
        p.good("✓")
    } else if cell.none_allowed() {
        p.bad("✗")
    } else {
        cell.browsers
            .iter()
            .map(|b| {
                let letter = &b.browser.id()[..1].to_ascii_uppercase();
                if b.verdict == Verdict::Allowed {
                    p.good(&format!("{letter}✓"))
                } else {
                    p.bad(&format!("{letter}✗"))
                }
            })
            .collect::<Vec<_>>()
            .join("")
    }
}

fn visible_width(text: &str) -> usize {
    // Marks are one column wide; ANSI codes are zero.
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

fn pad(text: &str, width: usize) -> String {
    format!(
        "{text}{}",
        " ".repeat(width.saturating_sub(visible_width(text)))
    )
}

pub fn render_scan(report: &ScanReport, analysis: &ScanAnalysis, p: &Palette) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", p.strong("cors-doctor scan"), report.url);
    let _ = writeln!(
        out,
        "  {} origins × {} request kinds × 2 credentials modes × {} browser{} · {} requests sent (each distinct request once){}",
        report.origins.len(),
        report.kinds.len(),
        report.browsers.len(),
        if report.browsers.len() == 1 { "" } else { "s" },
        report.requests_sent,
        if report.advertised_methods.is_empty() { String::new() } else { format!(" · advertised methods: {}", report.advertised_methods.join(", ")) }
    );
    out.push('\n');
    let origin_width = report
        .origins
        .iter()
        .map(|o| o.origin.serialize().len())
        .max()
        .unwrap_or(10)
        .min(64)
        + 2;
    let grid: Vec<Vec<String>> = (0..report.origins.len())
        .map(|oi| {
            (0..report.kinds.len())
                .map(
                    |ki| match (report.cell(oi, ki, false), report.cell(oi, ki, true)) {
                        (Some(a), Some(b)) => format!("{}│{}", mark(a, p), mark(b, p)),
                        _ => "-".to_string(),
                    },
                )
                .collect()
        })
        .collect();
    // Each column as wide as its label or its widest cell.
    let widths: Vec<usize> = report
        .kinds
        .iter()
        .enumerate()
        .map(|(ki, k)| {
            grid.iter()
                .map(|row| visible_width(&row[ki]))
                .chain([k.label.chars().count()])
                .max()
                .unwrap_or(3)
                + 2
        })
        .collect();
    let mut header = pad("origin", origin_width);
    for (kind, width) in report.kinds.iter().zip(&widths) {
        header.push_str(&pad(&kind.label, *width));
    }
    let _ = writeln!(out, "{}", p.heading(header.trim_end()));
    for (o, row) in report.origins.iter().zip(&grid) {
        let tag = match o.role {
            OriginRole::User => "",
            OriginRole::Variant => "~",
            OriginRole::Attack(_) => "!",
        };
        let mut line = pad(&format!("{tag}{}", o.origin.serialize()), origin_width);
        for (text, width) in row.iter().zip(&widths) {
            line.push_str(&pad(text, *width));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "{}", p.dim("  each column: without │ with credentials · ✓ allowed in every browser · ✗ blocked in every browser · C/F/W = Chromium/Firefox/WebKit where they differ · ~ near miss of your origin · ! attacker-shaped origin"));
    out.push('\n');
    let _ = writeln!(out, "{}", p.heading("Summary"));
    for line in &analysis.summary {
        let _ = writeln!(out, "  - {line}");
    }
    out.push('\n');
    let findings = &analysis.security;
    let _ = writeln!(out, "{}", p.heading("Security"));
    if findings.is_empty() {
        let _ = writeln!(out, "  no attacker-shaped origin is allowed");
    }
    for f in findings {
        let label = match f.severity {
            Severity::Critical | Severity::High => p.bad(&f.severity.id().to_ascii_uppercase()),
            Severity::Medium => p.warn(&f.severity.id().to_ascii_uppercase()),
            _ => p.dim(&f.severity.id().to_ascii_uppercase()),
        };
        let _ = writeln!(out, "  {label} [{}] {}", f.id, f.title);
        let _ = writeln!(
            out,
            "    evidence: Origin: {} · {} {} credentials → Access-Control-Allow-Origin: {} · Access-Control-Allow-Credentials: {} · allowed in {}",
            f.origin,
            f.request,
            if f.credentials { "with" } else { "without" },
            f.allow_origin.as_deref().unwrap_or("(absent)"),
            f.allow_credentials.as_deref().unwrap_or("(absent)"),
            f.browsers.iter().map(|b| b.id()).collect::<Vec<_>>().join(", ")
        );
    }
    out
}
