//! Google Cloud Functions and Azure Functions runtime lifecycle dates, built into the binary.
//!
//! Google Cloud: transcribed from "Runtime support" of Cloud Run functions
//! (<https://cloud.google.com/functions/docs/runtime-support>, the schedule tables per
//! language) as read on [`CLOUD_RUNTIMES_AS_OF`]. Google's lifecycle has two dates: the
//! *deprecation* date (no more security patches or support; deploying still works) and the
//! *decommission* date (functions on the runtime can no longer be created or redeployed and
//! may be disabled), which this table stores as both block dates. Rows marked `projected`
//! are ones whose dates were not confirmed on that page when transcribed (older runtimes
//! that Google deprecated together on 2024-01-30, and a few newer ones whose dates follow the
//! language's upstream end of life); check them before relying on them.
//!
//! Azure: transcribed from "Supported languages in Azure Functions"
//! (<https://learn.microsoft.com/en-us/azure/azure-functions/supported-languages>, the
//! end-of-support table of language stacks on the Functions 4.x host) as read on the same
//! date. Azure publishes one end-of-support date per stack version and no block dates:
//! apps keep running, without security updates or support. Rows marked `projected` take the
//! upstream language end of life where Microsoft's date was not confirmed.
//!
//! Runtime identifiers are as the loaders write them: Google's runtime ids (`nodejs20`,
//! `python312`), and Azure's `<stack>|<version>` in lower case (`node|18`, `python|3.11`,
//! `dotnet-isolated|8.0`, `java|17`, `powershell|7.4`).

use super::clock::Date;
use super::runtimes::{RuntimeLifecycle, d, projected, rt};

/// When both tables were last checked against their pages.
pub const CLOUD_RUNTIMES_AS_OF: Date = Date::new(2026, 11, 22);

/// A Google row: deprecation, then decommission (creation and redeployment blocked).
const fn g(
    id: &'static str,
    name: &'static str,
    dep: Option<Date>,
    decom: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    rt(id, name, dep, decom, decom, successor)
}

const fn gp(
    id: &'static str,
    name: &'static str,
    dep: Option<Date>,
    decom: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    projected(id, name, dep, decom, decom, successor)
}

/// An Azure row: end of support only.
const fn a(
    id: &'static str,
    name: &'static str,
    eos: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    rt(id, name, eos, None, None, successor)
}

const fn ap(
    id: &'static str,
    name: &'static str,
    eos: Option<Date>,
    successor: &'static str,
) -> RuntimeLifecycle {
    projected(id, name, eos, None, None, successor)
}

/// Google Cloud Functions runtimes (1st gen and Cloud Run functions).
#[rustfmt::skip]
pub const GCP_RUNTIMES: &[RuntimeLifecycle] = &[
    // Node.js
    g("nodejs24", "Node.js 24", d(2028, 4, 30), d(2028, 10, 31), "nodejs24"),
    g("nodejs22", "Node.js 22", d(2027, 4, 30), d(2027, 10, 31), "nodejs24"),
    g("nodejs20", "Node.js 20", d(2026, 4, 30), d(2026, 10, 30), "nodejs24"),
    gp("nodejs18", "Node.js 18", d(2025, 4, 30), d(2025, 10, 31), "nodejs24"),
    gp("nodejs16", "Node.js 16", d(2024, 1, 30), d(2025, 1, 30), "nodejs24"),
    gp("nodejs14", "Node.js 14", d(2024, 1, 30), d(2025, 1, 30), "nodejs24"),
    gp("nodejs12", "Node.js 12", d(2024, 1, 30), d(2025, 1, 30), "nodejs24"),
    gp("nodejs10", "Node.js 10", d(2024, 1, 30), d(2025, 1, 30), "nodejs24"),
    gp("nodejs8", "Node.js 8", d(2020, 6, 5), d(2021, 2, 1), "nodejs24"),
    gp("nodejs6", "Node.js 6", d(2019, 4, 17), d(2020, 8, 1), "nodejs24"),
    // Python
    g("python314", "Python 3.14", d(2030, 10, 10), d(2031, 4, 10), "python314"),
    g("python313", "Python 3.13", d(2029, 10, 10), d(2030, 4, 10), "python314"),
    g("python312", "Python 3.12", d(2028, 10, 2), d(2029, 4, 2), "python314"),
    gp("python311", "Python 3.11", d(2027, 10, 24), d(2028, 4, 24), "python314"),
    gp("python310", "Python 3.10", d(2026, 10, 4), d(2027, 4, 4), "python314"),
    gp("python39", "Python 3.9", d(2025, 10, 5), d(2026, 4, 5), "python314"),
    gp("python38", "Python 3.8", d(2024, 10, 14), d(2025, 10, 14), "python314"),
    gp("python37", "Python 3.7", d(2024, 1, 30), d(2025, 1, 30), "python314"),
    // Go
    gp("go125", "Go 1.25", d(2026, 8, 31), d(2027, 2, 28), "go125"),
    gp("go124", "Go 1.24", d(2026, 2, 28), d(2026, 8, 31), "go125"),
    gp("go123", "Go 1.23", d(2025, 8, 31), d(2026, 2, 28), "go125"),
    gp("go122", "Go 1.22", d(2025, 2, 28), d(2025, 8, 31), "go125"),
    gp("go121", "Go 1.21", d(2024, 8, 31), d(2025, 2, 28), "go125"),
    gp("go120", "Go 1.20", d(2024, 5, 1), d(2025, 1, 30), "go125"),
    gp("go119", "Go 1.19", d(2024, 4, 30), d(2025, 1, 30), "go125"),
    gp("go118", "Go 1.18", d(2024, 1, 30), d(2025, 1, 30), "go125"),
    gp("go116", "Go 1.16", d(2024, 1, 30), d(2025, 1, 30), "go125"),
    gp("go113", "Go 1.13", d(2024, 1, 30), d(2025, 1, 30), "go125"),
    gp("go111", "Go 1.11", d(2020, 8, 5), d(2021, 2, 1), "go125"),
    // Java
    gp("java21", "Java 21", d(2031, 10, 31), d(2032, 4, 30), "java21"),
    gp("java17", "Java 17", d(2029, 10, 31), d(2030, 4, 30), "java21"),
    gp("java11", "Java 11", d(2024, 10, 31), d(2025, 10, 31), "java21"),
    // Ruby
    gp("ruby34", "Ruby 3.4", d(2028, 3, 31), d(2028, 9, 30), "ruby34"),
    gp("ruby33", "Ruby 3.3", d(2027, 3, 31), d(2027, 9, 30), "ruby34"),
    gp("ruby32", "Ruby 3.2", d(2026, 3, 31), d(2026, 9, 30), "ruby34"),
    gp("ruby30", "Ruby 3.0", d(2024, 3, 31), d(2025, 3, 31), "ruby34"),
    gp("ruby27", "Ruby 2.7", d(2024, 1, 30), d(2025, 1, 30), "ruby34"),
    gp("ruby26", "Ruby 2.6", d(2024, 1, 30), d(2025, 1, 30), "ruby34"),
    // PHP
    gp("php84", "PHP 8.4", d(2028, 12, 31), d(2029, 6, 30), "php84"),
    gp("php83", "PHP 8.3", d(2027, 12, 31), d(2028, 6, 30), "php84"),
    gp("php82", "PHP 8.2", d(2026, 12, 31), d(2027, 6, 30), "php84"),
    gp("php81", "PHP 8.1", d(2025, 12, 31), d(2026, 6, 30), "php84"),
    gp("php74", "PHP 7.4", d(2024, 1, 30), d(2025, 1, 30), "php84"),
    // .NET
    gp("dotnet8", ".NET 8", d(2026, 11, 10), d(2027, 5, 10), "dotnet8"),
    gp("dotnet6", ".NET 6", d(2024, 11, 12), d(2025, 11, 12), "dotnet8"),
    gp("dotnet3", ".NET Core 3.1", d(2024, 1, 30), d(2025, 1, 30), "dotnet8"),
];

/// Azure Functions language stacks on the 4.x host.
#[rustfmt::skip]
pub const AZURE_RUNTIMES: &[RuntimeLifecycle] = &[
    // Node.js
    a("node|24", "Node.js 24", d(2028, 4, 30), "node|24"),
    a("node|22", "Node.js 22", d(2027, 4, 30), "node|24"),
    a("node|20", "Node.js 20", d(2026, 4, 30), "node|24"),
    a("node|18", "Node.js 18", d(2025, 4, 30), "node|24"),
    ap("node|16", "Node.js 16", d(2023, 9, 11), "node|24"),
    ap("node|14", "Node.js 14", d(2023, 4, 30), "node|24"),
    ap("node|12", "Node.js 12", d(2022, 12, 13), "node|24"),
    // Python
    a("python|3.13", "Python 3.13", d(2029, 10, 1), "python|3.13"),
    a("python|3.12", "Python 3.12", d(2028, 10, 1), "python|3.13"),
    a("python|3.11", "Python 3.11", d(2027, 10, 1), "python|3.13"),
    a("python|3.10", "Python 3.10", d(2026, 10, 1), "python|3.13"),
    ap("python|3.9", "Python 3.9", d(2025, 10, 31), "python|3.13"),
    ap("python|3.8", "Python 3.8", d(2024, 10, 7), "python|3.13"),
    ap("python|3.7", "Python 3.7", d(2023, 6, 27), "python|3.13"),
    ap("python|3.6", "Python 3.6", d(2022, 9, 30), "python|3.13"),
    // .NET (isolated worker and in-process)
    a("dotnet-isolated|10.0", ".NET 10 (isolated)", d(2028, 11, 14), "dotnet-isolated|10.0"),
    a("dotnet-isolated|9.0", ".NET 9 (isolated)", d(2026, 11, 10), "dotnet-isolated|10.0"),
    a("dotnet-isolated|8.0", ".NET 8 (isolated)", d(2026, 11, 10), "dotnet-isolated|10.0"),
    ap("dotnet-isolated|7.0", ".NET 7 (isolated)", d(2024, 5, 14), "dotnet-isolated|10.0"),
    ap("dotnet-isolated|6.0", ".NET 6 (isolated)", d(2024, 11, 12), "dotnet-isolated|10.0"),
    a("dotnet|8.0", ".NET 8 (in-process)", d(2026, 11, 10), "dotnet-isolated|10.0"),
    ap("dotnet|6.0", ".NET 6 (in-process)", d(2024, 11, 12), "dotnet-isolated|10.0"),
    ap("dotnet|3.1", ".NET Core 3.1 (in-process)", d(2022, 12, 13), "dotnet-isolated|10.0"),
    // Java
    a("java|21", "Java 21", d(2028, 9, 1), "java|21"),
    a("java|17", "Java 17", d(2027, 9, 1), "java|21"),
    a("java|11", "Java 11", d(2027, 9, 1), "java|21"),
    a("java|8", "Java 8", d(2026, 11, 30), "java|21"),
    ap("java|1.8", "Java 8", d(2026, 11, 30), "java|21"),
    // PowerShell
    ap("powershell|7.4", "PowerShell 7.4", d(2026, 11, 10), "powershell|7.4"),
    ap("powershell|7.2", "PowerShell 7.2", d(2024, 11, 8), "powershell|7.4"),
    ap("powershell|7.0", "PowerShell 7.0", d(2022, 12, 3), "powershell|7.4"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_model::Cloud;

    #[test]
    fn tables_are_consistent() {
        for (cloud, table) in [(Cloud::Gcp, GCP_RUNTIMES), (Cloud::Azure, AZURE_RUNTIMES)] {
            let mut ids: Vec<_> = table.iter().map(|r| r.id).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(before, ids.len(), "duplicate runtime ids");
            for r in table {
                if let (Some(dep), Some(block)) = (r.deprecation, r.block_update) {
                    assert!(dep < block, "{}", r.id);
                }
                let successor = super::super::lifecycle_on(cloud, r.successor);
                assert!(
                    successor.is_some_and(|s| s.deprecation >= r.deprecation),
                    "{}",
                    r.id
                );
            }
        }
        assert!(super::super::lifecycle_on(Cloud::Azure, "Node|18").is_some());
        assert!(super::super::lifecycle_on(Cloud::Gcp, "nodejs18.x").is_none());
    }
}
