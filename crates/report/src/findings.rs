//! Merges per-browser findings into one list for the report: the same
//! condition found by several browsers is one entry that names them all and
//! carries each browser's own console message. Order is deterministic.

use cors_engine::{Browser, Finding, FindingId, Outcome, Severity, Stage};

/// One condition, as found by one or more browsers.
#[derive(Clone, Debug)]
pub struct MergedFinding {
    pub id: FindingId,
    pub stage: Stage,
    pub severity: Severity,
    pub browsers: Vec<Browser>,
    /// The first browser's finding (values, fix, explanation).
    pub finding: Finding,
    /// Each browser's console message for it.
    pub messages: Vec<(Browser, String)>,
}

/// All findings, blocking first, then by catalogue order and stage.
pub fn merge(outcome: &Outcome, extra: &[Finding]) -> Vec<MergedFinding> {
    let mut merged: Vec<MergedFinding> = Vec::new();
    for finding in outcome.browsers.iter().flat_map(|b| b.findings.iter()) {
        match merged
            .iter_mut()
            .find(|m| m.id == finding.id && m.stage == finding.stage)
        {
            Some(m) => {
                if !m.browsers.contains(&finding.browser) {
                    m.browsers.push(finding.browser);
                }
                m.severity = m.severity.min(finding.severity);
                if let Some(text) = &finding.message {
                    m.messages.push((finding.browser, text.clone()));
                }
            }
            None => merged.push(MergedFinding {
                id: finding.id,
                stage: finding.stage,
                severity: finding.severity,
                browsers: vec![finding.browser],
                finding: finding.clone(),
                messages: finding
                    .message
                    .iter()
                    .map(|t| (finding.browser, t.clone()))
                    .collect(),
            }),
        }
    }
    // Findings that need several requests concern the server, so every browser.
    for finding in extra {
        merged.push(MergedFinding {
            id: finding.id,
            stage: finding.stage,
            severity: finding.severity,
            browsers: outcome.browsers.iter().map(|b| b.browser).collect(),
            finding: finding.clone(),
            messages: Vec::new(),
        });
    }
    // A confirmed reflection supersedes the single-request suspicion.
    if merged
        .iter()
        .any(|m| m.id == FindingId::ReflectedOriginWithoutVary)
    {
        merged.retain(|m| m.id != FindingId::AllowOriginWithoutVary);
    }
    merged.sort_by_key(|m| (m.severity, m.id, m.stage));
    merged
}
