//! Builders for unit tests of IAM and SEC rules: small `App`s written in code.

use crate::{Finding, Rule};
use perimeter_model::{
    App, Attr, Effect, EnvVar, Function, Location, Policy, PolicySource, Role, SourceKind,
    Statement, Value,
};

pub fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 3)
}

pub fn app() -> App {
    App::new("template.yaml", "test", SourceKind::Sam, "template.yaml")
}

/// A statement `effect` of `actions` on `resources`, all written at `line`.
pub fn stmt(effect: Effect, actions: &[&str], resources: &[&str], line: u32) -> Statement {
    let mut s = Statement::new(loc(line));
    s.effect = Value::Known(effect);
    s.actions = actions
        .iter()
        .map(|a| Attr::explicit(a.to_string(), loc(line)))
        .collect();
    s.resources = resources
        .iter()
        .map(|r| Attr::explicit(r.to_string(), loc(line)))
        .collect();
    s
}

pub fn allow(actions: &[&str], resources: &[&str], line: u32) -> Statement {
    stmt(Effect::Allow, actions, resources, line)
}

/// A role with one inline policy of `statements`.
pub fn role(id: &str, statements: Vec<Statement>) -> Role {
    let mut r = Role::new(id, loc(1), false);
    r.policies.push(Policy {
        name: "inline".into(),
        source: PolicySource::Inline,
        location: loc(1),
        statements,
    });
    r
}

/// A function running with role `role_id`.
pub fn function(id: &str, role_id: &str, line: u32) -> Function {
    let mut f = Function::new(id, loc(line));
    f.role = Attr::explicit(role_id.to_string(), loc(line + 1));
    f
}

pub fn env(name: &str, value: &str, line: u32) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Attr::explicit(value.to_string(), loc(line)),
        location: loc(line),
    }
}

/// An app with one function `Fn` running with `role`.
pub fn app_with_role(role: Role) -> App {
    let mut a = app();
    a.functions.push(function("Fn", &role.id, 10));
    a.roles.push(role);
    a
}

/// An app with one function `Fn` (role `R`) whose environment is `vars`.
pub fn app_with_env(vars: Vec<EnvVar>) -> App {
    let mut a = app();
    let mut f = function("Fn", "R", 3);
    f.environment = vars;
    a.functions.push(f);
    a
}

pub fn run(rule: &dyn Rule, app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    rule.check(app, &mut out);
    out
}
