//! The project files a handler imports, transitively and bounded: Python imports within the
//! bundle, JavaScript/TypeScript relative `require`/`import`, Go packages of the same module,
//! Java classes of the same source root.

use crate::parsed::Cache;
use crate::sdk::{descendants, string_value_of};
use perimeter_model::Language;
use std::collections::{BTreeSet, VecDeque};

/// The handler file and every project file reachable from it by imports (at most `max`),
/// in discovery order (the handler first).
pub fn reachable(cache: &mut Cache, language: Language, start: &str, max: usize) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([start.to_string()]);
    // Go: the whole package of the handler is one unit.
    if language == Language::Go {
        queue.extend(go_package(cache, &dir_of(start)));
    }
    while let Some(f) = queue.pop_front() {
        if order.len() >= max {
            break;
        }
        if !seen.insert(f.clone()) {
            continue;
        }
        order.push(f.clone());
        let next = match cache.get(&f).map(|p| p.language) {
            Some(Language::Python) => python(cache, &f, start),
            Some(Language::JavaScript | Language::TypeScript) => js(cache, &f),
            Some(Language::Go) => go(cache, &f),
            Some(Language::Java) => java(cache, &f),
            _ => Vec::new(),
        };
        for n in next {
            if !seen.contains(&n) {
                queue.push_back(n);
            }
        }
    }
    order
}

pub(crate) fn dir_of(f: &str) -> String {
    f.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                // Leaving the bundle: not a project file we can read.
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn python(cache: &mut Cache, file: &str, start: &str) -> Vec<String> {
    let Some(p) = cache.get(file) else {
        return Vec::new();
    };
    let src = p.source.as_bytes();
    let text = |n: tree_sitter::Node| n.utf8_text(src).unwrap_or("").to_string();
    // (module path with '/', names imported from it, base dir for relative imports)
    let mut wanted: Vec<(Option<String>, String, Vec<String>)> = Vec::new();
    for n in descendants(p.tree.root_node()) {
        match n.kind() {
            "import_statement" => {
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let dotted = name.child_by_field_name("name").unwrap_or(name);
                    wanted.push((None, text(dotted), Vec::new()));
                }
            }
            "import_from_statement" => {
                let Some(m) = n.child_by_field_name("module_name") else {
                    continue;
                };
                let mut c = n.walk();
                let names: Vec<String> = n
                    .children_by_field_name("name", &mut c)
                    .map(|x| text(x.child_by_field_name("name").unwrap_or(x)))
                    .collect();
                let mt = text(m);
                if m.kind() == "relative_import" {
                    let dots = mt.chars().take_while(|c| *c == '.').count();
                    let mut base = dir_of(file);
                    for _ in 1..dots {
                        base = dir_of(&base);
                    }
                    wanted.push((Some(base), mt[dots..].to_string(), names));
                } else {
                    wanted.push((None, mt, names));
                }
            }
            _ => {}
        }
    }
    let start_dir = dir_of(start);
    let mut out = Vec::new();
    for (base, module, names) in wanted {
        let bases: Vec<String> = match base {
            Some(b) => vec![b],
            None => vec![String::new(), start_dir.clone()],
        };
        let mpath = module.replace('.', "/");
        for b in bases {
            let m = if mpath.is_empty() {
                b.clone()
            } else if b.is_empty() {
                mpath.clone()
            } else {
                format!("{b}/{mpath}")
            };
            let mut hit = false;
            for c in [format!("{m}.py"), format!("{m}/__init__.py")] {
                if !m.is_empty() && cache.exists(&c) {
                    out.push(c);
                    hit = true;
                }
            }
            for name in &names {
                let c = if m.is_empty() {
                    format!("{name}.py")
                } else {
                    format!("{m}/{name}.py")
                };
                if cache.exists(&c) {
                    out.push(c);
                    hit = true;
                }
            }
            if hit {
                break;
            }
        }
    }
    out
}

const JS_RESOLVE: &[&str] = &[
    "",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".mts",
    ".cts",
    ".tsx",
    ".jsx",
    ".json",
    "/index.js",
    "/index.mjs",
    "/index.ts",
    "/index.tsx",
];

fn js(cache: &mut Cache, file: &str) -> Vec<String> {
    let Some(p) = cache.get(file) else {
        return Vec::new();
    };
    let src = p.source.as_bytes();
    let mut specs = Vec::new();
    for n in descendants(p.tree.root_node()) {
        let s = match n.kind() {
            "import_statement" | "export_statement" => n.child_by_field_name("source"),
            "call_expression" => {
                let f = n.child_by_field_name("function");
                if f.is_some_and(|f| {
                    f.kind() == "import" || f.utf8_text(src).ok() == Some("require")
                }) {
                    n.child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(v) = s.and_then(|s| string_value_of(src, s))
            && v.starts_with('.')
        {
            specs.push(v);
        }
    }
    let dir = dir_of(file);
    let mut out = Vec::new();
    for spec in specs {
        let Some(base) = join(&dir, &spec) else {
            continue;
        };
        // `./x.js` written in TypeScript sources means `./x.ts`.
        let stem = base
            .strip_suffix(".js")
            .filter(|s| {
                JS_RESOLVE[1..]
                    .iter()
                    .any(|e| cache.exists(&format!("{s}{e}")))
            })
            .map(str::to_string);
        let bases = [Some(base.clone()), stem].into_iter().flatten();
        'outer: for b in bases {
            for e in JS_RESOLVE {
                let c = format!("{b}{e}");
                if !c.ends_with(".json") && cache.exists(&c) {
                    out.push(c);
                    break 'outer;
                }
            }
        }
    }
    out
}

fn go_package(cache: &Cache, dir: &str) -> Vec<String> {
    cache
        .bundle
        .files
        .keys()
        .filter(|k| k.ends_with(".go") && !k.ends_with("_test.go") && dir_of(k) == dir)
        .cloned()
        .collect()
}

/// The module path of the nearest `go.mod` above `file`, and its folder.
fn go_module(cache: &Cache, file: &str) -> Option<(String, String)> {
    let mut dir = dir_of(file);
    loop {
        let gm = if dir.is_empty() {
            "go.mod".to_string()
        } else {
            format!("{dir}/go.mod")
        };
        if let Some(f) = cache.bundle.files.get(&gm) {
            let text = String::from_utf8_lossy(&f.bytes);
            let module = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))?
                .trim()
                .trim_matches('"')
                .to_string();
            return Some((module, dir));
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir_of(&dir);
    }
}

fn go(cache: &mut Cache, file: &str) -> Vec<String> {
    let Some((module, mdir)) = go_module(cache, file) else {
        return Vec::new();
    };
    let Some(p) = cache.get(file) else {
        return Vec::new();
    };
    let src = p.source.as_bytes();
    let mut dirs = Vec::new();
    for n in descendants(p.tree.root_node()) {
        if n.kind() == "import_spec"
            && let Some(path) = n
                .child_by_field_name("path")
                .and_then(|x| string_value_of(src, x))
            && let Some(rest) = path.strip_prefix(&module)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            let rest = rest.trim_start_matches('/');
            dirs.push(match (mdir.is_empty(), rest.is_empty()) {
                (true, _) => rest.to_string(),
                (false, true) => mdir.clone(),
                (false, false) => format!("{mdir}/{rest}"),
            });
        }
    }
    dirs.iter().flat_map(|d| go_package(cache, d)).collect()
}

fn java(cache: &mut Cache, file: &str) -> Vec<String> {
    let Some(p) = cache.get(file) else {
        return Vec::new();
    };
    let src = p.source.as_bytes();
    let text = |n: tree_sitter::Node| n.utf8_text(src).unwrap_or("").to_string();
    let mut package = String::new();
    let mut imports = Vec::new();
    for n in descendants(p.tree.root_node()) {
        match n.kind() {
            "package_declaration" => {
                package = text(n)
                    .trim_start_matches("package")
                    .trim()
                    .trim_end_matches(';')
                    .trim()
                    .to_string();
            }
            "import_declaration" => {
                let t = text(n);
                let t = t
                    .trim_start_matches("import")
                    .trim()
                    .trim_end_matches(';')
                    .trim();
                if !t.starts_with("static ") {
                    imports.push(t.to_string());
                }
            }
            _ => {}
        }
    }
    let source = p.source.clone();
    // The source root: the file's folder minus the package path.
    let pkg_path = package.replace('.', "/");
    let dir = dir_of(file);
    let Some(root) = (if pkg_path.is_empty() {
        Some(dir.clone())
    } else {
        dir.strip_suffix(&pkg_path)
            .map(|r| r.trim_end_matches('/').to_string())
    }) else {
        return Vec::new();
    };
    let under = |rel: &str| {
        if root.is_empty() {
            rel.to_string()
        } else {
            format!("{root}/{rel}")
        }
    };
    let mut out = Vec::new();
    for imp in imports {
        let path = imp.replace('.', "/");
        if let Some(pkg) = path.strip_suffix("/*") {
            let d = under(pkg);
            out.extend(
                cache
                    .bundle
                    .files
                    .keys()
                    .filter(|k| k.ends_with(".java") && dir_of(k) == d)
                    .cloned(),
            );
        } else {
            let c = under(&format!("{path}.java"));
            if cache.exists(&c) {
                out.push(c);
            }
        }
    }
    // Classes of the same package that the file names.
    for k in cache.bundle.files.keys() {
        if k.ends_with(".java") && dir_of(k) == dir && k != file {
            let stem = k.rsplit('/').next().unwrap_or(k).trim_end_matches(".java");
            if source.contains(stem) {
                out.push(k.clone());
            }
        }
    }
    out
}
