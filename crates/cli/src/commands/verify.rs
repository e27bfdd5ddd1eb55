//! `cors-doctor verify`: the policy file → the requests that decide it →
//! the report (text or JSON, plus JUnit, SARIF and GitHub annotations) and
//! the exit code (0 holds, 1 violated, 2 bad policy or usage, 3 unreachable).

use crate::cli::VerifyArgs;
use crate::commands::check::{
    client, parse_browsers, parse_http_url, parse_origin, transport_options,
};
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_policy::{Level, Policy};
use cors_probe::flows::Limits;
use cors_probe::scan::{run_scan, ScanRequest};
use cors_probe::scan_analysis::analyse;
use cors_probe::verify::{run_verify, VerifyRequest};
use std::io::{Read, Write};

/// The largest policy file read (a policy of thousands of rules is a few
/// hundred KiB): anything larger is not a policy, and is refused before it
/// fills memory.
const MAX_POLICY_BYTES: u64 = 16 << 20;

pub(crate) fn read_policy(path: &str) -> Result<(String, String), Failure> {
    let (file, source): (String, Box<dyn Read>) = if path == "-" {
        ("<stdin>".to_string(), Box::new(std::io::stdin()))
    } else {
        let opened = std::fs::File::open(path)
            .map_err(|e| Failure::usage(format!("cannot read the policy file {path}: {e}")))?;
        (path.to_string(), Box::new(opened))
    };
    let mut text = String::new();
    source
        .take(MAX_POLICY_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read the policy {file}: {e}")))?;
    if text.len() as u64 > MAX_POLICY_BYTES {
        return Err(Failure::usage(format!(
            "the policy {file} is larger than {} MiB: not read",
            MAX_POLICY_BYTES >> 20
        )));
    }
    Ok((file, text))
}

/// The policy at `path` (`-`: standard input), checked; its warnings are
/// printed on standard error.
pub(crate) fn load_policy(path: &str) -> Result<Policy, Failure> {
    let (file, text) = read_policy(path)?;
    let (policy, warnings) = Policy::parse(&text, &file)
        .map_err(|rejected| Failure::usage(format!("the policy cannot be used:\n{rejected}")))?;
    for w in &warnings {
        eprintln!("{w}");
    }
    Ok(policy)
}

pub fn run(args: &VerifyArgs, out: &mut Output) -> Result<u8, Failure> {
    if let Some(url) = &args.init {
        return init(args, url, out);
    }
    let (file, text) = read_policy(args.policy.as_deref().unwrap_or("-"))?;
    let (mut policy, warnings) = Policy::parse(&text, &file)
        .map_err(|rejected| Failure::usage(format!("the policy cannot be used:\n{rejected}")))?;
    let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let mut annotations: Vec<String> = Vec::new();
    for w in &warnings {
        eprintln!("{w}");
        if github {
            annotations.push(format!(
                "::warning file={},line={},col={}::{}",
                cors_report::verify_ci::gh_escape(&w.file, true),
                w.at.line,
                w.at.column,
                cors_report::verify_ci::gh_escape(&w.message, false)
            ));
        }
        debug_assert!(w.level == Level::Warning);
    }
    for base in &args.base_url {
        let (name, url) = match base.split_once('=') {
            Some((name, url)) if !name.contains("://") => (Some(name), url),
            _ => (None, base.as_str()),
        };
        let url = parse_http_url(url, "--base-url")?;
        policy
            .override_base_url(name, &url)
            .map_err(Failure::usage)?;
    }
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    let (transport, _) = transport_options(&args.network)?;
    let request = VerifyRequest {
        policy,
        browsers: parse_browsers(&args.browser)?,
        limits: Limits::new(args.concurrency, (args.rate > 0).then_some(args.rate)),
    };
    let client = client(&transport)?;
    let bar = crate::output::progress_bar("verifying", args.json);
    let progress = |sent: usize, known: usize| {
        if let Some(bar) = &bar {
            bar.set_length(known as u64);
            bar.set_position(sent as u64);
        }
    };
    let runtime = crate::runtime()?;
    let report = runtime.block_on(run_verify(&request, &client, &progress));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if let Some(path) = &args.junit {
        write_file(path, &cors_report::verify_ci::junit(&report), "--junit")?;
    }
    if let Some(path) = &args.sarif {
        let sarif = cors_report::verify_ci::sarif(&report);
        let text = serde_json::to_string_pretty(&sarif)
            .map_err(|e| Failure::usage(format!("cannot encode the SARIF report: {e}")))?;
        write_file(path, &text, "--sarif")?;
    }
    if args.json {
        out.json(&cors_report::verify::to_json(&report))?;
    } else {
        out.print(&cors_report::verify::render_text(&report, &out.palette()));
    }
    if github {
        annotations.extend(cors_report::verify_ci::github_annotations(&report));
        // Workflow commands are read from standard output; beside a JSON
        // document they go to standard error so that the document stays valid.
        let text: String = annotations.iter().map(|a| format!("{a}\n")).collect();
        if args.json {
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            out.print(&text);
        }
    }
    if let Some(e) = &report.network_error {
        out.unreachable(e);
        return Ok(exit::UNREACHABLE);
    }
    Ok(if report.holds() {
        exit::OK
    } else {
        exit::BLOCKED
    })
}

fn write_file(path: &std::path::Path, text: &str, flag: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure {
        code: exit::OUTPUT,
        message: format!("{flag}: cannot write {}: {e}", path.display()),
        hint: None,
    })
}

/// `--init`: scan the endpoint from the user's origins and write the policy
/// it implies (standard output, or a new file).
fn init(args: &VerifyArgs, url: &str, out: &mut Output) -> Result<u8, Failure> {
    let url = parse_http_url(url, "--init")?;
    let user_origins = args
        .origin
        .iter()
        .map(|o| parse_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = args.policy.as_deref().filter(|p| *p != "-") {
        if std::path::Path::new(path).exists() {
            return Err(Failure::usage(format!(
                "{path} exists: --init writes a new policy and does not overwrite one"
            )));
        }
    }
    let (transport, _) = transport_options(&args.network)?;
    let scan = ScanRequest {
        url,
        user_origins,
        methods: Vec::new(),
        headers: Vec::new(),
        browsers: parse_browsers(&args.browser)?,
        concurrency: args.concurrency.max(1),
        rate_per_second: (args.rate > 0).then_some(args.rate),
    };
    let client = client(&transport)?;
    let runtime = crate::runtime()?;
    let report = runtime.block_on(run_scan(&scan, &client, &|_, _| {}));
    if let Some(e) = &report.network_error {
        out.unreachable(e);
        return Ok(exit::UNREACHABLE);
    }
    let analysis = analyse(&report);
    let text = cors_report::policy_init::starting_policy(&report, &analysis);
    match args.policy.as_deref().filter(|p| *p != "-") {
        Some(path) => {
            write_file(std::path::Path::new(path), &text, "--init")?;
            eprintln!("wrote {path}: review it, then run `cors-doctor verify {path}`");
        }
        None => out.print(&text),
    }
    Ok(exit::OK)
}
