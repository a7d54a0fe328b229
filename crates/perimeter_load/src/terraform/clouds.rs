//! Azure and Google Cloud functions declared in Terraform, built into the model directly.
//!
//! These resources have no CloudFormation counterpart, so unlike [`super::translate`] this
//! module fills [`Function`]s, [`Trigger`]s and [`Role`]s itself, following the conventions
//! shared with the Serverless/`function.json` loaders:
//! - HTTP entry points are `TriggerKind::FunctionUrl` triggers whose route's `auth` is
//!   `Auth::None` (anyone: a GCP `allUsers` / `allAuthenticatedUsers` invoker binding, an
//!   Azure `authLevel: anonymous` function without App Service authentication), `Auth::Iam`
//!   (GCP without a public invoker), `Auth::Other("function key")` (Azure function/admin
//!   keys) or `Auth::Other("app service auth")` (Azure EasyAuth rejecting anonymous calls).
//! - Event triggers (Pub/Sub, Cloud Storage, Eventarc, …) are `TriggerKind::Other` with the
//!   event type as `type_name`.
//! - Runtimes as GCP writes them (`nodejs20`), or `<stack>|<version>` lower-case on Azure
//!   (`node|18`, `dotnet-isolated|8.0`).
//! - The identity a function runs as is a [`Role`] with [`RoleBinding`]s: a GCP service
//!   account (the default one when none is set, whose project roles are not assumed), an
//!   Azure managed identity with its `azurerm_role_assignment`s.
//! - App settings / `environment_variables` are the function's environment.

use super::expr::{Bindings, Ev, is_unresolved};
use super::module::{Instance, Module};
use crate::cloudformation::UNRESOLVED_MARKER;
use crate::doc::Node;
use hcl_edit::Span;
use hcl_edit::structure::Body;
use perimeter_model::{
    App, Attr, Auth, Cloud, EnvVar, Function, HttpRoute, Location, Role, RoleBinding, Trigger,
    TriggerKind, Value,
};

/// Google Cloud Functions resource types (1st and 2nd generation).
const GCP_V1: &str = "google_cloudfunctions_function";
const GCP_V2: &str = "google_cloudfunctions2_function";
const AZURE_APPS: [&str; 4] = [
    "azurerm_function_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_function_app_flex_consumption",
];

/// Members that mean "anyone on the internet" in a GCP IAM binding.
fn is_public_member(m: &str) -> bool {
    m == "allUsers" || m == "allAuthenticatedUsers"
}

/// Roles that let their members invoke a function (the invoker roles, and the primitive and
/// admin roles that include invocation).
fn can_invoke(role: &str) -> bool {
    matches!(
        role,
        "roles/cloudfunctions.invoker"
            | "roles/run.invoker"
            | "roles/cloudfunctions.admin"
            | "roles/cloudfunctions.developer"
            | "roles/run.admin"
            | "roles/run.developer"
            | "roles/editor"
            | "roles/owner"
    )
}

/// Adds the Azure and GCP functions of `module` to `app`, and sets the app's cloud to the
/// cloud most of its functions run on.
pub(crate) fn add(app: &mut App, module: &Module) {
    let iam = GcpIam::collect(module);
    let assignments = azure_assignments(module);
    let (mut gcp, mut azure) = (0usize, 0usize);
    for inst in &module.instances {
        let Some(block) = module.block(inst.file, inst.block) else {
            continue;
        };
        let r = Rd::new(module, inst, &block.body);
        match inst.tf_type.as_str() {
            GCP_V1 | GCP_V2 => {
                gcp_function(app, &r, inst, &iam, module);
                gcp += 1;
            }
            t if AZURE_APPS.contains(&t) => {
                azure_function(app, &r, inst, &assignments, module);
                azure += 1;
            }
            _ => {}
        }
    }
    let aws = app.functions.len() - gcp - azure;
    if gcp > aws.max(azure) {
        app.cloud = Cloud::Gcp;
    } else if azure > aws.max(gcp) {
        app.cloud = Cloud::Azure;
    }
}

/// Reads one resource instance's attributes.
struct Rd<'m> {
    ev: Ev<'m>,
    body: &'m Body,
    module: &'m Module,
}

impl<'m> Rd<'m> {
    fn new(module: &'m Module, inst: &'m Instance, body: &'m Body) -> Self {
        Rd {
            ev: Ev {
                module,
                file: inst.file,
                bindings: &inst.bindings,
            },
            body,
            module,
        }
    }

    fn file(&self) -> &str {
        self.module
            .files
            .get(self.ev.file)
            .map(|f| f.rel.as_str())
            .unwrap_or("")
    }

    fn loc(&self, n: &Node) -> Location {
        Location::new(self.file(), n.line, n.column)
    }

    fn at(&self, span: Option<std::ops::Range<usize>>) -> Location {
        let (l, c) = self.ev.pos(span);
        Location::new(self.file(), l, c)
    }

    fn a(&self, name: &str) -> Option<Node> {
        self.ab(self.body, name)
    }

    fn ab(&self, body: &Body, name: &str) -> Option<Node> {
        body.get_attribute(name).map(|a| self.ev.node(&a.value))
    }

    fn sub(&self, body: &'m Body, name: &str) -> Option<&'m Body> {
        body.blocks()
            .find(|b| b.ident.value().as_str() == name)
            .map(|b| &b.body)
    }

    /// A node as a string attribute; references read as the Terraform address they name.
    fn s(&self, n: &Node) -> Attr<String> {
        let loc = self.loc(n);
        if let Some(reason) = n.get(UNRESOLVED_MARKER).and_then(Node::as_str) {
            return Attr::unresolved(reason, loc);
        }
        if let Some(t) = n.as_str() {
            return Attr::explicit(self.module.addresses(t), loc);
        }
        match target(n).and_then(|syn| self.module.by_syn(&syn)) {
            Some(inst) => Attr::explicit(inst.address.clone(), loc),
            None => Attr::unresolved("not a string", loc),
        }
    }

    fn num(&self, n: &Node) -> Option<f64> {
        n.as_str().and_then(|s| s.trim().parse::<f64>().ok())
    }

    fn flag(&self, body: &Body, name: &str) -> Option<bool> {
        self.ab(body, name)
            .and_then(|n| n.as_str().map(|s| s.eq_ignore_ascii_case("true")))
    }

    /// A `map(string)` attribute as environment variables.
    fn env(&self, body: &Body, name: &str) -> Vec<EnvVar> {
        let Some(n) = self.ab(body, name) else {
            return Vec::new();
        };
        if !n.is_map() || is_unresolved(&n) {
            return Vec::new();
        }
        n.entries()
            .iter()
            .map(|(k, v)| EnvVar {
                name: k.name.clone(),
                value: self.s(v),
                location: Location::new(self.file(), k.line, k.column),
            })
            .collect()
    }
}

/// The synthetic ID a reference node designates (`Ref`, `Fn::GetAtt`, `${TfR…}`).
fn target(n: &Node) -> Option<String> {
    if let Some(r) = n.get("Ref").and_then(Node::as_str) {
        return Some(r.to_string());
    }
    if let Some(g) = n.get("Fn::GetAtt") {
        return g.items().first().and_then(Node::as_str).map(str::to_string);
    }
    let s = n.as_str()?;
    let start = s.find("${TfR")? + 2;
    let end = s[start..].find(['.', '}'])? + start;
    Some(s[start..end].to_string())
}

impl Module {
    /// The instance whose synthetic ID is `syn`.
    pub(crate) fn by_syn(&self, syn: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.syn == syn)
    }

    /// `text` with `${TfR…}` references replaced by Terraform addresses.
    pub(crate) fn addresses(&self, text: &str) -> String {
        if !text.contains("${TfR") {
            return text.to_string();
        }
        let mut out = text.to_string();
        for inst in &self.instances {
            if out.contains(&inst.syn) {
                out = out.replace(&format!("${{{}}}", inst.syn), &inst.address);
                out = out.replace(
                    &format!("${{{}.", inst.syn),
                    &format!("${{{}.", inst.address),
                );
            }
        }
        out
    }
}

// --- Google Cloud ---------------------------------------------------------------------------

/// One IAM grant on a function (or the Cloud Run service behind a 2nd-gen function).
struct Grant {
    /// Synthetic ID of the function, or its name as written, or unresolved.
    target: Result<String, String>,
    role: Option<String>,
    members: Vec<Attr<String>>,
    location: Location,
}

/// A project-level grant (`google_project_iam_member` / `_binding`).
struct ProjectGrant {
    role: Attr<String>,
    scope: Attr<String>,
    /// Members as written (`serviceAccount:${TfR3E.email}` keeps the reference).
    members: Vec<(String, Location)>,
    location: Location,
}

#[derive(Default)]
struct GcpIam {
    grants: Vec<Grant>,
    project: Vec<ProjectGrant>,
}

impl GcpIam {
    fn collect(module: &Module) -> GcpIam {
        let mut iam = GcpIam::default();
        for inst in &module.instances {
            let ty = inst.tf_type.as_str();
            let Some(block) = module.block(inst.file, inst.block) else {
                continue;
            };
            let r = Rd::new(module, inst, &block.body);
            let location = r.at(block.span());
            if let Some(kind) = ty
                .strip_prefix("google_cloudfunctions_function_iam_")
                .or_else(|| ty.strip_prefix("google_cloudfunctions2_function_iam_"))
                .or_else(|| ty.strip_prefix("google_cloud_run_service_iam_"))
                .or_else(|| ty.strip_prefix("google_cloud_run_v2_service_iam_"))
            {
                let target_attr = if ty.starts_with("google_cloudfunctions") {
                    "cloud_function"
                } else if ty.starts_with("google_cloud_run_v2") {
                    "name"
                } else {
                    "service"
                };
                let target = match r.a(target_attr) {
                    Some(n) => match target(&n) {
                        Some(syn) => Ok(syn),
                        None => match n.as_str() {
                            Some(s) => Ok(s.to_string()),
                            None => Err("function of an IAM grant not known".to_string()),
                        },
                    },
                    None => Err(format!("no {target_attr}")),
                };
                let mut push = |role: Option<String>, members: Vec<Attr<String>>| {
                    iam.grants.push(Grant {
                        target: target.clone(),
                        role,
                        members,
                        location: location.clone(),
                    })
                };
                match kind {
                    "member" => {
                        let role = r.a("role").and_then(|n| n.as_str().map(str::to_string));
                        let members = r.a("member").map(|m| vec![r.s(&m)]).unwrap_or_default();
                        push(role, members);
                    }
                    "binding" => {
                        let role = r.a("role").and_then(|n| n.as_str().map(str::to_string));
                        push(role, members_of(&r, r.a("members")));
                    }
                    "policy" => {
                        for (role, members) in policy_bindings(module, &r) {
                            push(role, members);
                        }
                    }
                    _ => {}
                }
            }
            if ty == "google_project_iam_member" || ty == "google_project_iam_binding" {
                let role = r
                    .a("role")
                    .map(|n| r.s(&n))
                    .unwrap_or_else(|| Attr::unresolved("no role", location.clone()));
                let scope = match r.a("project") {
                    Some(p) => {
                        let a = r.s(&p);
                        match a.value {
                            Value::Known(p) => Attr::explicit(format!("projects/{p}"), a.location),
                            Value::Unresolved(_) => a,
                        }
                    }
                    None => Attr::unresolved("project of the provider", location.clone()),
                };
                let raw: Vec<Node> = match ty {
                    "google_project_iam_member" => r.a("member").into_iter().collect(),
                    _ => r
                        .a("members")
                        .map(|n| n.items().to_vec())
                        .unwrap_or_default(),
                };
                let members = raw
                    .iter()
                    .map(|n| (member_text(n), r.loc(n)))
                    .filter(|(t, _)| !t.is_empty())
                    .collect();
                iam.project.push(ProjectGrant {
                    role,
                    scope,
                    members,
                    location,
                });
            }
        }
        iam
    }
}

/// A member string as written, references kept as `${TfR…}` so they can be matched.
fn member_text(n: &Node) -> String {
    if let Some(s) = n.as_str() {
        return s.to_string();
    }
    target(n).map(|t| format!("${{{t}}}")).unwrap_or_default()
}

fn members_of(r: &Rd, n: Option<Node>) -> Vec<Attr<String>> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().map(|m| r.s(m)).collect(),
        Some(n) => vec![r.s(&n)],
        None => Vec::new(),
    }
}

/// The bindings of the `data "google_iam_policy"` an `_iam_policy` resource sets.
fn policy_bindings(module: &Module, r: &Rd) -> Vec<(Option<String>, Vec<Attr<String>>)> {
    let Some(attr) = r.body.get_attribute("policy_data") else {
        return Vec::new();
    };
    let text = attr
        .value
        .span()
        .and_then(|s| module.files.get(r.ev.file)?.text.get(s))
        .unwrap_or("");
    let Some(name) = text
        .trim()
        .strip_prefix("data.google_iam_policy.")
        .and_then(|rest| rest.split('.').next())
    else {
        return vec![(
            None,
            vec![Attr::unresolved(
                "policy_data not read",
                r.at(attr.value.span()),
            )],
        )];
    };
    let scope = module
        .files
        .get(r.ev.file)
        .map(|f| f.scope.as_str())
        .unwrap_or("");
    let Some((file, block)) = module.data(scope, "google_iam_policy", name, None) else {
        return Vec::new();
    };
    let bindings = Bindings::new();
    let ev = Ev {
        module,
        file,
        bindings: &bindings,
    };
    let pr = Rd {
        ev,
        body: &block.body,
        module,
    };
    block
        .body
        .get_blocks("binding")
        .map(|b| {
            let role = pr
                .ab(&b.body, "role")
                .and_then(|n| n.as_str().map(str::to_string));
            (role, members_of(&pr, pr.ab(&b.body, "members")))
        })
        .collect()
}

fn gcp_function(app: &mut App, r: &Rd, inst: &Instance, iam: &GcpIam, module: &Module) {
    let v2 = inst.tf_type == GCP_V2;
    let block_loc = r.at(module
        .block(inst.file, inst.block)
        .and_then(|b| b.span())
        .map(|s| s.start..s.start));
    let mut f = Function::new(inst.address.clone(), block_loc.clone());
    f.timeout = Attr::defaulted(60, block_loc.clone());
    f.memory = Attr::defaulted(256, block_loc.clone());
    f.tracing = Attr::defaulted(false, block_loc.clone());
    if let Some(n) = r.a("name").and_then(|n| n.as_str().map(str::to_string)) {
        f.name = n;
    }
    let (build, service) = if v2 {
        (
            r.sub(r.body, "build_config"),
            r.sub(r.body, "service_config"),
        )
    } else {
        (Some(r.body), Some(r.body))
    };
    if let Some(b) = build {
        if let Some(n) = r.ab(b, "runtime") {
            f.runtime = r.s(&n);
        }
        if let Some(n) = r.ab(b, "entry_point") {
            f.handler = r.s(&n);
        }
    }
    let mut sa_node = None;
    let mut ingress = None;
    if let Some(s) = service {
        let (mem, timeout) = if v2 {
            ("available_memory", "timeout_seconds")
        } else {
            ("available_memory_mb", "timeout")
        };
        if let Some(n) = r.ab(s, mem) {
            let mb = n.as_str().and_then(memory_mb);
            f.memory = match mb {
                Some(mb) => Attr::explicit(mb, r.loc(&n)),
                None => Attr::unresolved("memory not known", r.loc(&n)),
            };
        }
        if let Some(n) = r.ab(s, timeout) {
            f.timeout = match r.num(&n) {
                Some(t) => Attr::explicit(t as u32, r.loc(&n)),
                None => Attr::unresolved("timeout not known", r.loc(&n)),
            };
        }
        if let Some(n) = r
            .ab(s, "max_instance_count")
            .or_else(|| r.ab(s, "max_instances"))
        {
            // The cap on instances is what bounds concurrent executions (and cost), as
            // reserved concurrency does on Lambda.
            f.reserved_concurrency = Some(match r.num(&n) {
                Some(v) => Attr::explicit(v as i64, r.loc(&n)),
                None => Attr::unresolved("max instances not known", r.loc(&n)),
            });
        }
        f.environment = r.env(s, "environment_variables");
        sa_node = r.ab(s, "service_account_email");
        ingress = r.ab(s, "ingress_settings");
    }
    f.code_path = gcp_code_path(r, module, v2);
    // The identity it runs as.
    let role_id = match &sa_node {
        Some(n) => {
            let a = r.s(n);
            match target(n).and_then(|syn| module.by_syn(&syn)) {
                Some(sa) => Attr::explicit(sa.address.clone(), a.location),
                None => a,
            }
        }
        None => {
            let id = if v2 {
                "default compute service account (PROJECT_NUMBER-compute@developer.gserviceaccount.com)"
            } else {
                "default App Engine service account (PROJECT_ID@appspot.gserviceaccount.com)"
            };
            Attr::defaulted(id.to_string(), block_loc.clone())
        }
    };
    if let Value::Known(id) = &role_id.value
        && app.role(id).is_none()
    {
        let mut role = Role::new(
            id.clone(),
            role_id.location.clone(),
            role_id.origin == perimeter_model::Origin::Defaulted,
        );
        role.bindings = sa_bindings(iam, id, sa_node.as_ref(), module);
        app.roles.push(role);
    }
    f.role = role_id;
    // Triggers.
    let event = r.sub(r.body, "event_trigger");
    let http = if v2 {
        event.is_none()
    } else {
        r.flag(r.body, "trigger_http") == Some(true)
    };
    if let Some(e) = event {
        let ty = r
            .ab(e, "event_type")
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{}.event_trigger", inst.tf_type));
        let source = r
            .ab(e, "resource")
            .or_else(|| r.ab(e, "pubsub_topic"))
            .map(|n| r.s(&n));
        f.triggers.push(Trigger {
            id: "event_trigger".into(),
            kind: TriggerKind::Other,
            type_name: ty,
            location: r.at(r
                .body
                .blocks()
                .find(|b| b.ident.value().as_str() == "event_trigger")
                .and_then(|b| b.span())),
            source,
            http: None,
        });
    }
    if http {
        let trigger_loc = r
            .body
            .get_attribute("trigger_http")
            .map(|a| r.at(a.span()))
            .unwrap_or_else(|| block_loc.clone());
        let private = match &ingress {
            Some(n) => match n.as_str() {
                Some(s) => Attr::explicit(s == "ALLOW_INTERNAL_ONLY", r.loc(n)),
                None => Attr::unresolved("ingress settings not known", r.loc(n)),
            },
            None => Attr::defaulted(false, block_loc.clone()),
        };
        let auth = gcp_auth(iam, inst, &f.name, &trigger_loc);
        f.triggers.push(Trigger {
            id: "http".into(),
            kind: TriggerKind::FunctionUrl,
            type_name: format!("{}.trigger_http", inst.tf_type),
            location: trigger_loc.clone(),
            source: None,
            http: Some(HttpRoute {
                api: None,
                method: "ANY".into(),
                path: "/".into(),
                auth,
                api_key_required: Attr::defaulted(false, trigger_loc.clone()),
                private,
                cors: None,
            }),
        });
    }
    app.functions.push(f);
}

/// Who may invoke an HTTP function: anyone when a public member holds an invoker role on
/// it, IAM-checked callers otherwise; unresolved when a grant's function or members cannot
/// be told.
fn gcp_auth(iam: &GcpIam, inst: &Instance, name: &str, fallback: &Location) -> Attr<Auth> {
    let mut unknown = None;
    for g in &iam.grants {
        let aims = match &g.target {
            Ok(t) => *t == inst.syn || t == name,
            Err(why) => {
                unknown.get_or_insert((why.clone(), g.location.clone()));
                continue;
            }
        };
        if !aims {
            continue;
        }
        match g.role.as_deref() {
            Some(role) if !can_invoke(role) => continue,
            Some(_) => {}
            None => {
                unknown
                    .get_or_insert(("role of an IAM grant not known".into(), g.location.clone()));
                continue;
            }
        }
        for m in &g.members {
            match m.as_str() {
                Some(s) if is_public_member(s) => {
                    return Attr::explicit(Auth::None, m.location.clone());
                }
                Some(_) => {}
                None => {
                    unknown.get_or_insert((
                        "member of an IAM grant not known".into(),
                        m.location.clone(),
                    ));
                }
            }
        }
    }
    match unknown {
        Some((why, loc)) => Attr::unresolved(why, loc),
        None => Attr::defaulted(Auth::Iam, fallback.clone()),
    }
}

/// Project roles granted to the service account `id` (matched by reference or by email).
fn sa_bindings(iam: &GcpIam, id: &str, sa: Option<&Node>, module: &Module) -> Vec<RoleBinding> {
    let syn = sa.and_then(target);
    let email = sa.and_then(|n| n.as_str()).map(str::to_string);
    let mut out = Vec::new();
    for g in &iam.project {
        for (m, loc) in &g.members {
            let Some(rest) = m.strip_prefix("serviceAccount:") else {
                continue;
            };
            let hit = syn
                .as_ref()
                .is_some_and(|s| rest.contains(&format!("${{{s}")))
                || email.as_deref() == Some(rest)
                || module.addresses(rest) == id;
            if hit {
                out.push(RoleBinding {
                    role: g.role.clone(),
                    scope: g.scope.clone(),
                    location: if g.members.len() == 1 {
                        g.location.clone()
                    } else {
                        loc.clone()
                    },
                });
            }
        }
    }
    out
}

/// `256M`, `1Gi`, `512` (MB) → megabytes.
fn memory_mb(s: &str) -> Option<u32> {
    let s = s.trim();
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: f64 = digits.parse().ok()?;
    let unit = s[digits.len()..].trim();
    let mb = match unit {
        "" | "M" | "MB" => n,
        "Mi" => n * 1.048_576,
        "G" | "GB" => n * 1000.0,
        "Gi" => n * 1024.0,
        "k" | "K" | "Ki" => n / 1000.0,
        _ => return None,
    };
    Some(mb.round() as u32)
}

/// The local folder the function's source archive is built from, when it is a
/// `google_storage_bucket_object` whose `source` is an `archive_file` (or a path).
fn gcp_code_path(r: &Rd, module: &Module, v2: bool) -> Option<Attr<String>> {
    let object = if v2 {
        let b = r.sub(r.body, "build_config")?;
        let src = r.sub(b, "source")?;
        let st = r.sub(src, "storage_source")?;
        r.ab(st, "object")?
    } else {
        r.a("source_archive_object")?
    };
    let obj = module.by_syn(&target(&object)?)?;
    let block = module.block(obj.file, obj.block)?;
    let src = block.body.get_attribute("source")?;
    let ev = Ev {
        module,
        file: obj.file,
        bindings: &obj.bindings,
    };
    let n = ev.node(&src.value);
    let path = n.as_str()?.to_string();
    let file = module.files.get(obj.file)?;
    let dir = file.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let joined = crate::cloudformation::join_relative(dir, &path);
    (!joined.starts_with(".."))
        .then(|| Attr::explicit(joined, Location::new(&file.rel, n.line, n.column)))
}

// --- Azure ----------------------------------------------------------------------------------

/// An `azurerm_role_assignment`: the principal it is for (synthetic ID of a function app or
/// user-assigned identity), and the binding.
struct Assignment {
    principal: Option<String>,
    binding: RoleBinding,
}

fn azure_assignments(module: &Module) -> Vec<Assignment> {
    let mut out = Vec::new();
    for inst in &module.instances {
        if inst.tf_type != "azurerm_role_assignment" {
            continue;
        }
        let Some(block) = module.block(inst.file, inst.block) else {
            continue;
        };
        let r = Rd::new(module, inst, &block.body);
        let location = r.at(block.span());
        let principal = r.a("principal_id").as_ref().and_then(target);
        let role = match r.a("role_definition_name") {
            Some(n) => r.s(&n),
            None => match r.a("role_definition_id") {
                Some(n) => r.s(&n),
                None => Attr::unresolved("no role definition", location.clone()),
            },
        };
        let scope = r
            .a("scope")
            .map(|n| r.s(&n))
            .unwrap_or_else(|| Attr::unresolved("no scope", location.clone()));
        out.push(Assignment {
            principal,
            binding: RoleBinding {
                role,
                scope,
                location,
            },
        });
    }
    out
}

fn azure_function(
    app: &mut App,
    r: &Rd,
    inst: &Instance,
    assignments: &[Assignment],
    module: &Module,
) {
    let block = module.block(inst.file, inst.block);
    let block_loc = r.at(block.and_then(|b| b.span()).map(|s| s.start..s.start));
    let mut f = Function::new(inst.address.clone(), block_loc.clone());
    // The Consumption plan's default `functionTimeout` (host.json) is 5 minutes.
    f.timeout = Attr::defaulted(300, block_loc.clone());
    f.memory = Attr::defaulted(1536, block_loc.clone());
    if let Some(n) = r.a("name").and_then(|n| n.as_str().map(str::to_string)) {
        f.name = n;
    }
    f.environment = r.env(r.body, "app_settings");
    if let Some(n) = r.a("zip_deploy_file") {
        f.code_path = Some(r.s(&n));
    }
    f.runtime = azure_runtime(r, &f.environment, &block_loc);
    // The app's scale-out cap: `site_config.app_scale_limit` (functionAppScaleLimit) on the
    // Consumption and Premium plans, `maximum_instance_count` on Flex Consumption. It bounds
    // concurrent executions and cost as reserved concurrency does on Lambda.
    let scale_limit = r.a("maximum_instance_count").or_else(|| {
        r.sub(r.body, "site_config")
            .and_then(|site| r.ab(site, "app_scale_limit"))
    });
    if let Some(n) = scale_limit {
        f.reserved_concurrency = Some(match r.num(&n) {
            Some(v) => Attr::explicit(v as i64, r.loc(&n)),
            None => Attr::unresolved("scale-out limit not known", r.loc(&n)),
        });
    }
    // Identities: system-assigned (named after the app) and user-assigned.
    if let Some(id) = r.sub(r.body, "identity") {
        let kinds = r
            .ab(id, "type")
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_default();
        let id_loc = r.at(r
            .body
            .blocks()
            .find(|b| b.ident.value().as_str() == "identity")
            .and_then(|b| b.span()));
        let mut first = None;
        if kinds.contains("SystemAssigned") {
            let role_id = format!("{}.identity", inst.address);
            let mut role = Role::new(role_id.clone(), id_loc.clone(), false);
            role.bindings = assignments
                .iter()
                .filter(|a| a.principal.as_deref() == Some(inst.syn.as_str()))
                .map(|a| a.binding.clone())
                .collect();
            app.roles.push(role);
            first = Some(role_id);
        }
        if kinds.contains("UserAssigned")
            && let Some(ids) = r.ab(id, "identity_ids")
        {
            for n in ids.items() {
                let Some(uai) = target(n).and_then(|s| module.by_syn(&s)) else {
                    continue;
                };
                if app.role(&uai.address).is_none() {
                    let mut role = Role::new(uai.address.clone(), r.loc(n), false);
                    role.bindings = assignments
                        .iter()
                        .filter(|a| a.principal.as_deref() == Some(uai.syn.as_str()))
                        .map(|a| a.binding.clone())
                        .collect();
                    app.roles.push(role);
                }
                first.get_or_insert(uai.address.clone());
            }
        }
        f.role = match first {
            Some(id) => Attr::explicit(id, id_loc),
            None => Attr::unresolved("managed identity not known", id_loc),
        };
    } else {
        f.role = Attr::unresolved("no managed identity", block_loc.clone());
    }
    // App Service authentication ("EasyAuth") in front of every function of the app.
    let easy_auth = easy_auth(r);
    let private = match r.a("public_network_access_enabled") {
        Some(n) => match n.as_str() {
            Some(s) => Attr::explicit(s == "false", r.loc(&n)),
            None => Attr::unresolved("public network access not known", r.loc(&n)),
        },
        None => Attr::defaulted(false, block_loc.clone()),
    };
    // HTTP triggers declared with `azurerm_function_app_function` (otherwise they live in
    // the code's function.json, which this loader does not read).
    for fi in &module.instances {
        if fi.tf_type != "azurerm_function_app_function" {
            continue;
        }
        let Some(fb) = module.block(fi.file, fi.block) else {
            continue;
        };
        let fr = Rd::new(module, fi, &fb.body);
        if fr.a("function_app_id").as_ref().and_then(target).as_deref() != Some(inst.syn.as_str()) {
            continue;
        }
        let fname = fr
            .a("name")
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_else(|| fi.name.clone());
        let Some(config) = fr.a("config_json") else {
            continue;
        };
        let config = match config.as_str() {
            Some(text) => super::expr::parse_json_at(text, config.line, config.column),
            None => config,
        };
        let Some(bindings) = config.get("bindings") else {
            continue;
        };
        for b in bindings.items() {
            if b.get("type").and_then(Node::as_str) != Some("httpTrigger") {
                continue;
            }
            let level = b.get("authLevel");
            let level_loc = fr.loc(level.unwrap_or(b));
            let auth = match (&easy_auth, level.map(|l| l.as_str())) {
                (Some(Value::Known(true)), _) => {
                    Attr::explicit(Auth::Other("app service auth".into()), level_loc)
                }
                (Some(Value::Unresolved(why)), _) => Attr::unresolved(why.clone(), level_loc),
                (_, Some(Some(l))) if l.eq_ignore_ascii_case("anonymous") => {
                    Attr::explicit(Auth::None, level_loc)
                }
                (_, Some(Some(l))) if is_key_level(l) => {
                    Attr::explicit(Auth::Other("function key".into()), level_loc)
                }
                (_, Some(Some(l))) => {
                    Attr::unresolved(format!("authLevel `{l}` is not static"), level_loc)
                }
                (_, Some(None)) => Attr::unresolved("authLevel not known", level_loc),
                // Azure's default authLevel is `function`.
                (_, None) => Attr::defaulted(Auth::Other("function key".into()), level_loc),
            };
            let methods: Vec<String> = b
                .get("methods")
                .map(|m| {
                    m.items()
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_ascii_uppercase)
                        .collect()
                })
                .unwrap_or_default();
            let route = b
                .get("route")
                .and_then(Node::as_str)
                .unwrap_or(&fname)
                .to_string();
            let loc = fr.loc(b);
            f.triggers.push(Trigger {
                id: format!("{}#{fname}", fi.address),
                kind: TriggerKind::FunctionUrl,
                type_name: "azure.httpTrigger".into(),
                location: loc.clone(),
                source: None,
                http: Some(HttpRoute {
                    api: None,
                    method: if methods.is_empty() {
                        "ANY".into()
                    } else {
                        methods.join(",")
                    },
                    path: format!("/api/{}", route.trim_start_matches('/')),
                    api_key_required: Attr {
                        value: Value::Known(matches!(
                            auth.known(),
                            Some(Auth::Other(k)) if k == "function key"
                        )),
                        origin: auth.origin,
                        location: auth.location.clone(),
                    },
                    auth,
                    private: private.clone(),
                    cors: None,
                }),
            });
        }
    }
    app.functions.push(f);
}

/// Azure's key-checked `authLevel`s: `function`, `admin` (the master key) and `system`.
fn is_key_level(level: &str) -> bool {
    ["function", "admin", "system"]
        .iter()
        .any(|k| level.eq_ignore_ascii_case(k))
}

/// `Some(Known(true))` when App Service authentication is on and rejects anonymous requests,
/// `Some(Known(false))` when it is configured but lets them through, `None` when absent.
fn easy_auth(r: &Rd) -> Option<Value<bool>> {
    if let Some(v2) = r.sub(r.body, "auth_settings_v2") {
        let enabled = r
            .ab(v2, "auth_enabled")
            .and_then(|n| n.as_str().map(str::to_string));
        let required = r
            .ab(v2, "require_authentication")
            .and_then(|n| n.as_str().map(str::to_string));
        let action = r
            .ab(v2, "unauthenticated_action")
            .and_then(|n| n.as_str().map(str::to_string));
        return Some(match (enabled.as_deref(), required.as_deref()) {
            (Some("true"), Some("true")) => {
                Value::Known(action.as_deref() != Some("AllowAnonymous"))
            }
            (Some("true") | None, None | Some("false")) | (Some("false"), _) => Value::Known(false),
            _ => Value::Unresolved("App Service authentication settings not known".into()),
        });
    }
    if let Some(v1) = r.sub(r.body, "auth_settings") {
        let enabled = r
            .ab(v1, "enabled")
            .and_then(|n| n.as_str().map(str::to_string));
        let action = r
            .ab(v1, "unauthenticated_client_action")
            .and_then(|n| n.as_str().map(str::to_string));
        return Some(match enabled.as_deref() {
            Some("true") => Value::Known(action.as_deref() != Some("AllowAnonymous")),
            Some(_) => Value::Known(false),
            None => Value::Unresolved("App Service authentication settings not known".into()),
        });
    }
    None
}

/// `<stack>|<version>` from the application stack, `linux_fx_version` or the worker runtime
/// app settings.
fn azure_runtime(r: &Rd, env: &[EnvVar], at: &Location) -> Attr<String> {
    let setting = |name: &str| {
        env.iter()
            .find(|e| e.name == name)
            .and_then(|e| e.value.as_str().map(str::to_string))
    };
    let clean = |v: &str| v.trim().trim_start_matches(['~', 'v', 'V']).to_string();
    // Flex Consumption names its stack at the top level (`runtime_name = "node"`,
    // `runtime_version = "20"`).
    if let Some(name) = r.a("runtime_name") {
        let version = r.a("runtime_version");
        return match (name.as_str(), version.as_ref().map(|v| v.as_str())) {
            (Some(n), Some(Some(v))) => Attr::explicit(
                format!("{}|{}", n.to_ascii_lowercase(), clean(v)),
                r.loc(version.as_ref().unwrap_or(&name)),
            ),
            _ => Attr::unresolved("runtime_name/runtime_version not known", r.loc(&name)),
        };
    }
    let site = r.sub(r.body, "site_config");
    if let Some(stack) = site.and_then(|s| r.sub(s, "application_stack")) {
        let isolated = r.flag(stack, "use_dotnet_isolated_runtime") == Some(true);
        for (attr, name) in [
            ("node_version", "node"),
            ("python_version", "python"),
            (
                "dotnet_version",
                if isolated {
                    "dotnet-isolated"
                } else {
                    "dotnet"
                },
            ),
            ("java_version", "java"),
            ("powershell_core_version", "powershell"),
        ] {
            if let Some(n) = r.ab(stack, attr) {
                return match n.as_str() {
                    Some(v) => Attr::explicit(format!("{name}|{}", clean(v)), r.loc(&n)),
                    None => Attr::unresolved(format!("{attr} not known"), r.loc(&n)),
                };
            }
        }
        if r.flag(stack, "use_custom_runtime") == Some(true) {
            return Attr::explicit("custom".into(), at.clone());
        }
    }
    if let Some(n) = site.and_then(|s| r.ab(s, "linux_fx_version"))
        && let Some(v) = n.as_str().filter(|v| v.contains('|'))
    {
        let (stack, version) = v.split_once('|').unwrap_or((v, ""));
        if !stack.eq_ignore_ascii_case("docker") {
            return Attr::explicit(
                format!("{}|{}", stack.to_ascii_lowercase(), clean(version)),
                r.loc(&n),
            );
        }
    }
    if let Some(worker) = setting("FUNCTIONS_WORKER_RUNTIME") {
        let version = match worker.as_str() {
            "node" => setting("WEBSITE_NODE_DEFAULT_VERSION")
                .or_else(|| setting("FUNCTIONS_WORKER_RUNTIME_VERSION")),
            _ => setting("FUNCTIONS_WORKER_RUNTIME_VERSION"),
        };
        if let Some(v) = version {
            return Attr::explicit(format!("{worker}|{}", clean(&v)), at.clone());
        }
    }
    Attr::unresolved("no application stack declared", at.clone())
}

#[cfg(test)]
mod tests {
    use super::memory_mb;

    #[test]
    fn memory_units() {
        assert_eq!(memory_mb("256M"), Some(256));
        assert_eq!(memory_mb("1Gi"), Some(1024));
        assert_eq!(memory_mb("512"), Some(512));
        assert_eq!(memory_mb("lots"), None);
    }
}
