//! Parsed files of one bundle, cached: every function deploying the bundle reuses them.

use crate::bundle::Bundle;
use crate::lang;
use crate::sdk::{self, Extraction};
use perimeter_model::{Language, LoadError};
use std::collections::HashMap;
use tree_sitter::Tree;

/// One source file, decoded and parsed, with its SDK calls.
pub struct Parsed {
    pub display: String,
    pub language: Language,
    pub source: String,
    pub tree: Tree,
    pub sdk: Extraction,
}

/// Lazily parsed files of a bundle.
pub struct Cache<'b> {
    pub bundle: &'b Bundle,
    parsed: HashMap<String, Option<Parsed>>,
    pub errors: Vec<LoadError>,
}

impl<'b> Cache<'b> {
    pub fn new(bundle: &'b Bundle) -> Self {
        Cache {
            bundle,
            parsed: HashMap::new(),
            errors: Vec::new(),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.bundle.files.contains_key(rel)
    }

    /// The file at `rel`, parsed; `None` when absent or not a language perimeter parses.
    pub fn get(&mut self, rel: &str) -> Option<&Parsed> {
        if !self.parsed.contains_key(rel) {
            let p = self.parse(rel);
            self.parsed.insert(rel.to_string(), p);
        }
        self.parsed.get(rel).and_then(Option::as_ref)
    }

    fn parse(&mut self, rel: &str) -> Option<Parsed> {
        let file = self.bundle.files.get(rel)?;
        lang::grammar(file.language, false)?;
        let display = self.bundle.display(rel);
        let source = match String::from_utf8(file.bytes.clone()) {
            Ok(s) => s,
            Err(e) => {
                self.errors.push(LoadError {
                    file: display.clone(),
                    line: None,
                    column: None,
                    message: "not valid UTF-8: read with replacement characters".to_string(),
                });
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        let Some(tree) = lang::parse(file.language, &display, &source) else {
            self.errors.push(LoadError {
                file: display,
                line: None,
                column: None,
                message: "could not be parsed".to_string(),
            });
            return None;
        };
        let sdk = sdk::extract(file.language, &display, &source, &tree);
        Some(Parsed {
            display,
            language: file.language,
            source,
            tree,
            sdk,
        })
    }
}
