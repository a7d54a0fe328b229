//! Languages perimeter parses with tree-sitter, and parsing one file.

use perimeter_model::Language;
use tree_sitter::{Parser, Tree};

/// The language of a file, from its name.
pub fn language_of(path: &str) -> Language {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("py") => Language::Python,
        Some("js" | "mjs" | "cjs" | "jsx") => Language::JavaScript,
        Some("ts" | "mts" | "cts" | "tsx") => Language::TypeScript,
        Some("go") => Language::Go,
        Some("java") => Language::Java,
        Some("rb") => Language::Ruby,
        Some("cs") => Language::CSharp,
        _ => Language::Other,
    }
}

/// The tree-sitter grammar for a language, when perimeter has one. `tsx` selects the TSX
/// dialect of TypeScript.
pub fn grammar(language: Language, tsx: bool) -> Option<tree_sitter::Language> {
    Some(match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::TypeScript if tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
        _ => return None,
    })
}

/// Parses `source` as `language`. `None` when there is no grammar for it, or when
/// tree-sitter gives up (it does not fail on syntax errors: the tree holds ERROR nodes).
pub fn parse(language: Language, path: &str, source: &str) -> Option<Tree> {
    let tsx = path.ends_with(".tsx") || path.ends_with(".jsx");
    let grammar = grammar(language, tsx)?;
    let mut parser = Parser::new();
    parser.set_language(&grammar).ok()?;
    parser.parse(source, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_and_parses() {
        for (lang, path, src) in [
            (
                Language::Python,
                "a.py",
                "def handler(event, context):\n    return 1\n",
            ),
            (
                Language::JavaScript,
                "a.js",
                "exports.handler = async (e) => e;\n",
            ),
            (
                Language::TypeScript,
                "a.ts",
                "export const handler = async (e: any) => e;\n",
            ),
            (Language::Go, "a.go", "package main\nfunc main() {}\n"),
            (Language::Java, "A.java", "class A { void f() {} }\n"),
        ] {
            let tree = parse(lang, path, src).expect("parses");
            assert!(!tree.root_node().has_error(), "{path}");
        }
    }
}
