//! Which findings concern which function, indexed once per app: a finding reported on the
//! function, on the role it runs with, or on a file of a code bundle it deploys (secrets in
//! code and vulnerable packages are reported once per file and concern every function that
//! ships the file, as its bundle or a layer).

use perimeter_model::{App, Function};
use perimeter_rules::Finding;
use std::collections::{BTreeSet, HashMap};

/// The findings of one app, by what they are reported on.
pub struct AppFindings<'a> {
    by_function: HashMap<&'a str, Vec<&'a Finding>>,
    by_resource: HashMap<&'a str, Vec<&'a Finding>>,
    /// Findings with no function, by resource (a role) and by file.
    unowned_by_resource: HashMap<&'a str, Vec<&'a Finding>>,
    unowned_by_file: HashMap<&'a str, Vec<&'a Finding>>,
}

impl<'a> AppFindings<'a> {
    pub fn new(app: &App, findings: &'a [Finding]) -> Self {
        let mut out = AppFindings {
            by_function: HashMap::new(),
            by_resource: HashMap::new(),
            unowned_by_resource: HashMap::new(),
            unowned_by_file: HashMap::new(),
        };
        for f in findings.iter().filter(|f| f.app == app.id) {
            out.by_resource
                .entry(f.resource.as_str())
                .or_default()
                .push(f);
            match f.function.as_deref() {
                Some(function) => out.by_function.entry(function).or_default().push(f),
                None => {
                    out.unowned_by_resource
                        .entry(f.resource.as_str())
                        .or_default()
                        .push(f);
                    out.unowned_by_file
                        .entry(f.location.file.as_str())
                        .or_default()
                        .push(f);
                }
            }
        }
        out
    }

    /// The findings that concern `function`, in no particular order, each once.
    pub fn of(&self, app: &'a App, function: &Function) -> Vec<&'a Finding> {
        let mut out: Vec<&Finding> = Vec::new();
        let mut push = |list: Option<&Vec<&'a Finding>>| {
            out.extend(list.into_iter().flatten().copied());
        };
        push(self.by_function.get(function.id.as_str()));
        push(self.by_resource.get(function.id.as_str()));
        if let Some(role) = function.role.known() {
            push(self.unowned_by_resource.get(role.as_str()));
        }
        if let Some(code) = &function.code {
            let mut files: BTreeSet<&str> = BTreeSet::new();
            for bundle in std::iter::once(&code.bundle)
                .chain(&code.layers)
                .filter_map(|id| app.bundle(id))
            {
                files.extend(bundle.files.iter().map(|f| f.path.as_str()));
            }
            for file in files {
                push(self.unowned_by_file.get(file));
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|f| seen.insert(std::ptr::from_ref(*f)));
        out
    }
}

/// The distinct codes among `found` that are in `codes`, sorted.
pub fn codes_in(found: &[&Finding], codes: &[&str]) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = found
        .iter()
        .filter(|f| codes.contains(&f.code))
        .map(|f| f.code)
        .collect();
    set.into_iter().collect()
}

/// The distinct codes of one rule family (`INJ`, `SEC`, …) among `found`, sorted.
pub fn codes_of_family(found: &[&Finding], family: &str) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = found
        .iter()
        .filter(|f| f.code.starts_with(family))
        .map(|f| f.code)
        .collect();
    set.into_iter().collect()
}
