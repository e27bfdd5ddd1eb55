//! The `cors-doctor` binary: parses arguments, calls the handler of the
//! subcommand, prints errors and maps them to the documented exit codes.
//! No CORS logic lives here.

#![allow(clippy::print_stdout, clippy::print_stderr)] // the CLI is where output belongs

mod cli;
mod commands;
mod exit;
mod output;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command};
use exit::Failure;
use output::Output;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The async runtime, built only by the commands that do I/O (so `--version` stays instant).
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let mut out = Output::new(cli.color);
    let result = match &cli.command {
        Command::Check(args) => commands::check::run(args, &mut out),
        Command::Explain(args) => commands::explain::run(args, &mut out),
        Command::Scan(args) => commands::scan::run(args, &mut out),
        Command::Audit(args) => commands::audit::run(args, &mut out),
        Command::Verify(args) => commands::verify::run(args, &mut out),
        Command::Config(args) => commands::config::run(args, &mut out),
        Command::Har(args) => commands::har::run(args, &mut out),
        Command::Serve(args) => commands::serve::run(args, &mut out),
        Command::Proxy(args) => commands::proxy::run(args, &mut out),
        Command::Lab(args) => commands::lab::run(args, &mut out),
        Command::Demo(args) => commands::demo::run(args, &mut out),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "cors-doctor", &mut std::io::stdout());
            Ok(exit::OK)
        }
    };
    let code = match result {
        Ok(code) => code,
        Err(failure) => {
            out.error(&failure.message, failure.hint.as_deref());
            failure.code
        }
    };
    if let Some(e) = out.write_error() {
        let message = format!("cannot write the report to standard output: {e}");
        out.error(
            &message,
            Some("check the disk or the file standard output goes to"),
        );
        return ExitCode::from(exit::OUTPUT);
    }
    ExitCode::from(code)
}
