//! ## What it does
//! Flags outbound HTTP requests whose URL (its host, not only a path under a fixed host) comes
//! from event data: Python `requests`, `httpx`, `urllib.request.urlopen`; Node
//! `http(s).get/request`, `axios`, `fetch`, `got`; Go `http.Get`/`NewRequest`; Java `new
//! URL(...)`. A URL that starts with a constant `https://host/` is not reported.
//!
//! ## Why is this bad?
//! The function runs inside your network and with an AWS role: a chosen URL reaches VPC-internal
//! services, other functions' URLs and APIs that trust the caller's network position, and makes
//! the function a proxy for scanning or for exfiltration. In a Lambda the role's credentials are
//! in the environment, so a response reflected to the sender can leak more than the target page.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import requests
//!
//! def handler(event, context):
//!     url = event["queryStringParameters"]["callback"]
//!     return {"statusCode": requests.get(url, timeout=5).status_code}
//! ```
//!
//! Use instead:
//! ```python
//! from urllib.parse import urlparse
//!
//! import requests
//!
//! ALLOWED_HOSTS = {"hooks.example.com"}
//!
//! def handler(event, context):
//!     url = event["queryStringParameters"]["callback"]
//!     if urlparse(url).hostname not in ALLOWED_HOSTS:
//!         return {"statusCode": 400}
//!     return {"statusCode": requests.get(url, timeout=5).status_code}
//! ```
//!
//! ## Remediation
//! Do not let the event choose the host: use a fixed base URL and put event values in the path or
//! query (encoded), or check the parsed host against an allow-list (and the resolved address
//! against private ranges) before the request.
//!
//! ## References
//! - CWE-918: Server-Side Request Forgery (SSRF)
//! - https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct Ssrf;

static META: RuleMeta = RuleMeta {
    code: "INJ007",
    name: "server-side-request-forgery",
    family: Family::Inj,
    summary: "An outbound request URL is chosen by event data",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("ssrf.rs"),
};

const REMEDIATION: &str = "Use a fixed base URL, or check the parsed host against an allow-list (and private address ranges) before the request.";

impl Rule for Ssrf {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::Ssrf,
            "the sender makes the function call any URL, including internal endpoints",
            REMEDIATION,
            app,
            out,
        );
    }
}
