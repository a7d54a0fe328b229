//! Allow-list checks in conditions: a name compared with a literal, looked up in a
//! collection, matched by a regular expression or passed to a validator is clean where the
//! check passed: in the branch it guards, or after an `if` whose failing branch leaves
//! (`if x not in ALLOWED: return`).

use super::engine::{ALL_KINDS, Analyzer, is_string_literal, literal_value};
use super::symbols::named;
use tree_sitter::Node;

impl<'a, 't> Analyzer<'a, 't> {
    /// Names a condition checks against an allow-list: `x in ALLOWED`, `ALLOWED.includes(x)`,
    /// `x == 'literal'`, `re.fullmatch(p, x)`, `/^[a-z]+$/.test(x)`, `x.isdigit()`,
    /// `is_allowed(x)`. Those in `pass` are clean when the condition is true, those in `fail`
    /// when it is false (`not in`, `!=`, `!ALLOWED.includes(x)`).
    pub(super) fn guards(&self, cond: Node<'t>) -> Guards {
        let mut guards = Guards::default();
        let mut stack = vec![(cond, false)];
        let mut budget = 200;
        while let Some((n, negated)) = stack.pop() {
            budget -= 1;
            if budget == 0 {
                break;
            }
            let mut clean: Vec<String> = Vec::new();
            let mut flipped = false;
            match n.kind() {
                "comparison_operator" => {
                    let parts = named(Some(n));
                    let ops: String = {
                        let mut cursor = n.walk();
                        n.children(&mut cursor)
                            .filter(|c| !c.is_named())
                            .map(|c| self.text(c))
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    flipped = ops.contains("not") || ops == "!=";
                    if let [left, right] = parts.as_slice() {
                        if ops.contains("in") && !is_string_literal(*left) {
                            clean.push(self.text(*left).to_string());
                            // `urlparse(url).hostname in ALLOWED`: the names it is made of.
                            clean.extend(identifiers(*left, 32).map(|n| self.text(n).to_string()));
                        } else if (ops == "==" || ops == "!=") && nonempty_literal(self, *right) {
                            clean.push(self.text(*left).to_string());
                        }
                    }
                }
                "binary_expression" => {
                    let op = self
                        .field(n, "operator")
                        .map(|o| self.text(o))
                        .unwrap_or("");
                    flipped = matches!(op, "!==" | "!=");
                    if matches!(op, "===" | "==" | "!==" | "!=") {
                        if let (Some(l), Some(r)) = (self.field(n, "left"), self.field(n, "right"))
                        {
                            if nonempty_literal(self, r) {
                                clean.push(self.text(l).to_string());
                            } else if nonempty_literal(self, l) {
                                clean.push(self.text(r).to_string());
                            }
                        }
                    } else {
                        stack.extend(named(Some(n)).into_iter().map(|c| (c, negated)));
                    }
                }
                "call" | "call_expression" | "method_invocation" => {
                    let (callee_name, receiver) = super::calls::callee_parts(self, n);
                    let args: Vec<Node> = named(
                        self.field(n, "arguments")
                            .filter(|a| a.kind() != "generator_expression"),
                    );
                    let lower = callee_name.to_ascii_lowercase();
                    let by_arg = matches!(
                        callee_name.as_str(),
                        "includes"
                            | "has"
                            | "contains"
                            | "containsKey"
                            | "test"
                            | "match"
                            | "fullmatch"
                            | "matches"
                            | "get"
                            | "indexOf"
                            | "some"
                            | "ip_address"
                            | "ip_network"
                            | "validate"
                            | "isValid"
                            | "MatchString"
                    ) || lower.contains("allow")
                        || lower.contains("valid")
                        || lower.contains("whitelist")
                        || lower.contains("safe");
                    if by_arg {
                        // re.match(p, x): the last argument; ALLOWED.includes(x): the first.
                        let pick = if callee_name == "match" || callee_name == "fullmatch" {
                            args.last()
                        } else if callee_name == "MatchString" {
                            args.get(1).or(args.first())
                        } else {
                            args.first()
                        };
                        if let Some(a) = pick {
                            clean.push(self.text(*a).to_string());
                        }
                    }
                    if matches!(
                        callee_name.as_str(),
                        "isdigit"
                            | "isalnum"
                            | "isalpha"
                            | "isnumeric"
                            | "isdecimal"
                            | "isidentifier"
                            | "startswith"
                            | "startsWith"
                            | "matches"
                    ) && let Some(r) = receiver
                    {
                        clean.push(self.text(r).to_string());
                    }
                }
                "index_expression" | "subscript" => {
                    // Go `if !allowed[x]`, Python `if ALLOWED[x]`.
                    if let Some(i) = self
                        .field(n, "index")
                        .or_else(|| self.field(n, "subscript"))
                    {
                        clean.push(self.text(i).to_string());
                    }
                }
                "not_operator" => {
                    stack.extend(named(Some(n)).into_iter().map(|c| (c, !negated)));
                }
                "unary_expression" | "unary_operator" => {
                    let not = self
                        .field(n, "operator")
                        .is_some_and(|o| self.text(o) == "!");
                    stack.extend(named(Some(n)).into_iter().map(|c| (c, negated != not)));
                }
                "parenthesized_expression" | "boolean_operator" => {
                    stack.extend(named(Some(n)).into_iter().map(|c| (c, negated)));
                }
                _ => {}
            }
            // Checking a URL's host (`url.hostname`, `parsed.netloc`) vouches for the URL.
            let hosts: Vec<String> = clean
                .iter()
                .filter_map(|n| {
                    let (root, field) = n.rsplit_once('.')?;
                    matches!(
                        field,
                        "hostname" | "host" | "origin" | "netloc" | "Host" | "Hostname"
                    )
                    .then(|| root.to_string())
                })
                .collect();
            clean.extend(hosts);
            if negated != flipped {
                guards.fail.extend(clean);
            } else {
                guards.pass.extend(clean);
            }
        }
        guards
    }

    /// Marks names clean in the current scope (a field of a tainted object gets its own
    /// clean entry).
    pub(super) fn clean_names(&mut self, names: &[String]) {
        for name in names {
            let name = name.clone();
            if let Some(t) = self.frames.last_mut().and_then(|f| f.env.get_mut(&name)) {
                t.clean = ALL_KINDS;
                continue;
            }
            // `job.command` checked while `job` is tainted: that field is clean from here.
            let root = name.split(['.', '[']).next().unwrap_or("");
            if root != name
                && let Some(mut t) = self.lookup(root)
            {
                t.clean = ALL_KINDS;
                self.env().insert(name, t);
            }
        }
    }
}

/// The names a condition vouches for, by outcome.
#[derive(Debug, Default, Clone)]
pub struct Guards {
    /// Clean when the condition is true.
    pub pass: Vec<String>,
    /// Clean when the condition is false.
    pub fail: Vec<String>,
}

/// The identifiers inside an expression (at most `cap`), callee names excluded.
fn identifiers(node: Node<'_>, cap: usize) -> impl Iterator<Item = Node<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if found.len() >= cap {
            break;
        }
        if n.kind() == "identifier" {
            let is_callee = n
                .parent()
                .and_then(|p| p.child_by_field_name("function"))
                .is_some_and(|f| f.id() == n.id());
            if !is_callee {
                found.push(n);
            }
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    found.into_iter()
}

fn nonempty_literal(a: &Analyzer, node: Node) -> bool {
    literal_value(a, node).is_some_and(|v| !v.is_empty())
}
