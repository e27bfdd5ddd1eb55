//! `cors-doctor config`: a policy file → the chosen target's configuration
//! on standard output; `--list` → the targets.

use crate::cli::ConfigArgs;
use crate::commands::verify::read_policy;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_config::Target;
use cors_policy::Policy;

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
    let id = args.target.as_deref().unwrap_or_default();
    let target = Target::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Target::ALL.iter().map(|t| t.id()).collect();
        Failure::usage(format!(
            "unknown target `{id}`: use one of {}",
            ids.join(", ")
        ))
    })?;
    let (file, text) = read_policy(args.policy.as_deref().unwrap_or("-"))?;
    let (policy, warnings) = Policy::parse(&text, &file)
        .map_err(|rejected| Failure::usage(format!("the policy cannot be used:\n{rejected}")))?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let text = target
        .generate(&policy)
        .map_err(|e| Failure::usage(format!("{}: {e}", target.id())))?;
    out.print(&text);
    Ok(exit::OK)
}
