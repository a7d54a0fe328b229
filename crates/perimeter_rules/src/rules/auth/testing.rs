//! Test-only builders of small models, shared by the AUTH, DOW, LOG, DEP and SIGN rule tests
//! and the exposure tests (the loader is not needed to test rule logic).

use crate::{Finding, Rule};
use perimeter_model::{
    Api, ApiKind, App, Attr, Auth, Function, FunctionUrl, HttpRoute, Location, Permission, Policy,
    PolicySource, Role, SourceKind, Statement, Trigger, TriggerKind,
};

pub fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 5)
}

pub fn app() -> App {
    App::new(
        "template.yaml",
        "template",
        SourceKind::Sam,
        "template.yaml",
    )
}

/// A zip function on python3.12 with role `{id}Role`.
pub fn function(id: &str) -> Function {
    let mut f = Function::new(id, loc(2));
    f.runtime = Attr::explicit("python3.12".into(), loc(3));
    f.handler = Attr::explicit("app.handler".into(), loc(4));
    f.role = Attr::defaulted(format!("{id}Role"), loc(2));
    f
}

/// A REST API route on the implicit `ServerlessRestApi`.
pub fn api_trigger(id: &str, method: &str, path: &str, auth: Auth) -> Trigger {
    Trigger {
        id: id.into(),
        kind: TriggerKind::Api,
        type_name: "Api".into(),
        location: loc(30),
        source: Some(Attr::explicit("ServerlessRestApi".into(), loc(30))),
        http: Some(HttpRoute {
            api: Some("ServerlessRestApi".into()),
            method: method.into(),
            path: path.into(),
            auth: Attr::defaulted(auth, loc(31)),
            api_key_required: Attr::defaulted(false, loc(31)),
            private: Attr::defaulted(false, loc(31)),
            cors: None,
        }),
    }
}

/// A non-HTTP trigger whose source is the resource `source`.
pub fn source_trigger(id: &str, kind: TriggerKind, source: &str) -> Trigger {
    Trigger {
        id: id.into(),
        kind,
        type_name: format!("{kind:?}"),
        location: loc(40),
        source: Some(Attr::explicit(source.into(), loc(41))),
        http: None,
    }
}

pub fn rest_api(id: &str) -> Api {
    Api::new(id, ApiKind::Rest, loc(50))
}

pub fn url(auth: &str) -> FunctionUrl {
    FunctionUrl {
        auth_type: Attr::explicit(auth.into(), loc(60)),
        cors: None,
        location: loc(59),
    }
}

pub fn permission(id: &str, function: &str, principal: &str) -> Permission {
    Permission {
        id: id.into(),
        function: Attr::explicit(function.into(), loc(70)),
        action: Attr::explicit("lambda:InvokeFunction".into(), loc(71)),
        principal: Attr::explicit(principal.into(), loc(72)),
        source_arn: None,
        source_account: None,
        principal_org_id: None,
        function_url_auth_type: None,
        location: loc(69),
    }
}

/// A role with one inline policy holding one Allow statement of `actions` on `resources`.
pub fn role_allowing(id: &str, actions: &[&str], resources: &[&str]) -> Role {
    let mut role = Role::new(id, loc(80), true);
    let mut s = Statement::new(loc(81));
    s.actions = actions
        .iter()
        .map(|a| Attr::explicit(a.to_string(), loc(82)))
        .collect();
    s.resources = resources
        .iter()
        .map(|r| Attr::explicit(r.to_string(), loc(83)))
        .collect();
    role.policies.push(Policy {
        name: "Inline".into(),
        source: PolicySource::Inline,
        location: loc(80),
        statements: vec![s],
    });
    role
}

/// Runs one rule over one app.
pub fn run(rule: &dyn Rule, app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    rule.check(app, &mut out);
    out
}
