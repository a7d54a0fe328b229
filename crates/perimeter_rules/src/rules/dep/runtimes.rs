//! Lambda runtime lifecycle dates, built into the binary.
//!
//! Transcribed from the AWS Lambda runtimes page
//! (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>, supported and
//! deprecated runtime tables, and the per-language pages) as read on [`RUNTIMES_AS_OF`].
//! Dates of supported runtimes are AWS's projections and move: in 2026 AWS pushed the
//! block-create / block-update dates of most already-deprecated runtimes to 2026-08-31 /
//! 2026-09-30 (published for Python 3.7 to 3.9 and Node.js 20). Rows marked `projected` carry
//! dates that were not all published for that runtime: either that same 2026 extension, or
//! block dates derived from AWS's policy (at least 30 and 60 days after deprecation). Update
//! this table and its date when the page changes; findings show the dates they used.

use super::clock::Date;

/// The lifecycle of one managed runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeLifecycle {
    /// Runtime identifier as written in `Runtime:` (`python3.9`).
    pub id: &'static str,
    /// Human name (`Python 3.9`).
    pub name: &'static str,
    /// End of security patches and support; `None` when not scheduled.
    pub deprecation: Option<Date>,
    /// From this date new functions cannot be created with the runtime.
    pub block_create: Option<Date>,
    /// From this date existing functions cannot be updated (code or configuration).
    pub block_update: Option<Date>,
    /// `true` when the block dates are derived from the policy, not published.
    pub projected: bool,
    /// What to move to.
    pub successor: &'static str,
}

/// When the table was last checked against the AWS page.
pub const RUNTIMES_AS_OF: Date = Date::new(2026, 7, 25);

pub(super) const fn d(year: i32, month: u8, day: u8) -> Option<Date> {
    Some(Date::new(year, month, day))
}

pub(super) const fn rt(
    id: &'static str,
    name: &'static str,
    deprecation: Option<Date>,
    block_create: Option<Date>,
    block_update: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    RuntimeLifecycle {
        id,
        name,
        deprecation,
        block_create,
        block_update,
        projected: false,
        successor,
    }
}

/// A row like [`rt`] whose dates are projected rather than announced by AWS.
pub(super) const fn projected(
    id: &'static str,
    name: &'static str,
    deprecation: Option<Date>,
    block_create: Option<Date>,
    block_update: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    RuntimeLifecycle {
        projected: true,
        ..rt(id, name, deprecation, block_create, block_update, successor)
    }
}

/// Every Lambda managed runtime, newest family members first.
#[rustfmt::skip]
pub const RUNTIMES: &[RuntimeLifecycle] = &[
    // Node.js
    rt("nodejs24.x", "Node.js 24", d(2028, 4, 30), d(2028, 6, 1), d(2028, 7, 1), "nodejs24.x"),
    rt("nodejs22.x", "Node.js 22", d(2027, 4, 30), d(2027, 6, 1), d(2027, 7, 1), "nodejs24.x"),
    rt("nodejs20.x", "Node.js 20", d(2026, 4, 30), d(2026, 8, 31), d(2026, 9, 30), "nodejs24.x"),
    projected("nodejs18.x", "Node.js 18", d(2025, 9, 1), d(2026, 8, 31), d(2026, 9, 30), "nodejs24.x"),
    projected("nodejs16.x", "Node.js 16", d(2024, 6, 12), d(2026, 8, 31), d(2026, 9, 30), "nodejs24.x"),
    projected("nodejs14.x", "Node.js 14", d(2023, 12, 4), d(2024, 1, 9), d(2026, 9, 30), "nodejs24.x"),
    rt("nodejs12.x", "Node.js 12", d(2023, 3, 31), d(2023, 3, 31), d(2023, 4, 30), "nodejs24.x"),
    rt("nodejs10.x", "Node.js 10", d(2021, 7, 30), d(2021, 7, 30), d(2022, 2, 14), "nodejs24.x"),
    rt("nodejs8.10", "Node.js 8.10", d(2020, 3, 6), d(2020, 3, 6), d(2020, 3, 6), "nodejs24.x"),
    rt("nodejs6.10", "Node.js 6.10", d(2019, 8, 12), d(2019, 8, 12), d(2019, 8, 12), "nodejs24.x"),
    rt("nodejs4.3-edge", "Node.js 4.3 edge", d(2019, 4, 30), d(2019, 4, 30), d(2019, 4, 30), "nodejs24.x"),
    rt("nodejs4.3", "Node.js 4.3", d(2020, 3, 5), d(2020, 3, 5), d(2020, 3, 5), "nodejs24.x"),
    rt("nodejs", "Node.js 0.10", d(2016, 10, 31), d(2016, 10, 31), d(2016, 10, 31), "nodejs24.x"),
    // Python
    rt("python3.14", "Python 3.14", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "python3.14"),
    rt("python3.13", "Python 3.13", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "python3.14"),
    rt("python3.12", "Python 3.12", d(2028, 10, 31), d(2028, 11, 30), d(2029, 1, 10), "python3.14"),
    rt("python3.11", "Python 3.11", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31), "python3.14"),
    rt("python3.10", "Python 3.10", d(2026, 10, 31), d(2026, 11, 30), d(2027, 1, 15), "python3.14"),
    rt("python3.9", "Python 3.9", d(2025, 12, 15), d(2026, 8, 31), d(2026, 9, 30), "python3.14"),
    rt("python3.8", "Python 3.8", d(2024, 10, 14), d(2026, 8, 31), d(2026, 9, 30), "python3.14"),
    rt("python3.7", "Python 3.7", d(2023, 12, 4), d(2024, 1, 9), d(2026, 9, 30), "python3.14"),
    rt("python3.6", "Python 3.6", d(2022, 7, 18), d(2022, 7, 18), d(2022, 8, 29), "python3.14"),
    rt("python2.7", "Python 2.7", d(2021, 7, 15), d(2021, 7, 15), d(2022, 5, 30), "python3.14"),
    // Java
    rt("java25", "Java 25", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "java25"),
    rt("java21", "Java 21", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "java25"),
    projected("java17.al2023", "Java 17 (AL2023)", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "java25"),
    projected("java11.al2023", "Java 11 (AL2023)", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "java25"),
    projected("java8.al2023", "Java 8 (AL2023)", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "java25"),
    projected("java17", "Java 17", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31), "java25"),
    projected("java11", "Java 11", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31), "java25"),
    projected("java8.al2", "Java 8 (AL2)", d(2027, 6, 30), d(2027, 7, 31), d(2027, 8, 31), "java25"),
    projected("java8", "Java 8 (AL1)", d(2024, 1, 8), d(2024, 2, 8), d(2026, 9, 30), "java25"),
    // .NET
    rt("dotnet10", ".NET 10", d(2028, 11, 14), d(2028, 12, 14), d(2029, 1, 15), "dotnet10"),
    rt("dotnet9", ".NET 9 (container only)", d(2026, 11, 10), None, None, "dotnet10"),
    rt("dotnet8", ".NET 8", d(2026, 11, 10), d(2026, 12, 10), d(2027, 1, 11), "dotnet10"),
    rt("dotnet7", ".NET 7 (container only)", d(2024, 5, 14), None, None, "dotnet10"),
    projected("dotnet6", ".NET 6", d(2024, 12, 20), d(2026, 8, 31), d(2026, 9, 30), "dotnet10"),
    rt("dotnet5.0", ".NET 5 (container only)", d(2022, 5, 10), None, None, "dotnet10"),
    rt("dotnetcore3.1", ".NET Core 3.1", d(2023, 4, 3), d(2023, 4, 3), d(2023, 5, 3), "dotnet10"),
    rt("dotnetcore2.1", ".NET Core 2.1", d(2022, 1, 5), d(2022, 1, 5), d(2022, 4, 13), "dotnet10"),
    rt("dotnetcore2.0", ".NET Core 2.0", d(2019, 5, 30), d(2019, 5, 30), d(2019, 5, 30), "dotnet10"),
    rt("dotnetcore1.0", ".NET Core 1.0", d(2019, 6, 27), d(2019, 7, 30), d(2019, 7, 30), "dotnet10"),
    // Ruby
    rt("ruby4.0", "Ruby 4.0", d(2029, 3, 31), d(2029, 4, 30), d(2029, 5, 31), "ruby4.0"),
    rt("ruby3.4", "Ruby 3.4", d(2028, 3, 31), d(2028, 4, 30), d(2028, 5, 31), "ruby4.0"),
    rt("ruby3.3", "Ruby 3.3", d(2027, 3, 31), d(2027, 4, 30), d(2027, 5, 31), "ruby4.0"),
    projected("ruby3.2", "Ruby 3.2", d(2026, 3, 31), d(2026, 8, 31), d(2026, 9, 30), "ruby4.0"),
    projected("ruby2.7", "Ruby 2.7", d(2023, 12, 7), d(2024, 1, 9), d(2026, 9, 30), "ruby4.0"),
    rt("ruby2.5", "Ruby 2.5", d(2021, 7, 30), d(2021, 7, 30), d(2022, 3, 31), "ruby4.0"),
    // OS-only runtimes and Go
    rt("provided.al2023", "OS-only runtime (AL2023)", d(2029, 6, 30), d(2029, 7, 31), d(2029, 8, 31), "provided.al2023"),
    projected("provided.al2", "OS-only runtime (AL2)", d(2026, 6, 30), d(2026, 8, 31), d(2026, 9, 30), "provided.al2023"),
    projected("provided", "OS-only runtime (AL1)", d(2024, 1, 8), d(2024, 2, 8), d(2026, 9, 30), "provided.al2023"),
    projected("go1.x", "Go 1.x", d(2024, 1, 8), d(2024, 2, 8), d(2026, 9, 30), "provided.al2023"),
];

/// The lifecycle of Lambda runtime `id` (case-insensitive).
pub fn lifecycle(id: &str) -> Option<&'static RuntimeLifecycle> {
    let id = id.trim();
    RUNTIMES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The lifecycle of runtime `id` on `cloud`: Lambda's table, or Google Cloud Functions' /
/// Azure Functions' ([`super::cloud_runtimes`]).
pub fn lifecycle_on(cloud: perimeter_model::Cloud, id: &str) -> Option<&'static RuntimeLifecycle> {
    let id = id.trim();
    let table = match cloud {
        perimeter_model::Cloud::Aws => RUNTIMES,
        perimeter_model::Cloud::Gcp => super::cloud_runtimes::GCP_RUNTIMES,
        perimeter_model::Cloud::Azure => super::cloud_runtimes::AZURE_RUNTIMES,
    };
    table.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut ids: Vec<_> = RUNTIMES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate runtime ids");
        for r in RUNTIMES {
            if let (Some(dep), Some(create), Some(update)) =
                (r.deprecation, r.block_create, r.block_update)
            {
                assert!(create <= update, "{}", r.id);
                assert!(dep <= create || r.id == "nodejs4.3-edge", "{}", r.id);
            }
            assert!(
                lifecycle(r.successor).is_some_and(|s| s.deprecation >= r.deprecation),
                "{}",
                r.id
            );
        }
        for id in [
            "python2.7",
            "python3.6",
            "nodejs4.3",
            "java8",
            "go1.x",
            "ruby2.5",
            "dotnetcore1.0",
            "dotnet6",
            "provided",
        ] {
            assert!(lifecycle(id).is_some(), "{id}");
        }
        assert_eq!(lifecycle("Python3.9").map(|r| r.name), Some("Python 3.9"));
    }
}
