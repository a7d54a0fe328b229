//! ## What it does
//! Flags NoSQL queries built from event data: DynamoDB PartiQL statements
//! (`execute_statement(Statement=...)`, `ExecuteStatementCommand`) formatted with event values,
//! DynamoDB condition, filter, key, update and projection expressions (`FilterExpression`,
//! `KeyConditionExpression`, `UpdateExpression`, …) with event text spliced in, MongoDB `$where` clauses containing event data, and query objects (or field values) taken
//! straight from parsed event JSON, which lets the sender inject operators such as `{"$ne":
//! null}`.
//!
//! ## Why is this bad?
//! A formatted PartiQL statement is SQL injection against your table; a DynamoDB expression
//! with event text in it lets the sender rewrite the condition (`x OR attribute_exists(pk)`),
//! widen a scan or update other attributes. A parsed JSON object used
//! as a Mongo filter lets the sender replace a value by an operator (`{"password": {"$ne": ""}}`
//! logs in without a password), and `$where` runs JavaScript on the database server.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import boto3
//!
//! ddb = boto3.client("dynamodb")
//!
//! def handler(event, context):
//!     order = event["pathParameters"]["id"]
//!     return ddb.execute_statement(Statement=f"SELECT * FROM Orders WHERE id = '{order}'")
//! ```
//!
//! Use instead:
//! ```python
//! import boto3
//!
//! ddb = boto3.client("dynamodb")
//!
//! def handler(event, context):
//!     order = event["pathParameters"]["id"]
//!     return ddb.execute_statement(
//!         Statement="SELECT * FROM Orders WHERE id = ?",
//!         Parameters=[{"S": order}],
//!     )
//! ```
//!
//! ## Remediation
//! Use PartiQL parameters (`?` with `Parameters`), or the key-value APIs (`GetItem`, `Query` with
//! `ExpressionAttributeValues`); keep DynamoDB expressions constant and pass every value as a
//! `:placeholder` in `ExpressionAttributeValues` (names in `ExpressionAttributeNames`). For MongoDB, build filters field by field from values converted
//! to the expected type (`str(...)`, `String(...)`), reject keys starting with `$`, and do not
//! use `$where`.
//!
//! ## References
//! - CWE-943: Improper Neutralization of Special Elements in Data Query Logic
//! - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
//! - https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct NosqlInjection;

static META: RuleMeta = RuleMeta {
    code: "INJ005",
    name: "nosql-injection",
    family: Family::Inj,
    summary: "A NoSQL query is built from event data",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("nosql_injection.rs"),
};

const REMEDIATION: &str = "Use PartiQL parameters, constant DynamoDB expressions with ExpressionAttributeValues, or key-value APIs; build Mongo filters from typed values, reject '$' keys, avoid $where.";

impl Rule for NosqlInjection {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::NoSql,
            "the sender can change what the query matches or run server-side JavaScript",
            REMEDIATION,
            app,
            out,
        );
    }
}
