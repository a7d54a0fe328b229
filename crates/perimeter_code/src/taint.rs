//! Event-to-sink taint analysis within one file.
//!
//! [`analyze`] finds the handler, marks its event parameter as the source and walks the
//! handler's body in source order, tracking which local names hold event data (assignments,
//! destructuring, loops, string building, method calls on tainted values, container literals)
//! and following tainted arguments into the functions of the same file (bounded depth). Each
//! call is matched against the sink tables of [`sinks`]; a sink whose relevant argument is
//! tainted (and not sanitized for that kind of sink) becomes a [`TaintFlow`] with every step
//! from the source. The walker is shared by all languages ([`engine`], with calls in
//! [`calls`] and allow-list checks in [`guards`]); what differs per language is in [`sinks`]
//! (sink and sanitizer tables) and [`symbols`] (functions, imports, finding the handler).
//!
//! The analysis is deliberately simple: one pass in source order (branches of an `if` are
//! merged, loops are walked once), no aliasing through objects or globals, no taint through
//! calls on library objects except a list of known propagators. It is bounded: a node budget
//! per file, a nesting cap, a call-depth cap, and its own thread with a sized stack.

mod calls;
mod engine;
mod guards;
mod sinks;
mod symbols;

use perimeter_model::{Language, TaintFlow};
use tree_sitter::Tree;

/// Flows from the handler's event parameter to dangerous sinks, within `handler` and the
/// functions it calls in the same file. `path` is the display path used in locations.
///
/// `handler` is the function or method name (`handler`, `lambda_handler`); a dotted
/// (`app.handler`) or Java-style (`com.example.App::handleRequest`) name is accepted and
/// its last part used. For Go it may be empty: the function passed to `lambda.Start` is used.
/// For Java an empty name means `handleRequest`.
pub fn analyze(
    language: Language,
    path: &str,
    source: &str,
    tree: &Tree,
    handler: &str,
) -> Vec<TaintFlow> {
    let Some(lang) = engine::Lang::of(language) else {
        return Vec::new();
    };
    // The walker recurses (bounded by its nesting cap); a thread of its own gives it a stack
    // that fits the cap whatever the caller's thread has.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("taint".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || run(lang, path, source, tree, handler))
            .ok()
            .and_then(|worker| worker.join().ok())
            .unwrap_or_default()
    })
}

/// Stack of the analysis thread.
const STACK_BYTES: usize = 64 * 1024 * 1024;

fn run(lang: engine::Lang, path: &str, source: &str, tree: &Tree, handler: &str) -> Vec<TaintFlow> {
    let file = symbols::FileSymbols::collect(lang, source, tree);
    let mut analyzer = engine::Analyzer::new(lang, path, &file);
    match file.find_handler(handler) {
        Some(entry) => analyzer.run_handler(entry),
        // serverless(app), Chalice `app`: the routes get the request.
        None => match file.router_handler(handler) {
            Some(app) => analyzer.run_routes(&app),
            None => return Vec::new(),
        },
    }
    analyzer.into_flows()
}
