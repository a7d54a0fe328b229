//! Maven's version ordering, a port of `org.apache.maven.artifact.versioning.ComparableVersion`
//! (Maven 3.x): versions split into numbers and qualifiers at `.`, `-` and digit/letter
//! transitions, `-` opening a sub-list; known qualifiers order `alpha < beta < milestone <
//! rc = cr < snapshot < (release: "", ga, final, release) < sp`, unknown ones after `sp`
//! alphabetically; trailing zeros and release qualifiers are dropped (`1.0.0.Final` == `1`).
//!
//! No crate implements it well (`mvn_version` is an unmaintained 0.1), so it is here, tested
//! against the cases of Maven's own `ComparableVersionTest`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits, without leading zeros (compared by length, then text: no overflow).
    Int(String),
    /// A qualifier, already mapped to its sort key.
    Str(String),
    List(Vec<Item>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion {
    items: Vec<Item>,
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && v.len() == 1 {
        v = match v {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(comparable_qualifier(v))
}

fn int_item(digits: &str) -> Item {
    let trimmed = digits.trim_start_matches('0');
    Item::Int(if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.into()
    })
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v == "0",
        Item::Str(v) => v == RELEASE_INDEX,
        Item::List(v) => v.is_empty(),
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if let Item::List(inner) = &mut list[i] {
            normalize(inner);
        }
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Compares `item` with a missing item.
fn cmp_null(item: &Item) -> Ordering {
    match item {
        Item::Int(v) => {
            if v == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(v) => v.as_str().cmp(RELEASE_INDEX),
        Item::List(v) => v.first().map_or(Ordering::Equal, cmp_null),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    use Item::*;
    match (a, b) {
        (Int(x), Int(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Int(_), _) => Ordering::Greater,
        (Str(_), Int(_)) => Ordering::Less,
        (Str(x), Str(y)) => x.cmp(y),
        (Str(_), List(_)) => Ordering::Less,
        (List(_), Int(_)) => Ordering::Less,
        (List(_), Str(_)) => Ordering::Greater,
        (List(x), List(y)) => cmp_lists(x, y),
    }
}

fn cmp_lists(x: &[Item], y: &[Item]) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let ord = match (x.get(i), y.get(i)) {
            (Some(l), Some(r)) => cmp_item(l, r),
            (Some(l), None) => cmp_null(l),
            (None, Some(r)) => cmp_null(r).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

impl MavenVersion {
    /// Every string is a Maven version (as in Maven).
    pub fn parse(text: &str) -> MavenVersion {
        let version = text.trim().to_lowercase();
        let chars: Vec<char> = version.chars().collect();
        // A stack of open lists; items are pushed into the top one.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        let sub = |from: usize, to: usize| -> String { chars[from..to].iter().collect() };
        let push = |stack: &mut Vec<Vec<Item>>, item: Item| {
            if let Some(top) = stack.last_mut() {
                top.push(item);
            }
        };
        for (i, &c) in chars.iter().enumerate() {
            if c == '.' || c == '-' {
                if i == start {
                    push(&mut stack, Item::Int("0".into()));
                } else {
                    let s = sub(start, i);
                    push(
                        &mut stack,
                        if is_digit {
                            int_item(&s)
                        } else {
                            string_item(&s, false)
                        },
                    );
                }
                start = i + 1;
                if c == '-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    push(&mut stack, string_item(&sub(start, i), true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push(&mut stack, int_item(&sub(start, i)));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if chars.len() > start {
            let s = sub(start, chars.len());
            push(
                &mut stack,
                if is_digit {
                    int_item(&s)
                } else {
                    string_item(&s, false)
                },
            );
        }
        // Close the open lists into their parents, normalizing each (as Maven does).
        while stack.len() > 1 {
            let mut list = stack.pop().unwrap_or_default();
            normalize(&mut list);
            push(&mut stack, Item::List(list));
        }
        let mut items = stack.pop().unwrap_or_default();
        normalize(&mut items);
        MavenVersion { items }
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
