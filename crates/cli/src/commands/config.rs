//! `cors-doctor config`: a policy (a file, flags for one rule, or the
//! request `--from-check` runs) → the chosen target's configuration on
//! standard output; `--list` → the targets.

use clap::Parser;

use crate::cli::{ConfigArgs, FromCheckArgs};
use crate::commands::check;
use crate::commands::verify::load_policy;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_config::{rule_for_request, Target};
use cors_engine::{Cause, Request};
use cors_policy::{Policy, RuleSpec};
use cors_report::FixConfig;

pub fn run(args: &ConfigArgs, out: &mut Output) -> Result<u8, Failure> {
    if args.list {
        let mut text = String::new();
        for t in Target::ALL {
            let proven = if t.verified_here() {
                "verified here: the tests start the real server with it and run verify"
            } else {
                "not verified here"
            };
            text.push_str(&format!("{:<10} {} — {proven}\n", t.id(), t.name()));
        }
        out.print(&text);
        return Ok(exit::OK);
    }
    let target = target(args.target.as_deref().unwrap_or_default())?;
    let policy = if let Some(check_args) = &args.from_check {
        match from_check(check_args, out)? {
            Ok(policy) => policy,
            Err(code) => return Ok(code),
        }
    } else if !args.origins.is_empty() {
        let spec = RuleSpec {
            // Only the path matters to a configuration; verify needs a base URL.
            base_url: "https://api.example.com".to_string(),
            path: args.path.clone(),
            // A concrete path under the pattern, for verify.
            probe: vec![cors_config::path_prefix(&args.path).0.to_string()],
            allow_origins: args.origins.clone(),
            methods: args.methods.clone(),
            request_headers: args.headers.clone(),
            credentials: args.credentials,
            expose_headers: args.expose.clone(),
            max_age: args.max_age,
        };
        checked(&spec, "the command line")?
    } else if let Some(file) = &args.policy {
        load_policy(file)?
    } else {
        return Err(Failure::usage(
            "which policy? pass --policy FILE, --origin ORIGIN (with --methods, --headers, …), or --from-check URL and check's options",
        )
        .with_hint("cors-doctor config --target nginx --origin https://app.example.com"));
    };
    let text = target
        .generate(&policy)
        .map_err(|e| Failure::usage(format!("{}: {e}", target.id())))?;
    out.print(&text);
    Ok(exit::OK)
}

pub(crate) fn target(id: &str) -> Result<Target, Failure> {
    Target::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Target::ALL.iter().map(|t| t.id()).collect();
        Failure::usage(format!(
            "unknown target `{id}`: use one of {}",
            ids.join(", ")
        ))
    })
}

/// The policy of a one-rule spec, with the checks a policy file gets; a
/// mistake is told by its message alone, not a line of a file the user
/// never wrote.
fn spec_policy(spec: &RuleSpec, source: &str) -> Result<Policy, String> {
    let (policy, warnings) = spec.policy(source).map_err(|rejected| {
        let messages: Vec<String> = rejected
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        format!("{source} cannot make a policy: {}", messages.join("; "))
    })?;
    for w in &warnings {
        eprintln!("warning: {}", w.message);
    }
    Ok(policy)
}

fn checked(spec: &RuleSpec, source: &str) -> Result<Policy, Failure> {
    spec_policy(spec, source).map_err(Failure::usage)
}

/// The policy for one request: the rule that lets it through in every browser.
fn policy_for(request: &Request) -> Result<Policy, Failure> {
    let spec = rule_for_request(request).map_err(Failure::usage)?;
    checked(&spec, "the checked request")
}

/// `check --fix-for`: the configuration for the checked request, or why
/// there is none.
pub(crate) fn fix_config(target: Target, report: &cors_probe::CheckReport) -> FixConfig {
    let configuration = rule_for_request(&report.request)
        .and_then(|spec| spec_policy(&spec, "the checked request"))
        .and_then(|policy| target.generate(&policy));
    FixConfig {
        target: target.id().to_string(),
        target_name: target.name().to_string(),
        verified_here: target.verified_here(),
        needed: !report.all_allowed(),
        configuration,
    }
}

/// `--from-check`: runs the check, says on standard error what it found,
/// and returns the policy for its request (or the exit code when the
/// server could not be reached).
fn from_check(check_args: &[String], out: &mut Output) -> Result<Result<Policy, u8>, Failure> {
    let parsed = FromCheckArgs::try_parse_from(check_args)
        .map_err(|e| Failure::usage(format!("--from-check: {}", e.render().to_string().trim())))?;
    let prepared = check::prepare(&parsed.check)?;
    let runtime = crate::runtime()?;
    let report = runtime.block_on(check::execute(&prepared))?;
    let code = check::exit_code(&report);
    if code == exit::UNREACHABLE || code == exit::USAGE {
        if let Some(e) = report.network_error() {
            out.error(
                &format!(
                    "--from-check could not run the check: {e} (stage: {})",
                    e.stage().id()
                ),
                e.hint(),
            );
        }
        return Ok(Err(code));
    }
    let verdict = if report.all_allowed() {
        "every browser already allows this request; this configuration keeps it so".to_string()
    } else {
        let blocked: Vec<&str> = report
            .outcome
            .browsers
            .iter()
            .filter(|b| b.verdict != cors_engine::Verdict::Allowed)
            .map(|b| b.browser.display_name())
            .collect();
        format!(
            "blocked in {} today; this configuration lets exactly this request through (`cors-doctor check` shows why it is blocked)",
            blocked.join(", ")
        )
    };
    eprintln!("{}: {verdict}", prepared.check.request.url);
    // What headers cannot undo: say so before the user applies them.
    let beyond: Vec<String> = report
        .outcome
        .browsers
        .iter()
        .filter_map(|b| b.blocking())
        .filter(|f| {
            // A redirected preflight: answering it here does not stop the
            // application from redirecting the request itself (http → https).
            f.id.slug() == "preflight-redirect"
                || matches!(
                    f.entry().cause,
                    Cause::RedirectBlocked
                        | Cause::HttpVsHttps
                        | Cause::ClientMistake
                        | Cause::LocalNetworkAccess
                )
        })
        .map(|f| format!("{} [{}]: {}", f.entry().title, f.id.slug(), f.fix()))
        .collect();
    if let Some(first) = beyond.first() {
        eprintln!(
            "warning: this configuration does not fix what blocks it in {} browser(s): {first}",
            beyond.len()
        );
    }
    Ok(Ok(policy_for(&prepared.check.request)?))
}
