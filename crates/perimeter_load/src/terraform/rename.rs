//! Synthetic logical IDs (`TfR{n}E`) back to Terraform addresses everywhere in an [`App`].

use super::module::Module;
use perimeter_model::{App, Attr, PolicySource, Statement, Value};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static SYN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"TfR[0-9]+E").expect("constant pattern"));

struct Names<'m>(HashMap<&'m str, &'m str>);

impl Names<'_> {
    fn s(&self, s: &mut String) {
        if s.contains("TfR") {
            *s = SYN
                .replace_all(s, |c: &regex::Captures| {
                    self.0.get(&c[0]).copied().unwrap_or(&c[0]).to_string()
                })
                .into_owned();
        }
    }

    fn a(&self, a: &mut Attr<String>) {
        match &mut a.value {
            Value::Known(s) => self.s(s),
            Value::Unresolved(r) => self.s(r),
        }
    }

    fn oa(&self, a: &mut Option<Attr<String>>) {
        if let Some(a) = a {
            self.a(a);
        }
    }

    fn st(&self, st: &mut Statement) {
        for list in [
            &mut st.actions,
            &mut st.not_actions,
            &mut st.resources,
            &mut st.not_resources,
        ] {
            list.iter_mut().for_each(|a| self.a(a));
        }
        for p in st.principals.iter_mut().chain(st.not_principals.iter_mut()) {
            self.a(&mut p.value);
        }
        for c in &mut st.conditions {
            c.values.iter_mut().for_each(|a| self.a(a));
        }
    }
}

pub(crate) fn to_addresses(app: &mut App, module: &Module) {
    let n = Names(
        module
            .instances
            .iter()
            .map(|i| (i.syn.as_str(), i.address.as_str()))
            .collect(),
    );
    for f in &mut app.functions {
        n.s(&mut f.id);
        n.s(&mut f.name);
        n.a(&mut f.role);
        n.oa(&mut f.dead_letter);
        n.oa(&mut f.on_failure);
        n.oa(&mut f.on_success);
        n.oa(&mut f.code_signing);
        f.layers.iter_mut().for_each(|l| n.a(l));
        for e in &mut f.environment {
            n.a(&mut e.value);
        }
        for t in &mut f.triggers {
            n.s(&mut t.id);
            n.oa(&mut t.source);
            if let Some(h) = &mut t.http
                && let Some(api) = &mut h.api
            {
                n.s(api);
            }
        }
    }
    for r in &mut app.roles {
        n.s(&mut r.id);
        n.oa(&mut r.permissions_boundary);
        r.managed_policy_arns.iter_mut().for_each(|a| n.a(a));
        r.trust.iter_mut().for_each(|s| n.st(s));
        for p in &mut r.policies {
            n.s(&mut p.name);
            if let PolicySource::CustomerManaged(id) = &mut p.source {
                n.s(id);
            }
            p.statements.iter_mut().for_each(|s| n.st(s));
        }
    }
    for r in &mut app.resources {
        n.s(&mut r.id);
        n.oa(&mut r.name);
        r.notifies.iter_mut().for_each(|a| n.a(a));
        if let Some(l) = &mut r.log_group_for {
            n.s(l);
        }
        r.policy.iter_mut().for_each(|s| n.st(s));
    }
    for a in &mut app.apis {
        n.s(&mut a.id);
        a.policy.iter_mut().for_each(|s| n.st(s));
    }
    for p in &mut app.permissions {
        n.s(&mut p.id);
        n.a(&mut p.function);
        n.a(&mut p.principal);
        n.oa(&mut p.source_arn);
        n.oa(&mut p.source_account);
    }
}
