//! Points per factor, kept together so the weighting can be read (and argued with) at once.
//! `docs/scoring.md` gives the reason for each; a test there keeps the page's table equal to
//! these constants.

/// Anyone on the internet can invoke it without authenticating (route, URL, resource policy).
pub const PUBLIC_DIRECT: u32 = 30;
/// Anyone can write to a bucket, topic or queue that triggers it: the attacker writes the event.
pub const PUBLIC_WRITE: u32 = 25;
/// Reachable from the internet only through another function (public API → function A →
/// queue → this one): the attacker's data arrives shaped by A's code.
pub const PUBLIC_CHAINED: u32 = 20;
/// Reachable by authenticated callers (an authorizer, IAM, an API key, unresolved auth), or by
/// principals of other AWS accounts through a resource policy.
pub const AUTHENTICATED: u32 = 10;
/// Started by events of AWS services (queues, streams, buckets) whose content other parties
/// may control. Schedules count for nothing.
pub const EVENT_SOURCE: u32 = 5;

/// Its role has administrator or account-wide power (IAM003).
pub const ADMIN: u32 = 25;
/// Its role can escalate to account administrator (graph `can-escalate`, IAM006).
pub const ESCALATION: u32 = 20;
/// Its role uses wildcard actions or resources (IAM001, IAM002, IAM004).
pub const BROAD: u32 = 12;

/// Its role can change who may access a data store (permissions management).
pub const DATA_ADMIN: u32 = 12;
/// Its role can write or delete data.
pub const DATA_WRITE: u32 = 10;
/// Its role can read data.
pub const DATA_READ: u32 = 6;

/// Blast radius: per data store or function within reach, beyond the first.
pub const BLAST_EACH: u32 = 2;
/// Blast radius: at most.
pub const BLAST_CAP: u32 = 10;
/// It can start a function whose role can escalate to account administrator.
pub const DOWNSTREAM_ESCALATION: u32 = 10;

pub const INJECTION: u32 = 15;
pub const SECRET: u32 = 10;
pub const VULNERABLE_DEPENDENCY: u32 = 8;
pub const RUNTIME: u32 = 5;
pub const OPERATIONS_EACH: u32 = 2;
pub const OPERATIONS_CAP: u32 = 8;

pub const PUBLIC_AND_PRIVILEGED: u32 = 15;
pub const PUBLIC_AND_DATA: u32 = 10;
pub const PUBLIC_AND_INJECTION: u32 = 15;
pub const PUBLIC_AND_SECRET: u32 = 5;
pub const PRIVILEGED_AND_DATA: u32 = 5;

/// Raw points that count one for one; past them the scale compresses (see `compress`).
pub const LINEAR_UNTIL: u32 = 70;
/// How fast the compressed part approaches 100: `70 + 30·x/(x + COMPRESSION_HALF)`.
pub const COMPRESSION_HALF: f64 = 40.0;

/// Every weight by name, for the documentation test.
pub const ALL: &[(&str, u32)] = &[
    ("PUBLIC_DIRECT", PUBLIC_DIRECT),
    ("PUBLIC_WRITE", PUBLIC_WRITE),
    ("PUBLIC_CHAINED", PUBLIC_CHAINED),
    ("AUTHENTICATED", AUTHENTICATED),
    ("EVENT_SOURCE", EVENT_SOURCE),
    ("ADMIN", ADMIN),
    ("ESCALATION", ESCALATION),
    ("BROAD", BROAD),
    ("DATA_ADMIN", DATA_ADMIN),
    ("DATA_WRITE", DATA_WRITE),
    ("DATA_READ", DATA_READ),
    ("BLAST_EACH", BLAST_EACH),
    ("BLAST_CAP", BLAST_CAP),
    ("DOWNSTREAM_ESCALATION", DOWNSTREAM_ESCALATION),
    ("INJECTION", INJECTION),
    ("SECRET", SECRET),
    ("VULNERABLE_DEPENDENCY", VULNERABLE_DEPENDENCY),
    ("RUNTIME", RUNTIME),
    ("OPERATIONS_EACH", OPERATIONS_EACH),
    ("OPERATIONS_CAP", OPERATIONS_CAP),
    ("PUBLIC_AND_PRIVILEGED", PUBLIC_AND_PRIVILEGED),
    ("PUBLIC_AND_DATA", PUBLIC_AND_DATA),
    ("PUBLIC_AND_INJECTION", PUBLIC_AND_INJECTION),
    ("PUBLIC_AND_SECRET", PUBLIC_AND_SECRET),
    ("PRIVILEGED_AND_DATA", PRIVILEGED_AND_DATA),
    ("LINEAR_UNTIL", LINEAR_UNTIL),
];
