//! Handler resolution: from a function's `Handler` string and runtime to the file and
//! symbol that define the entry point, per language.

use crate::parsed::Cache;
use crate::sdk::descendants;
use perimeter_model::Language;
use tree_sitter::Node;

/// A resolved handler: file (relative to the bundle root), symbol, position.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub file: String,
    pub symbol: String,
    pub line: u32,
    pub column: u32,
}

/// The language a runtime identifier runs: Lambda ids (`nodejs20.x`, `python3.12`), Google
/// Cloud ids (`nodejs20`, `python312`, `go122`, `java17`) and Azure's `<stack>|<version>`
/// (`node|18`, `python|3.9`, `dotnet-isolated|8.0`, `java|17`; a bare `node` or `python` as
/// `FUNCTIONS_WORKER_RUNTIME` says it). PowerShell and custom handlers have no analysis.
pub fn runtime_language(runtime: &str) -> Option<Language> {
    let r = runtime.trim().to_ascii_lowercase();
    // Azure's stack name is everything before `|` (`linuxFxVersion` style).
    let stack = r.split('|').next().unwrap_or(&r);
    if stack == "node" {
        return Some(Language::JavaScript);
    }
    Some(if r.starts_with("python") {
        Language::Python
    } else if r.starts_with("nodejs") {
        Language::JavaScript
    } else if r.starts_with("java") {
        Language::Java
    } else if r.starts_with("go") || r.starts_with("provided") {
        Language::Go
    } else if r.starts_with("ruby") {
        Language::Ruby
    } else if r.starts_with("dotnet") {
        Language::CSharp
    } else {
        return None;
    })
}

fn at(file: &str, symbol: &str, n: Node) -> Resolved {
    Resolved {
        file: file.to_string(),
        symbol: symbol.to_string(),
        line: n.start_position().row as u32 + 1,
        column: n.start_position().column as u32 + 1,
    }
}

/// Resolves `handler` in the bundle for `language`.
pub fn resolve(cache: &mut Cache, language: Language, handler: &str) -> Result<Resolved, String> {
    match language {
        Language::Python => python(cache, handler),
        Language::JavaScript | Language::TypeScript => node(cache, handler),
        Language::Java => java(cache, handler),
        Language::Go => go(cache, handler),
        other => Err(format!("{other:?} handlers are not analysed")),
    }
}

/// Files of the bundle whose path is `rel` or ends with `/rel`, shortest first.
fn by_suffix(cache: &Cache, rel: &str) -> Vec<String> {
    let suffix = format!("/{rel}");
    let mut v: Vec<String> = cache
        .bundle
        .files
        .keys()
        .filter(|k| *k == rel || k.ends_with(&suffix))
        .cloned()
        .collect();
    v.sort_by_key(|k| (k.len(), k.clone()));
    v
}

fn python(cache: &mut Cache, handler: &str) -> Result<Resolved, String> {
    // Google Cloud's entry point is a bare function name in `main.py`.
    let (module, func) = handler.rsplit_once('.').unwrap_or(("main", handler));
    if func.is_empty() || module.is_empty() {
        return Err(format!("handler '{handler}' is not 'module.function'"));
    }
    let path = module.trim_start_matches("./").replace('.', "/");
    let candidates = [format!("{path}.py"), format!("{path}/__init__.py")];
    let file = candidates
        .iter()
        .find(|c| cache.exists(c))
        .cloned()
        .or_else(|| by_suffix(cache, &candidates[0]).into_iter().next())
        .ok_or_else(|| format!("{}: file not found", cache.bundle.display(&candidates[0])))?;
    let parsed = cache
        .get(&file)
        .ok_or_else(|| format!("{file}: could not be parsed"))?;
    let src = parsed.source.as_bytes();
    let text = |n: Node| n.utf8_text(src).unwrap_or("");
    let root = parsed.tree.root_node();
    let mut c = root.walk();
    for top in root.named_children(&mut c) {
        let def = if top.kind() == "decorated_definition" {
            top.child_by_field_name("definition").unwrap_or(top)
        } else {
            top
        };
        match def.kind() {
            "function_definition" | "class_definition"
                if def
                    .child_by_field_name("name")
                    .is_some_and(|n| text(n) == func) =>
            {
                return Ok(at(&file, func, def));
            }
            "expression_statement" => {
                if let Some(a) = def.named_child(0).filter(|a| a.kind() == "assignment")
                    && a.child_by_field_name("left")
                        .is_some_and(|l| text(l) == func)
                {
                    return Ok(at(&file, func, def));
                }
            }
            "import_from_statement" => {
                let mut cc = def.walk();
                let names = def.children_by_field_name("name", &mut cc);
                for n in names {
                    let local = n.child_by_field_name("alias").unwrap_or(n);
                    if text(local) == func {
                        return Ok(at(&file, func, def));
                    }
                }
            }
            _ => {}
        }
    }
    Err(format!("{}: no function '{func}'", parsed.display))
}

const JS_EXTS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"];

fn node(cache: &mut Cache, handler: &str) -> Result<Resolved, String> {
    // Google Cloud's entry point is a bare export (or `functions.http` name) of the
    // package's main module: `package.json`'s `main`, else `index.js`.
    let main;
    let (base, export) = match handler.rsplit_once('.') {
        Some(split) => split,
        None => {
            main = package_main(cache);
            (main.as_str(), handler)
        }
    };
    if export.is_empty() || base.is_empty() {
        return Err(format!("handler '{handler}' is not 'file.export'"));
    }
    let base = base.trim_start_matches("./");
    let mut candidates: Vec<String> = JS_EXTS.iter().map(|e| format!("{base}{e}")).collect();
    // TypeScript sources beside compiled output: `dist/app.js` from `src/app.ts` or `app.ts`.
    for out_dir in ["dist/", "build/", ".build/", "lib/", "out/"] {
        if let Some(rest) = base.strip_prefix(out_dir) {
            for e in [".ts", ".mts", ".tsx"] {
                candidates.push(format!("src/{rest}{e}"));
                candidates.push(format!("{rest}{e}"));
            }
        }
    }
    let found: Vec<String> = candidates.into_iter().filter(|c| cache.exists(c)).collect();
    if found.is_empty() {
        return Err(format!(
            "{}.js: file not found (nor .mjs, .cjs, .ts)",
            cache.bundle.display(base)
        ));
    }
    // Prefer the TypeScript source when both it and the compiled file are there.
    let mut ordered = found.clone();
    ordered.sort_by_key(|f| !(f.ends_with(".ts") || f.ends_with(".mts") || f.ends_with(".tsx")));
    for file in &ordered {
        let Some(parsed) = cache.get(file) else {
            continue;
        };
        if let Some((line, column)) =
            js_export_position(parsed.source.as_bytes(), parsed.tree.root_node(), export)
        {
            return Ok(Resolved {
                file: file.clone(),
                symbol: export.to_string(),
                line,
                column,
            });
        }
    }
    let shown = cache.bundle.display(&found[0]);
    Err(format!("{shown}: no export '{export}'"))
}

/// The main module of the bundle's root `package.json`, without its extension (`index` when
/// there is none, as Node.js and the Functions Framework assume).
fn package_main(cache: &Cache) -> String {
    let main = cache
        .bundle
        .files
        .get("package.json")
        .and_then(|f| serde_json::from_slice::<serde_json::Value>(&f.bytes).ok())
        .and_then(|v| v.get("main").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_default();
    let main = main.trim_start_matches("./");
    let stem = JS_EXTS
        .iter()
        .find_map(|e| main.strip_suffix(e))
        .unwrap_or(main);
    if stem.is_empty() || stem.contains("..") {
        "index".to_string()
    } else {
        stem.to_string()
    }
}

/// Where `name` is exported, as (line, column).
fn js_export_position(src: &[u8], root: Node, name: &str) -> Option<(u32, u32)> {
    let text = |n: Node| n.utf8_text(src).unwrap_or("");
    let pos = |n: Node| {
        (
            n.start_position().row as u32 + 1,
            n.start_position().column as u32 + 1,
        )
    };
    let has_key = |obj: Node| {
        let mut c = obj.walk();
        obj.named_children(&mut c).any(|p| match p.kind() {
            "pair" | "method_definition" => p
                .child_by_field_name("key")
                .or_else(|| p.child_by_field_name("name"))
                .is_some_and(|k| text(k).trim_matches(|c| c == '"' || c == '\'') == name),
            "shorthand_property_identifier" => text(p) == name,
            _ => false,
        })
    };
    for n in descendants(root) {
        match n.kind() {
            "assignment_expression" => {
                let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) else {
                    continue;
                };
                let lt = text(l);
                if lt == format!("exports.{name}") || lt == format!("module.exports.{name}") {
                    return Some(pos(n));
                }
                if lt == "module.exports"
                    && (r.kind() == "object" && has_key(r) || name == "default")
                {
                    return Some(pos(n));
                }
            }
            "export_statement" => {
                if name == "default" && n.child(1).is_some_and(|c| text(c) == "default") {
                    return Some(pos(n));
                }
                if let Some(d) = n.child_by_field_name("declaration") {
                    match d.kind() {
                        "function_declaration"
                        | "generator_function_declaration"
                        | "class_declaration"
                            if d.child_by_field_name("name")
                                .is_some_and(|x| text(x) == name) =>
                        {
                            return Some(pos(n));
                        }
                        "lexical_declaration" | "variable_declaration" => {
                            let mut c = d.walk();
                            if d.named_children(&mut c).any(|v| {
                                v.kind() == "variable_declarator"
                                    && v.child_by_field_name("name")
                                        .is_some_and(|x| text(x) == name)
                            }) {
                                return Some(pos(n));
                            }
                        }
                        _ => {}
                    }
                }
                for s in descendants(n) {
                    if s.kind() == "export_specifier" {
                        let exported = s
                            .child_by_field_name("alias")
                            .or_else(|| s.child_by_field_name("name"));
                        if exported.is_some_and(|x| text(x) == name) {
                            return Some(pos(n));
                        }
                    }
                }
            }
            // Google Cloud's Functions Framework `functions.http('name', (req, res) => …)` and
            // Azure's v4 model `app.http('name', { handler })`: the registered name is the
            // entry point.
            "call_expression" if registered_name(src, n).is_some_and(|r| r == name) => {
                return Some(pos(n));
            }
            // esbuild's CommonJS output: `__export(src_exports, { handler: () => handler })`.
            "call_expression" => {
                if n.child_by_field_name("function")
                    .is_some_and(|f| text(f) == "__export")
                    && let Some(obj) = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(1))
                    && obj.kind() == "object"
                    && has_key(obj)
                {
                    return Some(pos(n));
                }
            }
            _ => {}
        }
    }
    None
}

/// Methods that register an entry point by name: the Functions Framework's `http` and
/// `cloudEvent`, Azure's v4 `app.http`/`app.get`/… and trigger registrations.
pub const REGISTRATIONS: &[&str] = &[
    "http",
    "cloudEvent",
    "get",
    "post",
    "put",
    "patch",
    "deleteRequest",
    "timer",
    "storageBlob",
    "storageQueue",
    "serviceBusQueue",
    "serviceBusTopic",
    "eventHub",
    "eventGrid",
    "cosmosDB",
];

/// The name a `functions.http('name', …)` / `app.http('name', …)` call registers: its first
/// argument, a string literal, when the call's method is one of [`REGISTRATIONS`] on an
/// identifier (`functions`, `ff` for `http`/`cloudEvent`; `app` for the others) and the call
/// has a second argument. Express's
/// `app.get('/path', …)` registers paths, which start with `/` and are not names.
pub fn registered_name<'s>(src: &'s [u8], call: Node) -> Option<&'s str> {
    let callee = call.child_by_field_name("function")?;
    if callee.kind() != "member_expression" {
        return None;
    }
    let object = callee.child_by_field_name("object")?;
    let method = callee
        .child_by_field_name("property")?
        .utf8_text(src)
        .ok()?;
    if object.kind() != "identifier" || !REGISTRATIONS.contains(&method) {
        return None;
    }
    // `get`, `post`, `timer`, … are common method names: only Azure's `app` registers with
    // them; `http`/`cloudEvent` are the Functions Framework's on any import name.
    if !matches!(method, "http" | "cloudEvent") && object.utf8_text(src).ok()? != "app" {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    args.named_child(1)?;
    if first.kind() != "string" {
        return None;
    }
    let name = first.utf8_text(src).ok()?.trim_matches(['"', '\'', '`']);
    (!name.is_empty() && !name.starts_with('/')).then_some(name)
}

fn java(cache: &mut Cache, handler: &str) -> Result<Resolved, String> {
    let (class, method) = match handler.split_once("::") {
        Some((c, m)) => (c, m),
        None => (handler, "handleRequest"),
    };
    let path = format!("{}.java", class.replace('.', "/"));
    let files = by_suffix(cache, &path);
    let file = files
        .iter()
        .find(|f| f.contains("src/main/java/"))
        .or(files.first())
        .cloned()
        .ok_or_else(|| {
            let expected = format!("src/main/java/{path}");
            format!("{}: file not found", cache.bundle.display(&expected))
        })?;
    let simple = class.rsplit('.').next().unwrap_or(class);
    let symbol = format!("{simple}::{method}");
    let parsed = cache
        .get(&file)
        .ok_or_else(|| format!("{file}: could not be parsed"))?;
    let src = parsed.source.as_bytes();
    for n in descendants(parsed.tree.root_node()) {
        if n.kind() == "method_declaration"
            && n.child_by_field_name("name")
                .is_some_and(|x| x.utf8_text(src).unwrap_or("") == method)
        {
            return Ok(at(&file, &symbol, n));
        }
    }
    Err(format!(
        "{}: no method '{method}' in class {simple}",
        parsed.display
    ))
}

fn go(cache: &mut Cache, handler: &str) -> Result<Resolved, String> {
    let go_files: Vec<String> = cache
        .bundle
        .files
        .keys()
        .filter(|k| k.ends_with(".go") && !k.ends_with("_test.go"))
        .cloned()
        .collect();
    if go_files.is_empty() {
        return Err(format!(
            "{}: no Go source files",
            cache.bundle.display("").trim_end_matches(['/', '!'])
        ));
    }
    // Main packages that start the Lambda runtime; prefer one in a folder named like the
    // handler (the binary name), then the shallowest.
    let mut starts: Vec<(String, String, u32, u32)> = Vec::new();
    for f in &go_files {
        let Some(p) = cache.get(f) else { continue };
        if !p.source.contains("lambda.Start") {
            continue;
        }
        let src = p.source.as_bytes();
        for n in descendants(p.tree.root_node()) {
            if n.kind() == "call_expression"
                && n.child_by_field_name("function").is_some_and(|x| {
                    matches!(
                        x.utf8_text(src).unwrap_or(""),
                        "lambda.Start"
                            | "lambda.StartWithOptions"
                            | "lambda.StartHandler"
                            | "lambda.StartWithContext"
                    )
                })
            {
                let sym = n
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .and_then(|a| a.utf8_text(src).ok())
                    .unwrap_or("main")
                    .to_string();
                starts.push((
                    f.clone(),
                    sym,
                    n.start_position().row as u32 + 1,
                    n.start_position().column as u32 + 1,
                ));
                break;
            }
        }
    }
    let dir_of = |f: &str| {
        f.rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    };
    starts.sort_by_key(|(f, ..)| {
        let d = dir_of(f);
        let named = d.rsplit('/').next() == Some(handler);
        (!named, f.matches('/').count(), f.clone())
    });
    let Some((file, sym, line, column)) = starts.into_iter().next() else {
        return Err(format!(
            "{}: no main package calling lambda.Start",
            cache.bundle.display("").trim_end_matches(['/', '!'])
        ));
    };
    // The handler function's own declaration, in the same package, when it is a plain name.
    let dir = dir_of(&file);
    let simple = sym.rsplit('.').next().unwrap_or(&sym).to_string();
    for f in go_files.iter().filter(|f| dir_of(f) == dir) {
        let Some(p) = cache.get(f) else { continue };
        let src = p.source.as_bytes();
        let root = p.tree.root_node();
        let mut c = root.walk();
        for n in root.named_children(&mut c) {
            if matches!(n.kind(), "function_declaration" | "method_declaration")
                && n.child_by_field_name("name")
                    .is_some_and(|x| x.utf8_text(src).unwrap_or("") == simple)
            {
                return Ok(at(f, &simple, n));
            }
        }
    }
    Ok(Resolved {
        file,
        symbol: sym,
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_languages_of_every_cloud() {
        for (runtime, language) in [
            ("nodejs20.x", Some(Language::JavaScript)),
            ("nodejs22", Some(Language::JavaScript)),
            ("node|18", Some(Language::JavaScript)),
            ("Node|20", Some(Language::JavaScript)),
            ("node", Some(Language::JavaScript)),
            ("python|3.9", Some(Language::Python)),
            ("python312", Some(Language::Python)),
            ("dotnet-isolated|8.0", Some(Language::CSharp)),
            ("dotnet|6.0", Some(Language::CSharp)),
            ("java|17", Some(Language::Java)),
            ("java17", Some(Language::Java)),
            ("go122", Some(Language::Go)),
            ("powershell|7.2", None),
            ("custom", None),
        ] {
            assert_eq!(runtime_language(runtime), language, "{runtime}");
        }
    }

    #[test]
    fn registrations_are_names_not_paths() {
        let src = "functions.http('resize', (req, res) => {});\n\
                   app.http(\"orders\", { handler: h });\n\
                   app.get('/users', (req, res) => {});\n\
                   app.http('lonely');\n\
                   client.http.get('x', y);\n\
                   cache.get('handler', fallback);\n\
                   app.timer('nightly', { schedule: '0 0 3 * * *', handler: h });\n";
        let tree = crate::lang::parse(Language::JavaScript, "a.js", src).expect("parses");
        let names: Vec<&str> = descendants(tree.root_node())
            .into_iter()
            .filter(|n| n.kind() == "call_expression")
            .filter_map(|n| registered_name(src.as_bytes(), n))
            .collect();
        assert_eq!(names, ["resize", "orders", "nightly"]);
    }
}
