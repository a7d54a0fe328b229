//! What perimeter knows about the code a function deploys.
//!
//! IaC loaders say where a function's code is (`Function::code_path`, `Function::handler`);
//! the code stage (`perimeter_code`) then reads that folder or archive and fills two things:
//! [`CodeBundle`]s on the [`App`](crate::App) — one per folder or archive, shared by every
//! function that deploys it, with its source files, dependencies and secrets — and a
//! [`FunctionCode`] on each [`Function`](crate::Function) — its handler, the files reachable
//! from it, the AWS SDK calls it makes and the event-to-sink flows found in it.
//!
//! These are facts, not findings: rules decide what is a problem (`SEC`, `DEP`, `INJ`, and the
//! granted-but-unused `IAM` rules), as for every other part of the model.

use crate::Location;
use serde::Serialize;

/// A source language perimeter recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    Ruby,
    CSharp,
    /// Anything else (shell, config, data files kept for secret scanning).
    Other,
}

/// One folder or archive of deployed code, shared by every function that deploys it.
#[derive(Debug, Clone, Serialize)]
pub struct CodeBundle {
    /// Stable identifier: `root`, as below.
    pub id: String,
    /// The folder or archive, relative to the scan root (`src/orders`, `.serverless/api.zip`).
    /// Inline code (`ZipFile`, `InlineCode`) gets `"{template}#{FunctionId}"`.
    pub root: String,
    pub kind: BundleKind,
    /// Every file read, in path order.
    pub files: Vec<SourceFile>,
    /// Packages from the bundle's lockfiles and manifests.
    pub dependencies: Vec<Dependency>,
    /// Secrets found in the bundle's files (already redacted).
    pub secrets: Vec<SecretHit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleKind {
    Folder,
    Archive,
    Inline,
    /// A Lambda layer's content (folder or archive).
    Layer,
}

/// One file of a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFile {
    /// Display path relative to the scan root; entries of an archive are
    /// `"{archive}!/{entry}"`. [`Location::file`] of anything found in the file is this path.
    pub path: String,
    pub language: Language,
    pub size: u64,
}

/// What perimeter knows about one function's code.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionCode {
    /// The [`CodeBundle::id`] the function deploys.
    pub bundle: String,
    /// Ids of layer bundles the function uses, when their content is in the scanned tree.
    pub layers: Vec<String>,
    pub language: Language,
    /// `None` when the handler's file or symbol could not be found (then `problem` says why).
    pub handler: Option<HandlerRef>,
    /// Why the handler could not be found, e.g. `"src/app.py: no function 'handler'"`.
    pub problem: Option<String>,
    /// The handler's file and the project files it imports, transitively (display paths).
    pub files: Vec<String>,
    /// AWS SDK calls in `files`, in file and line order.
    pub sdk_calls: Vec<SdkCall>,
    /// Flows from the event to a dangerous sink, in `files`.
    pub flows: Vec<TaintFlow>,
}

/// The handler entry point.
#[derive(Debug, Clone, Serialize)]
pub struct HandlerRef {
    /// Display path of the file that defines it.
    pub file: String,
    /// The function or method name (`handler`, `App::handleRequest`).
    pub symbol: String,
    /// Where it is defined.
    pub location: Location,
}

/// Which SDK a call was written against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// Python boto3 / botocore.
    Boto3,
    /// AWS SDK for JavaScript v3 (`@aws-sdk/client-*`).
    JsV3,
    /// AWS SDK for JavaScript v2 (`aws-sdk`).
    JsV2,
    /// AWS SDK for Go v2.
    GoV2,
    /// AWS SDK for Java v2.
    JavaV2,
}

/// One AWS SDK call found in code.
#[derive(Debug, Clone, Serialize)]
pub struct SdkCall {
    pub sdk: Sdk,
    /// The service as the AWS service models name it (botocore's folder name, lowercase):
    /// `dynamodb`, `s3`, `sqs`, `sns`, `secretsmanager`, `lambda`, …
    pub service: String,
    /// The API operation, PascalCase as in the service model (`PutItem`, `GetObject`), or an
    /// SDK-level helper that is not an API operation, prefixed with `@`
    /// (`@upload_file`, `@DocumentClient.put`): the action table maps those too.
    pub operation: String,
    /// The arguments that name the resource the call acts on (table, bucket, queue, …).
    pub resources: Vec<ResourceArg>,
    /// The call expression.
    pub location: Location,
}

/// An argument naming a resource, e.g. `TableName=os.environ["TABLE"]`.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceArg {
    /// The parameter as the service model names it: `TableName`, `Bucket`, `QueueUrl`,
    /// `TopicArn`, `SecretId`, `FunctionName`, `StreamName`, …
    pub param: String,
    pub value: ArgValue,
}

/// Where an argument's value comes from, as far as the code shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum ArgValue {
    /// An environment variable (`os.environ["TABLE"]`, `process.env.TABLE`).
    EnvVar(String),
    /// A string literal in the code.
    Literal(String),
    /// Anything else (computed, passed in, from the event).
    Unknown,
}

/// The class of a dangerous sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SinkKind {
    /// `os.system`, `subprocess(..., shell=True)`, `child_process.exec`, `exec.Command("sh", "-c", …)`.
    OsCommand,
    /// `eval`, `exec`, `Function(...)`, `vm.runIn*`.
    Code,
    /// `pickle.loads`, unsafe `yaml.load`, `node-serialize`, `jsonpickle.decode`.
    Deserialization,
    /// SQL text built from event data.
    Sql,
    /// NoSQL queries built from event data (PartiQL, Mongo `$where`, operator objects).
    NoSql,
    /// File paths built from event data.
    Path,
    /// Outbound request URLs built from event data.
    Ssrf,
}

impl SinkKind {
    /// The INJ rule that reports flows of this kind (the one mapping shared by the rules
    /// and the code stage's fixtures).
    pub fn rule_code(self) -> &'static str {
        match self {
            SinkKind::OsCommand => "INJ001",
            SinkKind::Code => "INJ002",
            SinkKind::Deserialization => "INJ003",
            SinkKind::Sql => "INJ004",
            SinkKind::NoSql => "INJ005",
            SinkKind::Path => "INJ006",
            SinkKind::Ssrf => "INJ007",
        }
    }
}

/// A flow from event data to a sink, within one function's files.
#[derive(Debug, Clone, Serialize)]
pub struct TaintFlow {
    pub kind: SinkKind,
    /// The sink as written (`os.system`, `cursor.execute`, `child_process.exec`).
    pub sink: String,
    /// The source expression (`event['body']`, `event.Records[0].s3.object.key`).
    pub source: String,
    /// Each step from source to sink: the source first, the sink last.
    pub steps: Vec<FlowStep>,
    /// The sink call.
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowStep {
    pub location: Location,
    /// What happens at this step, e.g. ``"`key` = event['Records'][0]['s3']['object']['key']"``.
    pub note: String,
}

/// How sure a detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// A secret found in a file. Never holds the whole secret.
#[derive(Debug, Clone, Serialize)]
pub struct SecretHit {
    /// Detector id (`aws-access-key-id`, `private-key`, `github-token`, `generic-assignment`, …).
    pub detector: String,
    /// Human description (`AWS access key ID`).
    pub description: String,
    /// The redacted value (`AKIA************MPLE`).
    pub redacted: String,
    pub confidence: Confidence,
    pub location: Location,
}

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    PyPI,
    Go,
    #[serde(rename = "crates.io")]
    CratesIo,
    Maven,
    RubyGems,
    NuGet,
}

impl Ecosystem {
    /// The name OSV uses in `affected[].package.ecosystem`.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
        }
    }
}

/// One package a bundle ships.
#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (`@aws-sdk/client-s3`, `requests`,
    /// `github.com/aws/aws-sdk-go-v2`, `org.apache.logging.log4j:log4j-core`).
    pub name: String,
    /// The resolved version, or the requirement as written when `exact` is false
    /// (`>=2.0,<3`, `^4.17.0`).
    pub version: String,
    /// `true` when from a lockfile or an exact pin (`==`), `false` for a range from a
    /// manifest (findings on it are lower-confidence).
    pub exact: bool,
    /// `Some(true)` for a direct dependency, `Some(false)` for a transitive one, `None` when
    /// the file does not say.
    pub direct: Option<bool>,
    /// A development-only dependency (not deployed, when the file says so).
    pub dev: bool,
    /// The line in the lockfile or manifest.
    pub location: Location,
    /// Advisories that affect this version, filled from the OSV database.
    pub advisories: Vec<Advisory>,
}

/// An OSV advisory matched against a [`Dependency`].
#[derive(Debug, Clone, Serialize)]
pub struct Advisory {
    /// OSV id (`GHSA-…`, `PYSEC-…`, `GO-…`).
    pub id: String,
    /// Other ids (`CVE-…`).
    pub aliases: Vec<String>,
    pub summary: String,
    /// `CRITICAL`/`HIGH`/`MODERATE`/`LOW` when the record says (database_specific or CVSS).
    pub severity: Option<String>,
    /// The lowest version that fixes it for the installed line, when known.
    pub fixed: Option<String>,
    /// A reference URL (advisory page).
    pub url: Option<String>,
}
