//! Reading values of the resolved service document into model [`Attr`]s.
//!
//! A value is unresolved when it is (or contains) a variable marker, and is evaluated by the
//! CloudFormation context when it is an intrinsic (`{Ref: …}`, `Fn::GetAtt`, …), so the two
//! loaders agree on what `!Ref Bucket` means.

use super::variables::find_unresolved;
use crate::cloudformation::Context;
use crate::doc::{Node, NodeKind};
use perimeter_model::{Attr, Location, Origin, Value};

/// Reads values of one service with its CloudFormation context.
pub struct Reader<'a> {
    pub ctx: &'a Context<'a>,
}

impl<'a> Reader<'a> {
    pub fn new(ctx: &'a Context<'a>) -> Self {
        Reader { ctx }
    }

    pub fn loc(&self, node: &Node) -> Location {
        self.ctx.loc(node)
    }

    pub fn string(&self, node: &Node) -> Attr<String> {
        if let Some(reason) = find_unresolved(node) {
            return Attr::unresolved(reason, self.loc(node));
        }
        match &node.kind {
            NodeKind::Scalar { text, .. } => Attr::explicit(text.clone(), self.loc(node)),
            NodeKind::Null => Attr::unresolved("empty value", self.loc(node)),
            _ => self.ctx.string(node),
        }
    }

    /// Each element of a list, or the one value.
    pub fn strings(&self, node: &Node) -> Vec<Attr<String>> {
        if node.is_seq() {
            node.items().iter().map(|n| self.string(n)).collect()
        } else {
            vec![self.string(node)]
        }
    }

    pub fn bool(&self, node: &Node) -> Attr<bool> {
        if let Some(reason) = find_unresolved(node) {
            return Attr::unresolved(reason, self.loc(node));
        }
        match node.as_bool() {
            Some(b) => Attr::explicit(b, self.loc(node)),
            None if node.as_str().is_some() => Attr::unresolved("not a boolean", self.loc(node)),
            None => self.ctx.bool(node),
        }
    }

    pub fn i64(&self, node: &Node) -> Attr<i64> {
        if let Some(reason) = find_unresolved(node) {
            return Attr::unresolved(reason, self.loc(node));
        }
        match node.as_i64() {
            Some(v) => Attr::explicit(v, self.loc(node)),
            None if node.as_str().is_some() => Attr::unresolved("not an integer", self.loc(node)),
            None => self.ctx.int(node),
        }
    }

    /// A non-negative integer that fits `u32`.
    pub fn u32(&self, node: &Node) -> Attr<u32> {
        let a = self.i64(node);
        match a.value {
            Value::Known(v) => match u32::try_from(v) {
                Ok(v) => Attr {
                    value: Value::Known(v),
                    origin: a.origin,
                    location: a.location,
                },
                Err(_) => Attr::unresolved("out of range", a.location),
            },
            Value::Unresolved(r) => Attr {
                value: Value::Unresolved(r),
                origin: a.origin,
                location: a.location,
            },
        }
    }

    pub fn f64(&self, node: &Node) -> Attr<f64> {
        if let Some(reason) = find_unresolved(node) {
            return Attr::unresolved(reason, self.loc(node));
        }
        match node.as_f64() {
            Some(v) if v.is_finite() => Attr::explicit(v, self.loc(node)),
            _ => Attr::unresolved("not a number", self.loc(node)),
        }
    }
}

/// `attr` marked as inherited from the `provider` block (unresolved values keep their origin).
pub fn inherited<T>(mut attr: Attr<T>) -> Attr<T> {
    if attr.value.is_known() {
        attr.origin = Origin::Inherited;
    }
    attr
}

/// The name of a one-key event or setting mapping (`- http: …`) and its value.
pub fn single(node: &Node) -> Option<(&str, &Node)> {
    node.single_entry().map(|(k, v)| (k.name.as_str(), v))
}

/// A mapping's entry, trying each of `keys` in order (new names before legacy ones).
pub fn first<'n>(node: &'n Node, keys: &[&str]) -> Option<&'n Node> {
    keys.iter().find_map(|k| node.get(k))
}

/// Serverless's normalized name for logical IDs: first letter upper-cased, `-` → `Dash`,
/// `_` → `Underscore`.
pub fn normalize_name(name: &str) -> String {
    let replaced = name.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = replaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
