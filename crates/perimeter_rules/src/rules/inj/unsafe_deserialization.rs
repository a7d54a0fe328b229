//! ## What it does
//! Flags handler code where event data reaches a deserializer that can instantiate arbitrary
//! types: Python `pickle.loads`, `marshal.loads`, `jsonpickle.decode`, `yaml.load` without a safe
//! loader and `yaml.unsafe_load`; Node `node-serialize`'s `unserialize`; Java
//! `ObjectInputStream.readObject`.
//!
//! ## Why is this bad?
//! These formats describe objects to build, and building them runs code (`__reduce__`, gadget
//! chains, serialized functions): whoever chooses the bytes runs code in the function. Queue
//! messages and object bodies are often trusted because "only our services write them", which is
//! exactly what an attacker with write access to the queue or bucket exploits.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import base64
//! import pickle
//!
//! def handler(event, context):
//!     for record in event["Records"]:
//!         job = pickle.loads(base64.b64decode(record["body"]))
//!         job.run()
//! ```
//!
//! Use instead:
//! ```python
//! import json
//!
//! def handler(event, context):
//!     for record in event["Records"]:
//!         job = json.loads(record["body"])
//!         run_job(job["name"], job["args"])
//! ```
//!
//! ## Remediation
//! Exchange data, not objects: JSON (`json.loads`, `JSON.parse`) with a schema check,
//! `yaml.safe_load`. If objects must be serialized, sign the payload (HMAC) and verify it before
//! deserializing.
//!
//! ## References
//! - CWE-502: Deserialization of Untrusted Data
//! - https://docs.python.org/3/library/pickle.html
//! - https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct UnsafeDeserialization;

static META: RuleMeta = RuleMeta {
    code: "INJ003",
    name: "unsafe-deserialization",
    family: Family::Inj,
    summary: "Event data is deserialized with a format that can run code",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("unsafe_deserialization.rs"),
};

const REMEDIATION: &str = "Use a data-only format (JSON, yaml.safe_load) validated against a schema, or verify an HMAC before deserializing.";

impl Rule for UnsafeDeserialization {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::Deserialization,
            "deserializing it can construct arbitrary objects and run code",
            REMEDIATION,
            app,
            out,
        );
    }
}
