//! CloudFormation, SAM and CDK-output templates into the model.
//!
//! INTERFACE (kept stable for the serverless loader and discovery; bodies to be written):
//! - [`Context`]: evaluation context of one template (parameters with defaults, conditions,
//!   mappings, resource logical IDs and types, pseudo-parameters).
//! - [`parse_statements`]: an IAM policy document node into model statements.
//! - [`load`]: a whole template into an [`App`].
//! - [`load_resources_into`]: every resource of a template into an existing [`App`] (used for
//!   the `resources:` block of a Serverless service).

use crate::doc::Node;
use perimeter_model::{App, Attr, Location, SourceKind, Statement};

/// The evaluation context of one template.
pub struct Context<'a> {
    pub file: &'a str,
    pub template: &'a Node,
}

impl<'a> Context<'a> {
    /// A context over `template` (a whole template mapping: `Parameters`, `Conditions`,
    /// `Mappings`, `Resources`, …), declared in `file` (relative to the scan root).
    pub fn new(file: &'a str, template: &'a Node) -> Self {
        Context { file, template }
    }

    /// Where `node` is written.
    pub fn loc(&self, node: &Node) -> Location {
        Location::new(self.file, node.line, node.column)
    }

    /// Evaluates `node` to a string.
    ///
    /// Conventions: a `Ref` to a resource gives `${LogicalId}`, `Fn::GetAtt` gives
    /// `${LogicalId.Attribute}`; `AWS::Region`/`AWS::AccountId`/`AWS::StackName` stay as
    /// `${AWS::Region}` etc.; `AWS::Partition` is `aws`, `AWS::URLSuffix` `amazonaws.com`;
    /// a parameter gives its default (unresolved without one); `Fn::ImportValue`, unknown
    /// functions and anything depending on an unresolved value are unresolved.
    pub fn string(&self, node: &Node) -> Attr<String> {
        match node.as_str() {
            Some(s) => Attr::explicit(s.to_string(), self.loc(node)),
            None => Attr::unresolved("not a static value", self.loc(node)),
        }
    }

    /// A string or a list of strings (each element evaluated).
    pub fn strings(&self, node: &Node) -> Vec<Attr<String>> {
        if node.is_seq() { node.items().iter().map(|n| self.string(n)).collect() } else { vec![self.string(node)] }
    }

    pub fn bool(&self, node: &Node) -> Attr<bool> {
        let s = self.string(node);
        let loc = s.location.clone();
        match s.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("true") => Attr::explicit(true, loc),
            Some("false") => Attr::explicit(false, loc),
            _ => Attr::unresolved("not a static boolean", loc),
        }
    }

    pub fn int(&self, node: &Node) -> Attr<i64> {
        let s = self.string(node);
        let loc = s.location.clone();
        match s.as_str().and_then(|v| v.trim().parse().ok()) {
            Some(v) => Attr::explicit(v, loc),
            None => Attr::unresolved("not a static number", loc),
        }
    }

    /// The logical ID a `Ref`/`Fn::GetAtt`/`Fn::Sub` of a single resource points at, when that
    /// resource is declared in this template.
    pub fn ref_target(&self, node: &Node) -> Option<String> {
        let _ = node;
        None
    }

    /// `node` with every intrinsic that can be evaluated replaced by its value (`Fn::If` takes
    /// the branch its condition selects), so loaders can read properties with plain lookups.
    pub fn evaluate(&self, node: &Node) -> Node {
        node.clone()
    }
}

/// The statements of an IAM policy document (`{Version, Statement: [...]}`) or of a bare
/// statement list.
pub fn parse_statements(ctx: &Context, document: &Node) -> Vec<Statement> {
    let _ = (ctx, document);
    Vec::new()
}

/// Loads a whole template. `source` says whether it is SAM, plain CloudFormation or CDK output;
/// `root_dir` is the template's folder relative to the scan root (for `CodeUri`).
pub fn load(file: &str, template: &Node, source: SourceKind) -> App {
    App::new(file, file, source, file)
}

/// Adds every resource of `ctx.template` to `app`.
pub fn load_resources_into(app: &mut App, ctx: &Context) {
    let _ = (app, ctx);
}

/// `true` when a parsed document looks like a CloudFormation/SAM template (by content, not by
/// file name): an `AWSTemplateFormatVersion`, a SAM `Transform`, or a `Resources` mapping whose
/// entries have a `Type` such as `AWS::…`.
pub fn is_template(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|(_, v)| v.get("Type").and_then(Node::as_str).is_some_and(|t| t.contains("::")))
        })
}
