//! Least-privilege policies written from what each function's code calls.
//!
//! For every function whose code the code stage read ([`perimeter_model::FunctionCode`]), each
//! AWS SDK call is mapped to the IAM actions it needs ([`map`], generated data), the resource it
//! acts on is resolved through the template-set environment ([`resolve`]), the actions every
//! Lambda function needs anyway are added ([`baseline`]: its logs, X-Ray when tracing, the poll
//! actions of its event source mappings, ENI actions in a VPC, its dead-letter and destination
//! targets), and the result is grouped into one statement per resource set. Against the role the
//! function runs with today, the permissions granted but used by no function of that role are
//! listed ([`unused`]), and a patch the user can paste into the template is written ([`patch`]).
//!
//! Synthesis never guesses silently: an unresolvable resource gets the narrowest safe pattern and
//! a note, an unrecognized call is listed, and [`FunctionPolicy::complete`] says whether the code
//! analysis was complete enough for `granted_unused` to be trusted.

pub mod baseline;
pub mod catalog;
pub mod map;
pub mod patch;
pub mod resolve;
pub mod unused;

pub use catalog::{ActionKnowledge, ActionResourceType, NoCatalog, StaticCatalog};
pub use map::{ActionMap, Mapping, action_map};
pub use resolve::{Flavor, Target};

use perimeter_model::{App, Function, Language, Model, SdkCall, SourceKind};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The generated policy and everything around it, for one function.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionPolicy {
    /// The function's id in its app.
    pub function: String,
    /// The app's id (its declaring file).
    pub app: String,
    /// The least-privilege identity policy.
    pub policy: PolicyDocument,
    /// Why each action is there: the call (or baseline need) that requires it.
    pub evidence: Vec<Evidence>,
    /// Permissions the function's role grants today that no function of the role uses.
    pub granted_unused: Vec<unused::Unused>,
    /// SDK calls the map does not know (their permissions are missing from `policy`).
    pub unrecognized: Vec<Unrecognized>,
    /// How the function's SDK calls were mapped.
    pub calls: CallCounts,
    /// What synthesis could not tell, statement by statement.
    pub notes: Vec<String>,
    /// `true` when the code analysis is complete enough to judge `granted_unused`
    /// (see [`completeness`]).
    pub complete: bool,
    /// The role the function runs with today, when declared in the app.
    pub role: Option<String>,
    /// The other functions that share that role (their needs are part of the patch).
    pub role_shared_with: Vec<String>,
    /// Template text to apply.
    pub patch: patch::Patch,
}

/// An IAM policy document, as AWS writes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<PolicyStatement>,
}

/// One Allow statement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyStatement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: String,
    #[serde(rename = "Action")]
    pub action: Vec<String>,
    /// ARNs, patterns, or CloudFormation intrinsics.
    #[serde(rename = "Resource")]
    pub resource: Vec<Json>,
}

/// Why an action is in the policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub action: String,
    pub file: String,
    pub line: u32,
    /// The call as the code makes it (`boto3 dynamodb.PutItem`), or the baseline need
    /// (`baseline: logs`).
    pub call: String,
}

/// How a function's SDK calls were mapped.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls the code stage extracted.
    pub total: usize,
    /// Mapped to one or more IAM actions.
    pub mapped: usize,
    /// Known to need no permission (`sts:GetCallerIdentity`, presigning).
    pub no_permission: usize,
    /// Not in the map (including call sites the code stage could not name).
    pub unrecognized: usize,
}

/// An SDK call that maps to no known IAM action.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unrecognized {
    pub call: String,
    pub file: String,
    pub line: u32,
}

/// One needed action on one resource, with its reason.
#[derive(Debug, Clone)]
pub(crate) struct Need {
    pub action: String,
    pub resource: Json,
    pub evidence: Evidence,
    pub note: Option<String>,
    /// The declared resource or function it names, for statement ids.
    pub label: Option<String>,
}

/// Languages whose SDK calls the code stage extracts.
const ANALYZED_LANGUAGES: &[Language] = &[
    Language::Python,
    Language::JavaScript,
    Language::TypeScript,
    Language::Go,
    Language::Java,
];

/// Whether a function's code analysis is complete enough to say a permission is unused, and if
/// not, why. Complete means: the code stage ran, found the handler, the language is one whose
/// SDK calls are extracted, every layer the function uses was read, and every SDK call was
/// recognized by the map (a dynamic or unknown call might need anything).
pub fn completeness(function: &Function, unrecognized: usize) -> Result<(), String> {
    let Some(code) = &function.code else {
        return Err("the function's code was not analyzed".to_string());
    };
    if code.handler.is_none() {
        return Err(match &code.problem {
            Some(p) => format!("the handler was not found ({p})"),
            None => "the handler was not found".to_string(),
        });
    }
    if !ANALYZED_LANGUAGES.contains(&code.language) {
        return Err(format!(
            "SDK calls are not extracted from {:?} code",
            code.language
        ));
    }
    if code.layers.len() < function.layers.len() {
        return Err("the function uses layers whose code was not read".to_string());
    }
    if unrecognized > 0 {
        return Err(format!(
            "{unrecognized} SDK call(s) were not recognized and might need any permission"
        ));
    }
    Ok(())
}

/// The flavor of resource names an app's output uses.
pub fn flavor_of(app: &App) -> Flavor {
    match app.source {
        SourceKind::Sam | SourceKind::CloudFormation | SourceKind::Cdk | SourceKind::Serverless => {
            Flavor::CloudFormation
        }
        SourceKind::Terraform | SourceKind::Aws | SourceKind::AzureFunctions => Flavor::Arn,
    }
}

/// `boto3 dynamodb.PutItem`.
fn describe_call(call: &SdkCall) -> String {
    let sdk = match call.sdk {
        perimeter_model::Sdk::Boto3 => "boto3",
        perimeter_model::Sdk::JsV3 => "js-v3",
        perimeter_model::Sdk::JsV2 => "js-v2",
        perimeter_model::Sdk::GoV2 => "go-v2",
        perimeter_model::Sdk::JavaV2 => "java-v2",
    };
    format!("{sdk} {}.{}", call.service, call.operation)
}

/// Parameters that name the object inside a resource, not the resource itself.
const NOT_RESOURCE_PARAMS: &[&str] = &["Key", "Prefix", "VersionId", "IndexName", "MessageGroupId"];

/// The needs of one function: its calls and its baseline, plus the calls nobody knows.
pub(crate) fn needs_of(
    app: &App,
    function: &Function,
    knowledge: &dyn ActionKnowledge,
    flavor: Flavor,
    no_permission: &mut usize,
) -> (Vec<Need>, Vec<Unrecognized>) {
    let map = action_map();
    let mut needs = Vec::new();
    let mut unrecognized = Vec::new();
    if let Some(code) = &function.code {
        for call in &code.sdk_calls {
            let evidence = |action: &str| Evidence {
                action: action.to_string(),
                file: call.location.file.clone(),
                line: call.location.line,
                call: describe_call(call),
            };
            let actions = match map.lookup(&call.service, &call.operation) {
                Mapping::Actions(a) => a,
                Mapping::Nothing => {
                    *no_permission += 1;
                    continue;
                }
                Mapping::Unknown => {
                    unrecognized.push(Unrecognized {
                        call: describe_call(call),
                        file: call.location.file.clone(),
                        line: call.location.line,
                    });
                    continue;
                }
            };
            let service = call.service.to_ascii_lowercase();
            let mut targets: Vec<Target> = call
                .resources
                .iter()
                .filter(|a| !NOT_RESOURCE_PARAMS.contains(&a.param.as_str()))
                .map(|a| resolve::resolve(app, function, &service, &a.value))
                .collect();
            if targets.is_empty() {
                targets.push(Target::Unknown(
                    "the call names no resource the analysis could see".to_string(),
                ));
            }
            for action in &actions {
                for target in &targets {
                    needs.extend(need(
                        app,
                        action,
                        target,
                        knowledge,
                        flavor,
                        evidence(action),
                    ));
                    // A resource encrypted with a customer managed key also needs the key.
                    let Some(key) = encryption_key(app, target) else {
                        continue;
                    };
                    for kms_action in map.kms_for(action) {
                        needs.extend(need(
                            app,
                            kms_action,
                            &key,
                            knowledge,
                            flavor,
                            evidence(kms_action),
                        ));
                    }
                }
            }
        }
    }
    needs.extend(baseline::needs(app, function, knowledge, flavor));
    (needs, unrecognized)
}

/// The customer managed KMS key of a declared resource, as a target: the key declared in the
/// app, or its ARN. `None` when the resource has no such key (or it is not declared here).
fn encryption_key<'a>(app: &'a App, target: &Target<'a>) -> Option<Target<'a>> {
    let Target::Declared(resource) = target else {
        return None;
    };
    let key = resource.kms_key.as_ref()?;
    Some(match key.as_str() {
        Some(id) => match app.resource(id) {
            Some(declared) => Target::Declared(declared),
            None if id.starts_with("arn:") && !id.contains(":alias/") => {
                Target::Arn(id.to_string())
            }
            None => Target::Unknown(format!(
                "`{}` is encrypted with key `{id}`, which is not a key ARN declared here",
                resource.id
            )),
        },
        None => Target::Unknown(format!(
            "`{}` is encrypted with a KMS key whose ARN is only known at deploy time",
            resource.id
        )),
    })
}

/// The needs for `action` on `target`: one per applicable resource type.
pub(crate) fn need(
    app: &App,
    action: &str,
    target: &Target<'_>,
    knowledge: &dyn ActionKnowledge,
    flavor: Flavor,
    evidence: Evidence,
) -> Vec<Need> {
    let label = match target {
        Target::Declared(r) => Some(r.id.clone()),
        Target::Function(f) => Some(resolve::function_logical_id(app, f)),
        _ => None,
    };
    let Some(types) = knowledge.resource_types(action) else {
        return vec![Need {
            action: action.to_string(),
            resource: Json::String("*".to_string()),
            evidence,
            note: Some(format!(
                "`{action}` is not in the IAM action catalog: its resource cannot be narrowed"
            )),
            label,
        }];
    };
    if types.is_empty() {
        // The action supports no resource types: `*` is the only possible resource.
        return vec![Need {
            action: action.to_string(),
            resource: Json::String("*".to_string()),
            evidence,
            note: None,
            label: None,
        }];
    }
    resolve::types_for_target(&types, target)
        .into_iter()
        .map(|t| {
            let (resource, note) = resolve::resource_element(app, target, t, flavor);
            Need {
                action: action.to_string(),
                resource,
                evidence: evidence.clone(),
                note: note.map(|n| format!("{action}: {n}")),
                label: label.clone(),
            }
        })
        .collect()
}

/// Groups needs into statements: actions that need exactly the same resources share one.
pub(crate) fn statements(needs: &[Need]) -> Vec<PolicyStatement> {
    // action -> (resources in order, label)
    let mut per_action: Vec<(String, Vec<Json>, Option<String>)> = Vec::new();
    for n in needs {
        match per_action
            .iter_mut()
            .find(|(a, _, _)| a.eq_ignore_ascii_case(&n.action))
        {
            Some((_, res, label)) => {
                if !res.contains(&n.resource) {
                    res.push(n.resource.clone());
                }
                if label.is_none() {
                    *label = n.label.clone();
                }
            }
            None => per_action.push((n.action.clone(), vec![n.resource.clone()], n.label.clone())),
        }
    }
    // A `*` resource makes the others redundant for that action.
    for (_, res, _) in &mut per_action {
        if res.iter().any(|r| r == "*") {
            res.retain(|r| r == "*");
        }
    }
    let mut out: Vec<(PolicyStatement, Option<String>)> = Vec::new();
    for (action, resources, label) in per_action {
        match out.iter_mut().find(|(s, _)| s.resource == resources) {
            Some((s, _)) => s.action.push(action),
            None => out.push((
                PolicyStatement {
                    sid: String::new(),
                    effect: "Allow".to_string(),
                    action: vec![action],
                    resource: resources,
                },
                label,
            )),
        }
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    out.into_iter()
        .map(|(mut s, label)| {
            s.action.sort_by_key(|a| a.to_ascii_lowercase());
            let base = sid_for(&s, label.as_deref());
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            s.sid = if *n == 1 { base } else { format!("{base}{n}") };
            s
        })
        .collect()
}

/// `DynamoDBOrdersTable`, `LogsWrite`, `XRay`: the services of the actions, then the resource.
fn sid_for(s: &PolicyStatement, label: Option<&str>) -> String {
    let mut services: Vec<String> = Vec::new();
    for a in &s.action {
        let svc = crate::pattern::service_of(a).unwrap_or_default();
        if !services.contains(&svc) {
            services.push(svc);
        }
    }
    let mut sid: String = services
        .iter()
        .map(|s| pretty_service(s))
        .collect::<Vec<_>>()
        .join("");
    match label {
        Some(l) => sid.push_str(l),
        None if s.resource.iter().all(|r| r == "*") => sid.push_str("Any"),
        None => {}
    }
    sid.retain(|c| c.is_ascii_alphanumeric());
    if sid.is_empty() {
        sid = "Statement".to_string();
    }
    sid
}

fn pretty_service(s: &str) -> String {
    match s {
        "dynamodb" => "DynamoDB".to_string(),
        "s3" => "S3".to_string(),
        "sqs" => "SQS".to_string(),
        "sns" => "SNS".to_string(),
        "kms" => "KMS".to_string(),
        "xray" => "XRay".to_string(),
        "ec2" => "EC2".to_string(),
        "ssm" => "SSM".to_string(),
        "secretsmanager" => "SecretsManager".to_string(),
        other => {
            let mut c = other.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

/// Synthesizes the policy of every function of `app`.
pub fn synthesize_app(app: &App, knowledge: &dyn ActionKnowledge) -> Vec<FunctionPolicy> {
    synthesize_app_with(app, knowledge, &[])
}

/// [`synthesize_app`], with the call sites the code stage saw but could not recognize
/// (`file:line: text`, as `perimeter_code::CodeStats::unrecognized` lists them): each counts as
/// an unrecognized call of the functions whose files hold it.
pub fn synthesize_app_with(
    app: &App,
    knowledge: &dyn ActionKnowledge,
    unrecognized_sites: &[String],
) -> Vec<FunctionPolicy> {
    let flavor = flavor_of(app);
    let sites: Vec<Unrecognized> = unrecognized_sites
        .iter()
        .filter_map(|s| parse_site(s))
        .collect();
    let mut nothing = vec![0usize; app.functions.len()];
    let per_function: Vec<(Vec<Need>, Vec<Unrecognized>)> = app
        .functions
        .iter()
        .zip(nothing.iter_mut())
        .map(|(f, no_permission)| {
            let (needs, mut unrecognized) = needs_of(app, f, knowledge, flavor, no_permission);
            if let Some(code) = &f.code {
                for site in &sites {
                    if code.files.contains(&site.file) && !unrecognized.contains(site) {
                        unrecognized.push(site.clone());
                    }
                }
            }
            (needs, unrecognized)
        })
        .collect();
    let mut out = Vec::with_capacity(app.functions.len());
    for (i, function) in app.functions.iter().enumerate() {
        let (needs, unrecognized) = &per_function[i];
        let role = app.role_of(function);
        // Everything the functions sharing this role need: the role must keep it.
        let sharing: Vec<usize> = match role {
            Some(r) => app
                .functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.role.value.known().is_some_and(|id| id == &r.id))
                .map(|(j, _)| j)
                .collect(),
            None => vec![i],
        };
        let role_needs: Vec<Need> = sharing
            .iter()
            .flat_map(|&j| per_function[j].0.iter().cloned())
            .collect();
        let mut notes: Vec<String> = Vec::new();
        for n in needs {
            if let Some(note) = &n.note
                && !notes.contains(note)
            {
                notes.push(note.clone());
            }
        }
        let complete = match completeness(function, unrecognized.len()) {
            Ok(()) => true,
            Err(why) => {
                notes.push(format!("granted_unused is indicative only: {why}"));
                false
            }
        };
        let used: Vec<&str> = role_needs.iter().map(|n| n.action.as_str()).collect();
        let granted_unused = match role {
            Some(r) => unused::granted_unused(r, &used, knowledge, &mut notes),
            None => {
                notes.push(
                    "the function's role is not declared in this app: nothing to compare with"
                        .to_string(),
                );
                Vec::new()
            }
        };
        let policy = PolicyDocument {
            version: "2012-10-17".to_string(),
            statement: statements(needs),
        };
        let role_policy = PolicyDocument {
            version: "2012-10-17".to_string(),
            statement: statements(&role_needs),
        };
        let shared_with: Vec<String> = sharing
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| app.functions[j].id.clone())
            .collect();
        let patch = patch::patch(app, function, role, &policy, &role_policy, &shared_with);
        let mut evidence: Vec<Evidence> = Vec::new();
        for n in needs {
            if !evidence.contains(&n.evidence) {
                evidence.push(n.evidence.clone());
            }
        }
        let total = function.code.as_ref().map_or(0, |c| c.sdk_calls.len());
        let extracted_unrecognized = unrecognized
            .iter()
            .filter(|u| {
                function.code.as_ref().is_some_and(|c| {
                    c.sdk_calls
                        .iter()
                        .any(|k| k.location.file == u.file && k.location.line == u.line)
                })
            })
            .count();
        let calls = CallCounts {
            total,
            mapped: total.saturating_sub(extracted_unrecognized + nothing[i]),
            no_permission: nothing[i],
            unrecognized: unrecognized.len(),
        };
        out.push(FunctionPolicy {
            function: function.id.clone(),
            app: app.id.clone(),
            policy,
            evidence,
            granted_unused,
            unrecognized: unrecognized.clone(),
            calls,
            notes,
            complete,
            role: role.map(|r| r.id.clone()),
            role_shared_with: shared_with,
            patch,
        });
    }
    out
}

/// The action knowledge synthesis uses by default: the embedded IAM action catalog.
pub fn knowledge() -> &'static dyn ActionKnowledge {
    crate::catalog::catalog()
}

/// Synthesizes every function of every app of a model.
pub fn synthesize(model: &Model, knowledge: &dyn ActionKnowledge) -> Vec<FunctionPolicy> {
    synthesize_with(model, knowledge, &[])
}

/// [`synthesize`] with the code stage's unrecognized call sites ([`synthesize_app_with`]).
pub fn synthesize_with(
    model: &Model,
    knowledge: &dyn ActionKnowledge,
    unrecognized_sites: &[String],
) -> Vec<FunctionPolicy> {
    model
        .apps
        .iter()
        .flat_map(|app| synthesize_app_with(app, knowledge, unrecognized_sites))
        .collect()
}

/// `src/app.py:12: client.meta.foo(...)` → the call site.
fn parse_site(site: &str) -> Option<Unrecognized> {
    let (at, text) = site.split_once(": ")?;
    let (file, line) = at.rsplit_once(':')?;
    Some(Unrecognized {
        call: text.trim().to_string(),
        file: file.to_string(),
        line: line.parse().ok()?,
    })
}

#[cfg(test)]
mod tests;
