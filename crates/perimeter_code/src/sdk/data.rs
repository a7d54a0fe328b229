//! The AWS service and operation catalog, parsed once from the generated `data/aws-sdk.txt`
//! (see `scripts/sdk-data/generate.py`), and the name conversions each SDK applies to it.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/aws-sdk.txt");

/// One AWS service as the SDKs name it.
#[derive(Debug)]
pub struct Service {
    /// botocore's name (`dynamodb`, `stepfunctions`, `logs`): what [`SdkCall::service`] holds.
    ///
    /// [`SdkCall::service`]: perimeter_model::SdkCall::service
    pub name: String,
    /// The serviceId (`DynamoDB`, `Secrets Manager`, `SFN`).
    pub service_id: String,
    /// The JavaScript v2 class name (`DynamoDB`, `StepFunctions`), when v2 has the service.
    pub v2_class: Option<String>,
    /// PascalCase operations, sorted.
    pub operations: Vec<String>,
    /// boto3 snake_case name → operation.
    by_snake: HashMap<String, usize>,
    /// lower-case operation → operation (JS camelCase, Java camelCase).
    by_lower: HashMap<String, usize>,
}

impl Service {
    /// The operation boto3 calls `snake_name`.
    pub fn op_from_snake(&self, snake_name: &str) -> Option<&str> {
        self.by_snake
            .get(snake_name)
            .map(|&i| self.operations[i].as_str())
    }

    /// The operation a camelCase (JS, Java) or PascalCase (Go) method names.
    pub fn op_from_camel(&self, name: &str) -> Option<&str> {
        self.by_lower
            .get(&name.to_ascii_lowercase())
            .map(|&i| self.operations[i].as_str())
    }

    /// `true` when `op` (PascalCase) is an operation of this service.
    pub fn has_op(&self, op: &str) -> bool {
        self.operations
            .binary_search_by(|o| o.as_str().cmp(op))
            .is_ok()
    }
}

/// A boto3 resource constructor: `ServiceResource.Table(name)`, `Bucket.Object(key)`.
#[derive(Debug)]
pub struct ResourceHas {
    pub service: String,
    /// The type it is called on (`None` for the service resource).
    pub parent: Option<String>,
    pub name: String,
    pub target: String,
    /// Identifiers of the new resource: (identifier, from) where from is `Input` (the next
    /// positional argument) or `Parent(name)`.
    pub identifiers: Vec<(String, IdentSource)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentSource {
    Input,
    Parent(String),
    Other,
}

/// A boto3 resource action: `Table.put_item` → PutItem with `TableName` = identifier `Name`.
#[derive(Debug)]
pub struct ResourceAction {
    pub service: String,
    pub resource: Option<String>,
    pub action: String,
    pub operation: String,
    /// (request parameter, identifier name).
    pub params: Vec<(String, String)>,
}

/// Everything in the data file.
#[derive(Debug, Default)]
pub struct Catalog {
    pub services: Vec<Service>,
    /// Normalized alias (lowercase, no spaces, dashes or underscores) → service index.
    aliases: HashMap<String, usize>,
    pub has: Vec<ResourceHas>,
    pub actions: Vec<ResourceAction>,
    /// The header comment (sources and versions).
    pub provenance: String,
}

/// Lower case without spaces, dashes, underscores or dots: the form every SDK's service name
/// reduces to (`Secrets Manager`, `secrets-manager`, `SecretsManager`, `secretsmanager`).
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// botocore's snake_case rule, in the simple form the generator records exceptions against.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next.is_lowercase())
            {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

impl Catalog {
    fn parse(text: &str) -> Catalog {
        let mut cat = Catalog::default();
        let mut provenance = Vec::new();
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("# ") {
                provenance.push(c.to_string());
                continue;
            }
            let mut parts = line.split(' ');
            match parts.next() {
                Some("S") => {
                    let f: Vec<&str> = parts.collect();
                    if f.len() < 5 {
                        continue;
                    }
                    cat.services.push(Service {
                        name: f[0].to_string(),
                        service_id: f[1].replace('_', " "),
                        v2_class: (f[2] != "-").then(|| f[2].to_string()),
                        operations: Vec::new(),
                        by_snake: HashMap::new(),
                        by_lower: HashMap::new(),
                    });
                }
                Some("O") => {
                    let Some(svc) = cat.services.last_mut() else {
                        continue;
                    };
                    let mut ops: Vec<(String, String)> = parts
                        .filter(|p| !p.is_empty())
                        .map(|p| match p.split_once('=') {
                            Some((op, sn)) => (op.to_string(), sn.to_string()),
                            None => (p.to_string(), snake(p)),
                        })
                        .collect();
                    ops.sort();
                    for (i, (op, sn)) in ops.into_iter().enumerate() {
                        svc.by_snake.insert(sn, i);
                        svc.by_lower.insert(op.to_ascii_lowercase(), i);
                        svc.operations.push(op);
                    }
                }
                Some("H") => {
                    let f: Vec<&str> = parts.collect();
                    if f.len() < 4 {
                        continue;
                    }
                    let identifiers = f[4..]
                        .iter()
                        .filter_map(|s| {
                            let mut it = s.split(':');
                            let target = it.next()?.to_string();
                            let source = match (it.next(), it.next()) {
                                (Some("input"), _) => IdentSource::Input,
                                (Some("identifier"), Some(n)) => IdentSource::Parent(n.to_string()),
                                _ => IdentSource::Other,
                            };
                            Some((target, source))
                        })
                        .collect();
                    cat.has.push(ResourceHas {
                        service: f[0].to_string(),
                        parent: (f[1] != "-").then(|| f[1].to_string()),
                        name: f[2].to_string(),
                        target: f[3].to_string(),
                        identifiers,
                    });
                }
                Some("R") => {
                    // The service resource constructs every resource type from its identifiers.
                    let f: Vec<&str> = parts.collect();
                    if f.len() < 2 {
                        continue;
                    }
                    cat.has.push(ResourceHas {
                        service: f[0].to_string(),
                        parent: None,
                        name: f[1].to_string(),
                        target: f[1].to_string(),
                        identifiers: f[2..]
                            .iter()
                            .map(|i| (i.to_string(), IdentSource::Input))
                            .collect(),
                    });
                }
                Some("A") => {
                    let f: Vec<&str> = parts.collect();
                    if f.len() < 4 {
                        continue;
                    }
                    cat.actions.push(ResourceAction {
                        service: f[0].to_string(),
                        resource: (f[1] != "-").then(|| f[1].to_string()),
                        action: f[2].to_string(),
                        operation: f[3].to_string(),
                        params: f[4..]
                            .iter()
                            .filter_map(|p| p.split_once('='))
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                            .collect(),
                    });
                }
                _ => {}
            }
        }
        // Aliases: botocore name first (it wins), then serviceId and the v2 class name.
        for (i, s) in cat.services.iter().enumerate() {
            cat.aliases.entry(normalize(&s.name)).or_insert(i);
        }
        for (i, s) in cat.services.iter().enumerate() {
            cat.aliases.entry(normalize(&s.service_id)).or_insert(i);
            if let Some(c) = &s.v2_class {
                cat.aliases.entry(normalize(c)).or_insert(i);
            }
        }
        cat.provenance = provenance.join("; ");
        cat
    }

    /// The service a name refers to in any SDK's spelling: botocore name (`dynamodb`),
    /// serviceId (`Secrets Manager`), v3 package suffix (`secrets-manager`), v2 class
    /// (`StepFunctions`), Go/Java package (`secretsmanager`, `sfn`).
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.aliases
            .get(&normalize(name))
            .map(|&i| &self.services[i])
    }

    /// The service whose botocore name is exactly `name`.
    pub fn by_botocore(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// A boto3 resource constructor.
    pub fn resource_has(
        &self,
        service: &str,
        parent: Option<&str>,
        name: &str,
    ) -> Option<&ResourceHas> {
        self.has
            .iter()
            .find(|h| h.service == service && h.parent.as_deref() == parent && h.name == name)
    }

    /// A boto3 resource action.
    pub fn resource_action(
        &self,
        service: &str,
        resource: Option<&str>,
        action: &str,
    ) -> Option<&ResourceAction> {
        self.actions.iter().find(|a| {
            a.service == service && a.resource.as_deref() == resource && a.action == action
        })
    }
}

/// The catalog, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse(DATA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names_services_in_every_spelling() {
        let c = catalog();
        assert!(c.services.len() > 300, "{}", c.services.len());
        for (alias, want) in [
            ("dynamodb", "dynamodb"),
            ("DynamoDB", "dynamodb"),
            ("secrets-manager", "secretsmanager"),
            ("SecretsManager", "secretsmanager"),
            ("StepFunctions", "stepfunctions"),
            ("sfn", "stepfunctions"),
            ("cloudwatch-logs", "logs"),
            ("CloudWatchLogs", "logs"),
            ("s3", "s3"),
            ("sqs", "sqs"),
            ("eventbridge", "events"),
        ] {
            assert_eq!(
                c.service(alias).map(|s| s.name.as_str()),
                Some(want),
                "{alias}"
            );
        }
        let ddb = c.by_botocore("dynamodb").expect("dynamodb");
        assert_eq!(ddb.op_from_snake("put_item"), Some("PutItem"));
        assert_eq!(ddb.op_from_camel("putItem"), Some("PutItem"));
        let s3 = c.by_botocore("s3").expect("s3");
        assert_eq!(s3.op_from_snake("list_objects_v2"), Some("ListObjectsV2"));
        assert_eq!(s3.op_from_snake("get_object"), Some("GetObject"));
        let obj = c.resource_has("s3", None, "Object").expect("s3.Object");
        assert_eq!(obj.identifiers.len(), 2);
        let put = c.resource_action("dynamodb", Some("Table"), "put_item");
        assert_eq!(put.map(|a| a.operation.as_str()), Some("PutItem"));
    }
}
