//! ## What it does
//! Flags SQL statements built by concatenating or formatting event data and passed to a database:
//! DB-API `cursor.execute`/`executemany`, `sqlite3`, `pg`'s `client.query`, `mysql`'s
//! `connection.query`, `knex.raw`, `sequelize.query`, Go `db.Query`/`Exec`, JDBC `executeQuery`.
//! Parameterized queries (`execute(sql, params)` with a constant `sql`) are not reported.
//!
//! ## Why is this bad?
//! A quote in the event value ends the string literal and the rest is SQL: the sender reads other
//! tenants' rows, changes data or, depending on the database, runs commands. Lambda functions
//! often connect with a powerful database user from a secret, so the blast radius is the whole
//! database.
//!
//! The finding names who can choose the event (the function's triggers); it is critical
//! when an entry point is public (an unauthenticated route, a bucket anyone can write to) and
//! medium when only a schedule invokes the function.
//!
//! ## Example
//! ```python
//! import json
//! import psycopg2
//!
//! conn = psycopg2.connect()
//!
//! def handler(event, context):
//!     user = event["queryStringParameters"]["user"]
//!     cur = conn.cursor()
//!     cur.execute("SELECT * FROM orders WHERE owner = '" + user + "'")
//!     return json.dumps(cur.fetchall())
//! ```
//!
//! Use instead:
//! ```python
//! import json
//! import psycopg2
//!
//! conn = psycopg2.connect()
//!
//! def handler(event, context):
//!     user = event["queryStringParameters"]["user"]
//!     cur = conn.cursor()
//!     cur.execute("SELECT * FROM orders WHERE owner = %s", (user,))
//!     return json.dumps(cur.fetchall())
//! ```
//!
//! ## Remediation
//! Use parameterized queries: a constant SQL string with placeholders and the event values passed
//! separately (`execute(sql, params)`, `client.query(text, values)`, `db.Query(q, args...)`,
//! `PreparedStatement`). Identifiers (table, column, sort order) cannot be parameters: map them
//! through an allow-list.
//!
//! ## References
//! - CWE-89: Improper Neutralization of Special Elements used in an SQL Command
//! - https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html
//! - https://peps.python.org/pep-0249/#id15

use super::check_flows;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, SinkKind};

pub struct SqlInjection;

static META: RuleMeta = RuleMeta {
    code: "INJ004",
    name: "sql-injection",
    family: Family::Inj,
    summary: "SQL text is built from event data",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("sql_injection.rs"),
};

const REMEDIATION: &str = "Use a constant SQL string with placeholders and pass event values as parameters; allow-list identifiers.";

impl Rule for SqlInjection {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_flows(
            &META,
            SinkKind::Sql,
            "the sender can rewrite the query (`' OR '1'='1`, `; DROP TABLE`)",
            REMEDIATION,
            app,
            out,
        );
    }
}
