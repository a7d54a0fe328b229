//! ## What it does
//! Flags handler code where event data reaches an evaluator: Python `eval`, `exec`, `compile`;
//! JavaScript `eval`, `Function(...)`/`new Function`, `vm.runIn*Context`,
//! `setTimeout`/`setInterval` with a string; a Java `ScriptEngine.eval`. A constant string is not
//! reported.
//!
//! ## Why is this bad?
//! Evaluating a string built from the event lets its sender run arbitrary code inside the
//! function, with its role's permissions and its secrets in the environment. "Calculator" and
//! "formula" features built on `eval` are a classic way in.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import json
//!
//! def handler(event, context):
//!     body = json.loads(event["body"])
//!     return {"result": eval(body["expression"])}
//! ```
//!
//! Use instead:
//! ```python
//! import ast
//! import json
//!
//! def handler(event, context):
//!     body = json.loads(event["body"])
//!     return {"result": ast.literal_eval(body["expression"])}
//! ```
//!
//! ## Remediation
//! Never evaluate event data. Parse it instead (`json.loads`, `ast.literal_eval`, `JSON.parse`),
//! or interpret a small, explicit grammar (a table of allowed operations).
//!
//! ## References
//! - CWE-94: Improper Control of Generation of Code ('Code Injection')
//! - https://owasp.org/www-community/attacks/Code_Injection
//! - https://docs.python.org/3/library/ast.html#ast.literal_eval

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct CodeInjection;

static META: RuleMeta = RuleMeta {
    code: "INJ002",
    name: "code-injection",
    family: Family::Inj,
    summary: "Event data is evaluated as code",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("code_injection.rs"),
};

const REMEDIATION: &str = "Parse event data (json, ast.literal_eval, JSON.parse) or map it to an allow-listed operation instead of evaluating it.";

impl Rule for CodeInjection {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::Code,
            "the runtime executes whatever code the sender writes",
            REMEDIATION,
            app,
            out,
        );
    }
}
