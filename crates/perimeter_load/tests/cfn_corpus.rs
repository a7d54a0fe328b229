//! Every CloudFormation / SAM template of the third-party corpus (`../shared/corpora/iac`,
//! including the translator's deliberately invalid `error_*` inputs) through the loader, read
//! both as SAM and as plain CloudFormation: no panic, a bounded time, and figures printed
//! (`--nocapture`): templates, functions, triggers and roles. The translator's inputs are also
//! loaded with nodes replaced by values of other shapes (scalars, nulls, lists, references to
//! nothing, unresolvable and undecidable intrinsics), which must not panic either.

use perimeter_load::cloudformation::{self, sam};
use perimeter_load::doc::{Key, Node, NodeKind, parse_json, parse_yaml};
use perimeter_model::SourceKind;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json" || x == "template")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_template_loads_without_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/iac");
    assert!(
        root.is_dir(),
        "the IaC corpus is missing at {} (clone shared/ beside the repository)",
        root.display()
    );
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let start = Instant::now();
    let (mut templates, mut sam_count, mut functions, mut triggers, mut roles) = (0, 0, 0, 0, 0);
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let is_json = p.extension().is_some_and(|x| x == "json");
        let doc = if is_json {
            parse_json(&text)
        } else {
            parse_yaml(&text)
        };
        let Ok(Some(doc)) = doc else { continue };
        if !cloudformation::is_template(&doc) && !sam::is_sam(&doc) {
            continue;
        }
        templates += 1;
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .to_string();
        let source = if sam::is_sam(&doc) || rel.starts_with("sam-translator/input") {
            sam_count += 1;
            SourceKind::Sam
        } else {
            SourceKind::CloudFormation
        };
        // The other reading too: a template loaded with the wrong transform must not panic.
        let other = if source == SourceKind::Sam {
            SourceKind::CloudFormation
        } else {
            SourceKind::Sam
        };
        let _ = cloudformation::load(&rel, &doc, other);
        let app = cloudformation::load(&rel, &doc, source);
        functions += app.functions.len();
        triggers += app
            .functions
            .iter()
            .map(|f| f.triggers.len())
            .sum::<usize>();
        roles += app.roles.len();
    }
    let elapsed = start.elapsed();
    println!(
        "{templates} templates ({sam_count} SAM): {functions} functions, {triggers} triggers, {roles} roles in {:.2?}",
        elapsed
    );
    assert!(templates > 1500, "only {templates} templates found");
    assert!(functions > 1500, "only {functions} functions loaded");
}

/// Replaces every `stride`-th node of `node` by a value of another shape.
fn mutate(node: &Node, counter: &mut usize, stride: usize) -> Node {
    *counter += 1;
    if (*counter).is_multiple_of(stride) {
        let (l, c) = (node.line, node.column);
        let call = |name: &str, arg: Node| Node {
            kind: NodeKind::Map(vec![(
                Key {
                    name: name.to_string(),
                    line: l,
                    column: c,
                },
                arg,
            )]),
            line: l,
            column: c,
            tag: None,
        };
        return match *counter / stride % 6 {
            0 => Node::scalar("7", l, c),
            1 => Node::null(l, c),
            2 => Node {
                kind: NodeKind::Seq(vec![Node::scalar("x", l, c)]),
                line: l,
                column: c,
                tag: None,
            },
            3 => call("Ref", Node::scalar("Nowhere", l, c)),
            4 => call("Fn::ImportValue", Node::scalar("x", l, c)),
            _ => call(
                "Fn::If",
                Node {
                    kind: NodeKind::Seq(vec![Node::scalar("NoSuchCondition", l, c)]),
                    line: l,
                    column: c,
                    tag: None,
                },
            ),
        };
    }
    let kind = match &node.kind {
        NodeKind::Map(m) => NodeKind::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), mutate(v, counter, stride)))
                .collect(),
        ),
        NodeKind::Seq(s) => NodeKind::Seq(s.iter().map(|v| mutate(v, counter, stride)).collect()),
        other => other.clone(),
    };
    Node {
        kind,
        ..node.clone()
    }
}

#[test]
fn mutated_translator_inputs_do_not_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/iac/sam-translator/input");
    assert!(
        dir.is_dir(),
        "the SAM translator corpus is missing at {}",
        dir.display()
    );
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    let mut variants = 0;
    // Every fourth template, each with three mutation densities.
    for p in paths.iter().step_by(4) {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let Ok(Some(doc)) = parse_yaml(&text) else {
            continue;
        };
        for stride in [3, 7, 13] {
            let mutated = mutate(&doc, &mut 0, stride);
            let _ = cloudformation::load("mutated.yaml", &mutated, SourceKind::Sam);
            let _ = cloudformation::load("mutated.yaml", &mutated, SourceKind::CloudFormation);
            variants += 1;
        }
    }
    println!("{variants} mutated templates loaded");
    assert!(variants > 500);
}
