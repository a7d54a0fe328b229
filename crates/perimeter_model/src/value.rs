//! Values with provenance: known or unresolved, written or defaulted, and where.

use crate::Location;
use serde::Serialize;

/// A value that may or may not be knowable without deploying the app.
///
/// `Unresolved` carries a short reason (`"Fn::ImportValue"`, `"${ssm:/path}"`, …). Rules stay
/// silent on unresolved values: a guess is a false positive waiting to happen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Value<T> {
    Known(T),
    Unresolved(String),
}

impl<T> Value<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Value::Known(v) => Some(v),
            Value::Unresolved(_) => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Value::Known(_))
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        match self {
            Value::Known(v) => Value::Known(f(v)),
            Value::Unresolved(r) => Value::Unresolved(r),
        }
    }
}

/// Whether a value was written by the author or filled in from the platform's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Written in the declaration itself.
    Explicit,
    /// Inherited from a shared block: SAM `Globals`, Serverless `provider`.
    Inherited,
    /// The platform's default (Lambda timeout 3 s, memory 128 MB, …).
    Defaulted,
}

/// A value, where it came from, and whether it was written or defaulted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attr<T> {
    pub value: Value<T>,
    pub origin: Origin,
    /// Where the value is written; for a defaulted value, the declaration it belongs to.
    pub location: Location,
}

impl<T> Attr<T> {
    pub fn explicit(value: T, location: Location) -> Self {
        Attr {
            value: Value::Known(value),
            origin: Origin::Explicit,
            location,
        }
    }

    pub fn inherited(value: T, location: Location) -> Self {
        Attr {
            value: Value::Known(value),
            origin: Origin::Inherited,
            location,
        }
    }

    pub fn defaulted(value: T, location: Location) -> Self {
        Attr {
            value: Value::Known(value),
            origin: Origin::Defaulted,
            location,
        }
    }

    pub fn unresolved(reason: impl Into<String>, location: Location) -> Self {
        Attr {
            value: Value::Unresolved(reason.into()),
            origin: Origin::Explicit,
            location,
        }
    }

    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        self.value.known()
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        Attr {
            value: self.value.map(f),
            origin: self.origin,
            location: self.location,
        }
    }
}

impl Attr<String> {
    /// The known value as `&str`.
    pub fn as_str(&self) -> Option<&str> {
        self.value.known().map(String::as_str)
    }
}
