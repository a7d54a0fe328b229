//! ## What it does
//! Flags file operations whose path is built from event data: Python `open`, `os.remove`,
//! `send_file`, boto3 `download_file`'s target; Node `fs.readFile*`, `fs.writeFile*`,
//! `fs.createReadStream`; Go `os.Open`/`os.ReadFile`; Java `new File`, `Files.*`.
//! `os.path.basename`/`path.basename` of the value is not reported.
//!
//! ## Why is this bad?
//! With `../` (or an absolute path) in an object key or a path parameter, the sender reads files
//! of the function package and runtime (`/var/task`, `/proc/self/environ` with the role's
//! credentials) or overwrites files in `/tmp` that later code trusts.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! def handler(event, context):
//!     name = event["pathParameters"]["name"]
//!     with open("/var/task/templates/" + name) as fh:
//!         return {"statusCode": 200, "body": fh.read()}
//! ```
//!
//! Use instead:
//! ```python
//! import os
//!
//! def handler(event, context):
//!     name = os.path.basename(event["pathParameters"]["name"])
//!     with open(os.path.join("/var/task/templates", name)) as fh:
//!         return {"statusCode": 200, "body": fh.read()}
//! ```
//!
//! ## Remediation
//! Keep only the last component (`os.path.basename`, `path.basename`, `filepath.Base`), or
//! resolve the path and check that it stays under the intended folder; better, map event values
//! to files through an allow-list. Write downloads to names you generate (`uuid4()`).
//!
//! ## References
//! - CWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')
//! - https://owasp.org/www-community/attacks/Path_Traversal
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct PathTraversal;

static META: RuleMeta = RuleMeta {
    code: "INJ006",
    name: "path-traversal",
    family: Family::Inj,
    summary: "A file path is built from event data",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("path_traversal.rs"),
};

const REMEDIATION: &str = "Reduce event values to a base name or an allow-listed name, or resolve and check the path stays under its folder.";

impl Rule for PathTraversal {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::Path,
            "`../` in it reaches files outside the intended folder",
            REMEDIATION,
            app,
            out,
        );
    }
}
