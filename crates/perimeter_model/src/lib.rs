//! The one application model that every loader fills and every rule reads.
//!
//! An [`App`] is what perimeter knows about one serverless application, whatever it was
//! declared in (SAM, CloudFormation, Serverless Framework, CDK output, later Terraform and a
//! live account): its [`Function`]s with their [`Trigger`]s, the [`Role`]s and [`Policy`]
//! documents they run with, the [`Resource`]s (buckets, tables, queues, topics, secrets, keys,
//! log groups) and [`Api`]s around them. Every value that a rule may judge carries its
//! provenance as an [`Attr`]: where it was written ([`Location`]), whether it was written or
//! defaulted ([`Origin`]), and whether it could be known statically at all ([`Value`]).
//!
//! The model is plain data: no I/O, no parsing, no findings. Loaders build it; rules, the
//! scorer and the reporters only read it.

mod code;
mod location;
mod policy;
mod value;

pub use code::{
    Advisory, ArgValue, BundleKind, CodeBundle, Confidence, Dependency, Ecosystem, FlowStep,
    FunctionCode, HandlerRef, Language, ResourceArg, Sdk, SdkCall, SecretHit, SinkKind, SourceFile,
    TaintFlow,
};
pub use location::{LoadError, Location};
pub use policy::{
    Condition, Effect, Policy, PolicySource, Principal, PrincipalKind, Role, RoleBinding, Statement,
};
pub use value::{Attr, Origin, Value};

use serde::Serialize;

/// Everything one scan found: the applications, and the files that could not be read.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Model {
    pub apps: Vec<App>,
    /// Per-file problems (parse errors, size caps, unsupported shapes). A scan goes on after
    /// each of them.
    pub errors: Vec<LoadError>,
}

/// Which kind of declaration an [`App`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A CloudFormation template with `Transform: AWS::Serverless-2016-10-31`.
    Sam,
    /// A plain CloudFormation template.
    CloudFormation,
    /// A synthesized CDK template (`cdk.out/*.template.json`).
    Cdk,
    /// A Serverless Framework service (`serverless.yml`/`.yaml`/`.json`).
    Serverless,
    /// Terraform configuration.
    Terraform,
    /// A live AWS account or a saved snapshot of one.
    Aws,
    /// An Azure Functions project (`host.json` with `*/function.json` beside it).
    AzureFunctions,
}

/// The cloud an [`App`] runs on. Most of the model is cloud-neutral (functions, HTTP
/// triggers with their auth, environment, identities); what differs is named per cloud where
/// it must be (runtime identifiers, predefined roles, price tables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    #[default]
    Aws,
    Azure,
    Gcp,
}

impl Cloud {
    pub fn is_aws(&self) -> bool {
        *self == Cloud::Aws
    }
}

/// What a live scan (or the snapshot it saved) covered: rules that judge absence ("used by
/// no function", "points at a deleted function") may only speak about what was looked at.
#[derive(Debug, Clone, Serialize)]
pub struct LiveScope {
    pub account_id: String,
    /// The region this app's functions were read from.
    pub region: String,
    /// Every region read by the same scan (roles are global: a role unused in one region
    /// may be used in another that was not read).
    pub regions_scanned: Vec<String>,
    /// RFC 3339 time the account was read.
    pub captured_at: String,
    /// Days of CloudWatch `Invocations` metrics read per function (0 when none were read).
    pub metrics_days: u32,
    /// What could not be read (missing permissions, unsupported APIs), one sentence each.
    pub gaps: Vec<String>,
}

/// One serverless application: the unit a template or a service file declares.
#[derive(Debug, Clone, Serialize)]
pub struct App {
    /// Stable identifier: the declaring file's path relative to the scan root.
    pub id: String,
    /// Human name: the Serverless `service:`, or the template's file stem.
    pub name: String,
    pub source: SourceKind,
    /// The declaring file, relative to the scan root.
    pub file: String,
    pub functions: Vec<Function>,
    pub roles: Vec<Role>,
    pub resources: Vec<Resource>,
    pub apis: Vec<Api>,
    /// Resource-based permissions on functions (`AWS::Lambda::Permission` and their
    /// equivalents), each naming the function it applies to.
    pub permissions: Vec<Permission>,
    /// The code bundles (folders, archives, inline code, layers) the functions deploy; empty
    /// until the code stage has run.
    pub code: Vec<CodeBundle>,
    /// The cloud the app runs on (AWS unless a loader says otherwise).
    #[serde(skip_serializing_if = "Cloud::is_aws")]
    pub cloud: Cloud,
    /// For a live account or a snapshot of one: what was read, where and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveScope>,
}

impl App {
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        source: SourceKind,
        file: impl Into<String>,
    ) -> Self {
        App {
            id: id.into(),
            name: name.into(),
            source,
            file: file.into(),
            functions: Vec::new(),
            roles: Vec::new(),
            resources: Vec::new(),
            apis: Vec::new(),
            permissions: Vec::new(),
            code: Vec::new(),
            cloud: Cloud::Aws,
            live: None,
        }
    }

    pub fn function(&self, id: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.id == id)
    }

    pub fn bundle(&self, id: &str) -> Option<&CodeBundle> {
        self.code.iter().find(|b| b.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    pub fn api(&self, id: &str) -> Option<&Api> {
        self.apis.iter().find(|a| a.id == id)
    }

    /// The CDK construct path of the function, role, resource or API with this id, when
    /// the template recorded one.
    pub fn construct_path(&self, id: &str) -> Option<&str> {
        let f = self.function(id).and_then(|f| f.construct_path.as_deref());
        f.or_else(|| self.role(id).and_then(|r| r.construct_path.as_deref()))
            .or_else(|| self.resource(id).and_then(|r| r.construct_path.as_deref()))
            .or_else(|| self.api(id).and_then(|a| a.construct_path.as_deref()))
    }

    /// The role a function runs with, when it is declared in this app.
    pub fn role_of(&self, function: &Function) -> Option<&Role> {
        match &function.role.value {
            Value::Known(id) => self.role(id),
            Value::Unresolved(_) => None,
        }
    }

    /// Functions that run with the role `role_id`.
    pub fn functions_with_role<'a>(
        &'a self,
        role_id: &'a str,
    ) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions
            .iter()
            .filter(move |f| f.role.value.known().is_some_and(|r| r == role_id))
    }

    /// Resource-based permissions that apply to `function`.
    pub fn permissions_of<'a>(
        &'a self,
        function: &'a Function,
    ) -> impl Iterator<Item = &'a Permission> + 'a {
        self.permissions
            .iter()
            .filter(move |p| p.function.value.known().is_some_and(|f| f == &function.id))
    }
}

/// A Lambda function (or its equivalent on another cloud).
#[derive(Debug, Clone, Serialize)]
pub struct Function {
    /// Stable identifier within the app: the CloudFormation logical ID, or the Serverless
    /// function key. Findings use `"{app.id}#{id}"` in fingerprints.
    pub id: String,
    /// The deployed function name when declared, else the logical ID.
    pub name: String,
    /// Where the function is declared (its logical ID / key).
    pub location: Location,
    pub runtime: Attr<String>,
    pub handler: Attr<String>,
    /// `Zip` or `Image`.
    pub package_type: Attr<String>,
    /// Path of the function's code relative to the scan root (`CodeUri`, `Code`, the Serverless
    /// service folder), when it is on disk.
    pub code_path: Option<Attr<String>>,
    /// Source written in the template itself (CloudFormation `Code.ZipFile`, SAM
    /// `InlineCode`); its location is where the value starts.
    pub inline_code: Option<Attr<String>>,
    /// Seconds; Lambda's default is 3.
    pub timeout: Attr<u32>,
    /// MB; Lambda's default is 128.
    pub memory: Attr<u32>,
    /// `None` when not set (the function shares the account's unreserved pool). On Google
    /// Cloud and Azure, the function's own cap on scale-out (the same meaning for cost and
    /// blast radius): `max_instance_count`/`max_instances`/`maxInstances`, Azure's
    /// `functionAppScaleLimit` (`app_scale_limit`) or Flex Consumption `maximum_instance_count`.
    pub reserved_concurrency: Option<Attr<i64>>,
    pub environment: Vec<EnvVar>,
    /// `true` when X-Ray active tracing is on.
    pub tracing: Attr<bool>,
    /// The role ID in [`App::roles`] (a logical ID), or an ARN / unresolved value for roles
    /// declared elsewhere.
    pub role: Attr<String>,
    /// Dead-letter queue or topic target.
    pub dead_letter: Option<Attr<String>>,
    /// `EventInvokeConfig` destinations for asynchronous invocations.
    pub on_failure: Option<Attr<String>>,
    pub on_success: Option<Attr<String>>,
    pub code_signing: Option<Attr<String>>,
    pub layers: Vec<Attr<String>>,
    pub vpc: Option<Attr<bool>>,
    /// Retention of the function's log group, in days, when a log group for it is declared.
    /// `None` when no log group is declared (Lambda then creates one that never expires).
    pub log_retention_days: Option<Attr<u32>>,
    pub triggers: Vec<Trigger>,
    pub url: Option<FunctionUrl>,
    pub architectures: Vec<String>,
    /// What the code stage found in the function's code; `None` until it has run, or when the
    /// code is not in the scanned tree.
    pub code: Option<FunctionCode>,
    /// Facts only a deployed function has (live scans and snapshots); `None` for IaC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployed: Option<Deployed>,
    /// Tags, as declared or as deployed (`aws:cloudformation:logical-id` and
    /// `aws:cloudformation:stack-name` on deployed functions tie them back to their IaC).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, Attr<String>)>,
    /// The CDK construct path (`Stack/Construct/Resource`) from the template's
    /// `Metadata: aws:cdk:path`, for synthesized CDK templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<String>,
}

/// What a deployed function looks like in its account.
#[derive(Debug, Clone, Serialize)]
pub struct Deployed {
    /// The function's ARN (unqualified).
    pub arn: String,
    /// RFC 3339 time of the last code or configuration update, as AWS reports it.
    pub last_modified: Option<String>,
    /// Base64 SHA-256 of the deployment package (`CodeSha256`).
    pub code_sha256: Option<String>,
    pub code_size: Option<u64>,
    /// `Active`, `Pending`, `Inactive`, `Failed`.
    pub state: Option<String>,
    /// Invocations summed over the last [`LiveScope::metrics_days`] days; `None` when the
    /// metrics could not be read.
    pub invocations: Option<u64>,
    /// Time of the last datapoint with invocations, when metrics were read.
    pub last_invoked: Option<String>,
}

impl Function {
    /// A function with Lambda's real defaults, each marked as defaulted at `location`.
    pub fn new(id: impl Into<String>, location: Location) -> Self {
        let id = id.into();
        Function {
            name: id.clone(),
            id,
            runtime: Attr::unresolved("no Runtime declared", location.clone()),
            handler: Attr::unresolved("no Handler declared", location.clone()),
            package_type: Attr::defaulted("Zip".to_string(), location.clone()),
            code_path: None,
            inline_code: None,
            timeout: Attr::defaulted(3, location.clone()),
            memory: Attr::defaulted(128, location.clone()),
            reserved_concurrency: None,
            environment: Vec::new(),
            tracing: Attr::defaulted(false, location.clone()),
            role: Attr::unresolved("no Role declared", location.clone()),
            dead_letter: None,
            on_failure: None,
            on_success: None,
            code_signing: None,
            layers: Vec::new(),
            vpc: None,
            log_retention_days: None,
            triggers: Vec::new(),
            url: None,
            architectures: Vec::new(),
            code: None,
            deployed: None,
            tags: Vec::new(),
            construct_path: None,
            location,
        }
    }

    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.environment.iter().find(|e| e.name == name)
    }
}

/// One environment variable of a function.
#[derive(Debug, Clone, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// The value as written (a reference such as `{{resolve:secretsmanager:…}}` stays a string);
    /// unresolved when it is an intrinsic that cannot be evaluated statically.
    pub value: Attr<String>,
    /// Where the key is written.
    pub location: Location,
}

/// A function URL (`AWS::Lambda::Url`, SAM `FunctionUrlConfig`, Serverless `url:`).
#[derive(Debug, Clone, Serialize)]
pub struct FunctionUrl {
    /// `NONE` or `AWS_IAM`.
    pub auth_type: Attr<String>,
    pub cors: Option<Cors>,
    pub location: Location,
}

/// Cross-origin settings of an endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Cors {
    pub allow_origins: Vec<Attr<String>>,
    pub allow_credentials: Option<Attr<bool>>,
    pub location: Location,
}

impl Cors {
    /// `true` when any origin is allowed.
    pub fn allows_any_origin(&self) -> bool {
        self.allow_origins
            .iter()
            .any(|o| matches!(o.value.known().map(String::as_str), Some("*") | Some("'*'")))
    }
}

/// What starts a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerKind {
    /// API Gateway REST API (v1) route.
    Api,
    /// API Gateway HTTP API (v2) route.
    HttpApi,
    /// API Gateway WebSocket route.
    WebSocket,
    /// Lambda function URL.
    FunctionUrl,
    /// Application Load Balancer target.
    Alb,
    /// CloudFront / Lambda@Edge.
    CloudFront,
    S3,
    Sqs,
    Sns,
    Kinesis,
    DynamoDb,
    Schedule,
    EventBridge,
    IoT,
    Cognito,
    Mq,
    Msk,
    Kafka,
    CloudWatchLogs,
    Alexa,
    /// Anything else, named in [`Trigger::type_name`].
    Other,
}

impl TriggerKind {
    /// `true` for sources whose caller waits for the function's answer (HTTP-like).
    pub fn is_synchronous(self) -> bool {
        matches!(
            self,
            TriggerKind::Api
                | TriggerKind::HttpApi
                | TriggerKind::WebSocket
                | TriggerKind::FunctionUrl
                | TriggerKind::Alb
                | TriggerKind::CloudFront
                | TriggerKind::Cognito
                | TriggerKind::Alexa
        )
    }

    /// `true` for sources that invoke the function asynchronously (Lambda retries and then
    /// drops the event unless a DLQ or on-failure destination is configured).
    pub fn is_asynchronous(self) -> bool {
        matches!(
            self,
            TriggerKind::S3
                | TriggerKind::Sns
                | TriggerKind::Schedule
                | TriggerKind::EventBridge
                | TriggerKind::IoT
                | TriggerKind::CloudWatchLogs
        )
    }

    /// `true` for HTTP entry points reachable from the internet when not authenticated.
    pub fn is_http(self) -> bool {
        matches!(
            self,
            TriggerKind::Api
                | TriggerKind::HttpApi
                | TriggerKind::WebSocket
                | TriggerKind::FunctionUrl
                | TriggerKind::Alb
        )
    }
}

/// One event source of a function.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    /// Stable identifier within the function: the SAM event name, or `"{kind}-{index}"`.
    pub id: String,
    pub kind: TriggerKind,
    /// The source's own type name as written (`Api`, `S3`, `httpApi`, `AWS::Lambda::EventSourceMapping`, …).
    pub type_name: String,
    pub location: Location,
    /// The resource the events come from: a resource ID in [`App::resources`] / [`App::apis`]
    /// when declared in the app, else an ARN or name, else unresolved.
    pub source: Option<Attr<String>>,
    /// For HTTP triggers: the route and how it is authenticated.
    pub http: Option<HttpRoute>,
}

/// How an HTTP route authenticates its callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "kebab-case")]
pub enum Auth {
    /// Nobody is asked who they are.
    None,
    /// SigV4 (`AWS_IAM`).
    Iam,
    /// A Cognito user-pool authorizer.
    Cognito(String),
    /// A JWT / OAuth2 authorizer.
    Jwt(String),
    /// A Lambda (custom) authorizer.
    Lambda(String),
    /// An authorizer whose kind is not known (e.g. declared by ARN only).
    Other(String),
}

impl Auth {
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }
}

/// An HTTP route of an API, or a function URL, as a trigger sees it.
#[derive(Debug, Clone, Serialize)]
pub struct HttpRoute {
    /// The API in [`App::apis`], when declared (SAM implicit APIs get `ServerlessRestApi` /
    /// `ServerlessHttpApi`, as the translator names them).
    pub api: Option<String>,
    /// Upper-case method, or `ANY`.
    pub method: String,
    pub path: String,
    pub auth: Attr<Auth>,
    pub api_key_required: Attr<bool>,
    /// Private (VPC endpoint only) APIs are not reachable from the internet.
    pub private: Attr<bool>,
    pub cors: Option<Cors>,
}

/// What kind of thing a [`Resource`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    Bucket,
    Table,
    Queue,
    Topic,
    Stream,
    Secret,
    Key,
    Parameter,
    LogGroup,
    Database,
    EventBus,
    /// A Lambda layer version (its content may be on disk: [`Resource::code_path`]).
    Layer,
    Other,
}

impl ResourceKind {
    /// Stores of data that an attacker would want to read or change.
    pub fn is_data_store(self) -> bool {
        matches!(
            self,
            ResourceKind::Bucket
                | ResourceKind::Table
                | ResourceKind::Secret
                | ResourceKind::Key
                | ResourceKind::Parameter
                | ResourceKind::Database
                | ResourceKind::Stream
        )
    }
}

/// A declared cloud resource other than a function, role or API.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// Logical ID.
    pub id: String,
    pub kind: ResourceKind,
    /// The declared type (`AWS::S3::Bucket`, …).
    pub type_name: String,
    pub location: Location,
    /// The physical name when declared (`BucketName`, `QueueName`, …).
    pub name: Option<Attr<String>>,
    /// Resource-based policy statements (bucket, queue, topic, key, secret policies).
    pub policy: Vec<Statement>,
    /// Canned ACL (`AccessControl`) of a bucket.
    pub acl: Option<Attr<String>>,
    /// S3 Block Public Access settings of a bucket, when declared.
    pub public_access_block: Option<PublicAccessBlock>,
    /// For log groups: retention in days (`None`: never expires).
    pub retention_days: Option<Attr<u32>>,
    /// For log groups: the function whose logs it holds, when that can be told from its name.
    pub log_group_for: Option<String>,
    /// Functions this resource sends events to by its own configuration (S3 bucket
    /// notifications, SNS subscriptions): function IDs.
    pub notifies: Vec<Attr<String>>,
    /// For layers: the folder or archive of the layer's content relative to the scan root
    /// (SAM `ContentUri`, `Content` given as a local path, Serverless `layers.*.path`).
    pub code_path: Option<Attr<String>>,
    /// The customer managed KMS key that encrypts the resource (bucket default encryption,
    /// table SSE, queue, topic, secret, stream), as written: a key's logical ID when it is
    /// declared in the app, else its ARN, ID or alias. `None` when the resource uses an
    /// AWS-owned or AWS-managed key, whose use needs no IAM permission.
    pub kms_key: Option<Attr<String>>,
    /// The CDK construct path (`Stack/Construct/Resource`) from the template's
    /// `Metadata: aws:cdk:path`, for synthesized CDK templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<String>,
}

impl Resource {
    pub fn new(
        id: impl Into<String>,
        kind: ResourceKind,
        type_name: impl Into<String>,
        location: Location,
    ) -> Self {
        Resource {
            id: id.into(),
            kind,
            type_name: type_name.into(),
            location,
            name: None,
            policy: Vec::new(),
            acl: None,
            public_access_block: None,
            retention_days: None,
            log_group_for: None,
            notifies: Vec::new(),
            code_path: None,
            kms_key: None,
            construct_path: None,
        }
    }
}

/// S3 Block Public Access flags; an absent flag is `false`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// The kind of API Gateway API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiKind {
    Rest,
    Http,
    WebSocket,
}

/// An API Gateway API with its stage-level settings.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Logical ID (SAM implicit APIs: `ServerlessRestApi` / `ServerlessHttpApi`).
    pub id: String,
    pub kind: ApiKind,
    pub location: Location,
    /// `true` when a stage writes access logs.
    pub access_logging: Attr<bool>,
    /// `true` when X-Ray tracing is on for the stage (REST only).
    pub tracing: Attr<bool>,
    /// Stage or route throttling, requests per second, when set.
    pub throttle_rate: Option<Attr<f64>>,
    pub throttle_burst: Option<Attr<i64>>,
    /// `true` when a usage plan applies to the API (API keys with quotas and throttles).
    pub usage_plan: bool,
    pub cors: Option<Cors>,
    /// Resource policy of a REST API.
    pub policy: Vec<Statement>,
    /// `PRIVATE` endpoint configuration.
    pub private: bool,
    /// The CDK construct path (`Stack/Construct/Resource`) from the template's
    /// `Metadata: aws:cdk:path`, for synthesized CDK templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<String>,
}

impl Api {
    pub fn new(id: impl Into<String>, kind: ApiKind, location: Location) -> Self {
        Api {
            id: id.into(),
            kind,
            access_logging: Attr::defaulted(false, location.clone()),
            tracing: Attr::defaulted(false, location.clone()),
            throttle_rate: None,
            throttle_burst: None,
            usage_plan: false,
            cors: None,
            policy: Vec::new(),
            private: false,
            construct_path: None,
            location,
        }
    }
}

/// A resource-based permission on a function: who may invoke it.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    /// Logical ID of the permission.
    pub id: String,
    /// Function ID in [`App::functions`] (or the written ARN / name).
    pub function: Attr<String>,
    /// `lambda:InvokeFunction`, `lambda:InvokeFunctionUrl`, …
    pub action: Attr<String>,
    /// `*`, an account ID, an ARN, or a service principal such as `s3.amazonaws.com`.
    pub principal: Attr<String>,
    pub source_arn: Option<Attr<String>>,
    pub source_account: Option<Attr<String>>,
    pub principal_org_id: Option<Attr<String>>,
    /// For `lambda:InvokeFunctionUrl`: `NONE` or `AWS_IAM`.
    pub function_url_auth_type: Option<Attr<String>>,
    pub location: Location,
}
