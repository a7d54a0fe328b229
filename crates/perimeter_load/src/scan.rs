//! The load step of a scan: one candidate file from disk to an [`App`], or to a per-file
//! error, or to nothing.
//!
//! Each file is read once: its size is checked from metadata first (an oversized file is never
//! read whole), files that might be templates are prefiltered on their raw bytes so that data
//! files are never parsed, then the text is decoded, parsed into a [`Node`] tree, and handed
//! to the loader for its kind. Which failures are errors and which are silent misses follows
//! from how the file was recognized ([`CandidateKind`]).

use crate::discover::{Candidate, CandidateKind};
use crate::doc::{self, Node};
use crate::{LoadOptions, cloudformation, load_error, serverless};
use perimeter_model::{App, LoadError, SourceKind};
use regex::bytes::Regex;
use std::fs::File;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::LazyLock;

/// What became of one candidate file.
pub(crate) enum Outcome {
    App(Box<App>),
    Error(LoadError),
    /// Not an application (a YAML/JSON file that is not a template): a silent miss.
    Skipped,
    /// Several of the above from one candidate (an Azure Functions project and the files of
    /// it that could not be read).
    Many(Vec<Outcome>),
}

impl Outcome {
    /// The outcomes, with [`Outcome::Many`] opened.
    pub(crate) fn flatten(self) -> Vec<Outcome> {
        match self {
            Outcome::Many(many) => many.into_iter().flat_map(Outcome::flatten).collect(),
            other => vec![other],
        }
    }
}

/// How much of an oversized file is read to tell whether it was meant as a template.
const SNIFF_BYTES: u64 = 64 * 1024;

const MAX_BYTES: u64 = doc::MAX_FILE_BYTES as u64;

/// Text that any CloudFormation template contains (`is_template` needs
/// `AWSTemplateFormatVersion` or a `Resources` key; SAM templates name their transform). Files
/// without it are not parsed: this keeps sample events, lockfiles and other data out of the
/// parser. Over-matching (a nested `Resources:` key) only costs a parse.
static TEMPLATE_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31|(?m:^[ \t]*['"]?Resources['"]?[ \t]*:)|"Resources"\s*:|"format_version"\s*:"#)
        .expect("constant pattern")
});

pub(crate) fn load_candidate(candidate: &Candidate, base: &Path, options: &LoadOptions) -> Outcome {
    let file = candidate.rel.as_str();
    let error = |message: String, line: Option<u32>| {
        Outcome::Error(LoadError {
            file: file.to_string(),
            line,
            column: None,
            message,
        })
    };
    match candidate.kind {
        CandidateKind::Terraform => return Outcome::Skipped,
        CandidateKind::AzureHost => return load_azure(file, base),
        CandidateKind::CdkApp => return cdk_app(candidate),
        _ => {}
    }
    if candidate.kind == CandidateKind::ServerlessCode {
        return error(
            "Serverless service written in code: not read (perimeter never runs scanned code); \
             scan the CloudFormation that `serverless package` writes to \
             .serverless/cloudformation-template-update-stack.json instead"
                .to_string(),
            None,
        );
    }
    // Size first, from the open file's metadata, so a huge file is never read whole.
    // Discovery only hands over regular files (never a FIFO, which would block `open`).
    let mut handle = match File::open(&candidate.path) {
        Ok(handle) => handle,
        Err(err) => return error(format!("cannot read: {err}"), None),
    };
    let size = match handle.metadata() {
        Ok(meta) => meta.len(),
        Err(err) => return error(format!("cannot read: {err}"), None),
    };
    let too_big = |size: u64| {
        error(
            format!(
                "file is {} MB, larger than the {} MB limit for templates; not read",
                size / (1024 * 1024),
                doc::MAX_FILE_BYTES / (1024 * 1024)
            ),
            None,
        )
    };
    if size > MAX_BYTES {
        // CloudFormation itself refuses templates over 1 MB, so an oversized YAML/JSON file is
        // almost always data; it is an error only when it was meant as an application (by name,
        // or by what its first bytes say).
        if candidate.kind == CandidateKind::MaybeTemplate {
            let mut head = Vec::new();
            match (&mut handle).take(SNIFF_BYTES).read_to_end(&mut head) {
                Ok(_) if TEMPLATE_HINT.is_match(&head) => {}
                _ => return Outcome::Skipped,
            }
        }
        return too_big(size);
    }
    // Bounded even if the file grows after the size check.
    let mut bytes = Vec::with_capacity(size as usize);
    if let Err(err) = handle.take(MAX_BYTES + 1).read_to_end(&mut bytes) {
        return error(format!("cannot read: {err}"), None);
    }
    if bytes.len() as u64 > MAX_BYTES {
        return too_big(bytes.len() as u64);
    }
    if candidate.kind == CandidateKind::MaybeTemplate && !TEMPLATE_HINT.is_match(&bytes) {
        return Outcome::Skipped;
    }
    // Editors on Windows may save UTF-16; say so instead of calling the NUL bytes binary.
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return error(
            "UTF-16 text: templates must be saved as UTF-8".to_string(),
            None,
        );
    }
    let text = match doc::decode(&bytes) {
        Ok(text) => text,
        Err(err) => return Outcome::Error(load_error(file, &err)),
    };
    let parsed = if is_json(&candidate.path, text) {
        doc::parse_json(text)
    } else {
        doc::parse_yaml(text)
    };
    let node = match parsed {
        Ok(Some(node)) => node,
        Ok(None) => return error("empty file: no document in it".to_string(), None),
        Err(err) => return Outcome::Error(load_error(file, &err)),
    };
    match candidate.kind {
        CandidateKind::Serverless => {
            if !node.is_map() {
                return error(
                    format!(
                        "not a Serverless service: the document is {}, not a mapping",
                        describe(&node)
                    ),
                    // An empty document has no line worth pointing at.
                    (!node.is_null()).then_some(node.line),
                );
            }
            guarded(file, || serverless::load(file, &node, base, options))
        }
        // Loaded per folder by `load_path`, or handled before reading.
        CandidateKind::ServerlessCode
        | CandidateKind::Terraform
        | CandidateKind::AzureHost
        | CandidateKind::CdkApp => Outcome::Skipped,
        CandidateKind::NamedTemplate | CandidateKind::MaybeTemplate => {
            // `terraform show -json` output: a Terraform app of its own.
            if crate::terraform::plan::is_plan(&node) {
                return guarded(file, || crate::terraform::plan::load(file, &node));
            }
            if !node.is_map() || !cloudformation::is_template(&node) {
                // A file named `template.yaml` whose document is empty (`---` alone) was almost
                // certainly meant as one; any other non-template is a silent miss.
                if candidate.kind == CandidateKind::NamedTemplate && node.is_null() {
                    return error("empty document: no template in it".to_string(), None);
                }
                return Outcome::Skipped;
            }
            let source = source_kind(&node, candidate.in_cdk_out);
            // Nested stacks and CDK assets are read from beside the template.
            let mut nested_errors = Vec::new();
            let app = guarded(file, || {
                let loaded = cloudformation::load_from_disk(file, &candidate.path, &node, source);
                nested_errors = loaded.errors;
                Ok(loaded.app)
            });
            let mut out: Vec<Outcome> = nested_errors.into_iter().map(Outcome::Error).collect();
            out.push(app);
            Outcome::Many(out)
        }
    }
}

/// An Azure Functions project from its `host.json` (see [`crate::azure`]).
fn load_azure(file: &str, base: &Path) -> Outcome {
    let loaded = catch_unwind(AssertUnwindSafe(|| crate::azure::load_project(base, file)));
    let Ok(project) = loaded else {
        return Outcome::Error(LoadError {
            file: file.to_string(),
            line: None,
            column: None,
            message: "internal error: the Azure Functions loader panicked; please report this \
                      project"
                .to_string(),
        });
    };
    let mut out: Vec<Outcome> = project.errors.into_iter().map(Outcome::Error).collect();
    out.extend(project.app.map(|a| Outcome::App(Box::new(a))));
    Outcome::Many(out)
}

/// A `cdk.json` whose cloud assembly holds no template: the app has not been synthesized,
/// and scanning it would otherwise report nothing at all.
fn cdk_app(candidate: &Candidate) -> Outcome {
    let Some(dir) = candidate.path.parent() else {
        return Outcome::Skipped;
    };
    // `"output"` in cdk.json moves the assembly; read it when the file is small and valid.
    let output = std::fs::metadata(&candidate.path)
        .ok()
        .filter(|m| m.len() <= 1024 * 1024)
        .and_then(|_| std::fs::read(&candidate.path).ok())
        .and_then(|bytes| {
            let text = doc::decode(&bytes).ok()?.to_string();
            let node = doc::parse_json(&text).ok()??;
            node.get("output")
                .and_then(Node::as_str)
                .map(str::to_string)
        })
        .filter(|o| !o.is_empty() && !o.starts_with('/') && !o.split('/').any(|c| c == ".."))
        .unwrap_or_else(|| "cdk.out".to_string());
    if has_templates(&dir.join(&output)) {
        return Outcome::Skipped;
    }
    Outcome::Error(LoadError {
        file: candidate.rel.clone(),
        line: None,
        column: None,
        message: format!(
            "CDK app without synthesized output: no {output}/*.template.json; run `cdk synth` \
             in this folder, then scan again (perimeter reads the synthesized CloudFormation, \
             it never runs the app)"
        ),
    })
}

/// `true` when a cloud assembly folder holds a `*.template.json`, at its top or in a nested
/// `assembly-*` folder.
fn has_templates(out: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return false;
    };
    if !meta.is_dir() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(out) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        (!is_dir && name.ends_with(".template.json"))
            || (is_dir && name.starts_with("assembly-") && {
                std::fs::read_dir(e.path()).is_ok_and(|inner| {
                    inner
                        .flatten()
                        .any(|i| i.file_name().to_string_lossy().ends_with(".template.json"))
                })
            })
    })
}

/// Loads the `.tf` candidates folder by folder: each folder is one Terraform module.
pub(crate) fn load_terraform(candidates: &[&Candidate], base: &Path) -> Vec<Outcome> {
    use rayon::prelude::*;
    let mut modules: std::collections::BTreeMap<String, Vec<&Candidate>> = Default::default();
    for c in candidates {
        let dir = c.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        modules.entry(dir.to_string()).or_default().push(c);
    }
    let modules: Vec<(String, Vec<&Candidate>)> = modules.into_iter().collect();
    let loaded: Vec<Result<crate::terraform::ModuleOutcome, Outcome>> = modules
        .par_iter()
        .filter_map(|(dir, files)| {
            let dir_path = files.first().and_then(|c| c.path.parent())?;
            let list: Vec<(std::path::PathBuf, String)> = files
                .iter()
                .map(|c| (c.path.clone(), c.rel.clone()))
                .collect();
            let first = files.first().map(|c| c.rel.as_str()).unwrap_or(dir);
            Some(
                catch_unwind(AssertUnwindSafe(|| {
                    crate::terraform::load_module(base, dir_path, dir, &list)
                }))
                .map_err(|_| {
                    Outcome::Error(LoadError {
                        file: first.to_string(),
                        line: None,
                        column: None,
                        message: "internal error: the Terraform loader panicked; please report \
                                  this module"
                            .to_string(),
                    })
                }),
            )
        })
        .collect();
    // A folder another module calls as a local child is part of that module, not a root.
    let children: std::collections::HashSet<String> = loaded
        .iter()
        .filter_map(|m| m.as_ref().ok())
        .flat_map(|m| m.children.iter().cloned())
        .collect();
    let mut out = Vec::new();
    // A child module's file that cannot be read is reported once, not by every caller.
    let mut seen_errors = std::collections::HashSet::new();
    for m in loaded {
        match m {
            Ok(m) => {
                out.extend(
                    m.errors
                        .into_iter()
                        .filter(|e| seen_errors.insert((e.file.clone(), e.line, e.column)))
                        .map(Outcome::Error),
                );
                if let Some(app) = m.app {
                    let dir = if app.id == "." { "" } else { app.id.as_str() };
                    if !children.contains(dir) {
                        out.push(Outcome::App(Box::new(app)));
                    }
                }
            }
            Err(e) => out.push(e),
        }
    }
    out
}

/// Runs a loader so that a bug in it costs one file, not the whole scan. Loaders must not
/// panic; if one does, the file gets an error saying so (and tests treat that as a failure).
fn guarded(file: &str, load: impl FnOnce() -> Result<App, LoadError>) -> Outcome {
    match catch_unwind(AssertUnwindSafe(load)) {
        Ok(Ok(app)) => Outcome::App(Box::new(app)),
        Ok(Err(err)) => Outcome::Error(err),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            Outcome::Error(LoadError {
                file: file.to_string(),
                line: None,
                column: None,
                message: format!(
                    "internal error: the loader panicked ({what}); please report this file"
                ),
            })
        }
    }
}

/// JSON by extension, or by content for `.template` files and the like.
fn is_json(path: &Path, text: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
}

fn describe(node: &Node) -> &'static str {
    match node.kind {
        doc::NodeKind::Null => "empty",
        doc::NodeKind::Scalar { .. } => "a single value",
        doc::NodeKind::Seq(_) => "a list",
        doc::NodeKind::Map(_) => "a mapping",
    }
}

/// SAM when the template names the SAM transform or declares `AWS::Serverless::*` resources (a
/// SAM template inside `cdk.out` still needs SAM's expansion), CDK output when it sits in a cloud assembly or carries CDK's metadata,
/// plain CloudFormation otherwise.
fn source_kind(template: &Node, in_cdk_out: bool) -> SourceKind {
    const SAM: &str = "AWS::Serverless-2016-10-31";
    let transform = template.get("Transform");
    let sam = transform.is_some_and(|t| {
        t.as_str() == Some(SAM) || t.items().iter().any(|i| i.as_str() == Some(SAM))
    });
    // SAM's own test templates (and some hand-written ones) use `AWS::Serverless::*` types
    // without declaring the transform; CloudFormation would refuse them, so the author meant SAM.
    let resources = template.get("Resources");
    let sam_types = resources.is_some_and(|r| {
        r.entries().iter().any(|(_, res)| {
            res.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        })
    });
    if sam || sam_types {
        return SourceKind::Sam;
    }
    let cdk_metadata = resources.is_some_and(|r| {
        r.get("CDKMetadata").is_some()
            || r.entries().iter().any(|(_, res)| {
                res.get("Metadata")
                    .is_some_and(|m| m.get("aws:cdk:path").is_some())
            })
    });
    if in_cdk_out || cdk_metadata {
        SourceKind::Cdk
    } else {
        SourceKind::CloudFormation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str, in_cdk_out: bool) -> SourceKind {
        let node = doc::parse_yaml(text).expect("yaml").expect("document");
        source_kind(&node, in_cdk_out)
    }

    #[test]
    fn source_kinds() {
        let fun = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n";
        assert_eq!(kind(fun, false), SourceKind::CloudFormation);
        assert_eq!(kind(fun, true), SourceKind::Cdk);
        let sam = format!("Transform: AWS::Serverless-2016-10-31\n{fun}");
        assert_eq!(kind(&sam, false), SourceKind::Sam);
        assert_eq!(kind(&sam, true), SourceKind::Sam);
        let listed =
            format!("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n{fun}");
        assert_eq!(kind(&listed, false), SourceKind::Sam);
        let other = format!("Transform: AWS::LanguageExtensions\n{fun}");
        assert_eq!(kind(&other, false), SourceKind::CloudFormation);
        assert_eq!(
            kind(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n",
                false
            ),
            SourceKind::Sam
        );
        let cdk_path = format!("{fun}    Metadata:\n      aws:cdk:path: App/Stack/F/Resource\n");
        assert_eq!(kind(&cdk_path, false), SourceKind::Cdk);
        let cdk_meta = format!("{fun}  CDKMetadata:\n    Type: AWS::CDK::Metadata\n");
        assert_eq!(kind(&cdk_meta, false), SourceKind::Cdk);
    }

    #[test]
    fn template_hint() {
        for yes in [
            "AWSTemplateFormatVersion: '2010-09-09'",
            "Resources:\n",
            "  Resources :\n",
            "'Resources': {}",
            "{\"Resources\" :{}}",
            "{\n  \"Resources\"\n  : {}}",
            "Transform: AWS::Serverless-2016-10-31",
        ] {
            assert!(TEMPLATE_HINT.is_match(yes.as_bytes()), "{yes:?}");
        }
        for no in [
            "resources:\n  limits: {}",
            "{\"name\": \"Resources\"}",
            "# Resources are listed below",
            "x: Resources",
        ] {
            assert!(!TEMPLATE_HINT.is_match(no.as_bytes()), "{no:?}");
        }
    }
}
