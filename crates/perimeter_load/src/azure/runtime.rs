//! Azure runtime identifiers, spelled `<stack>|<version>` in lower case (`node|18`,
//! `python|3.11`, `dotnet-isolated|8.0`, `java|17`, `powershell|7.4`): the form Azure's own
//! `linuxFxVersion` uses, shared with the Terraform loader so one end-of-life table serves
//! every way an Azure function is declared.

/// From a project's `FUNCTIONS_WORKER_RUNTIME` and, when known, the language version
/// (`WEBSITE_NODE_DEFAULT_VERSION: "~18"`, …). `None` when the version is not known: the
/// stack alone cannot be judged.
pub fn from_worker(worker: &str, version: Option<&str>) -> Option<String> {
    let stack = worker.trim().to_ascii_lowercase();
    let version = version?.trim().trim_start_matches(['~', 'v', 'V']).trim();
    if stack.is_empty() || version.is_empty() {
        return None;
    }
    Some(format!("{stack}|{}", normalize_version(&stack, version)))
}

/// From the Serverless Framework's `provider.runtime` for `serverless-azure-functions`
/// (`nodejs18.x`, `nodejs12`, `python3.9`, `dotnet3.1`, `dotnet6`, `java11`,
/// `powershell7.2`), or an already-Azure value (`node|18`). Anything else is kept as written,
/// in lower case.
pub fn from_serverless(runtime: &str) -> String {
    let r = runtime.trim().to_ascii_lowercase();
    if r.contains('|') {
        return r;
    }
    let r = r.strip_suffix(".x").unwrap_or(&r).to_string();
    for (prefix, stack) in [
        ("nodejs", "node"),
        ("node", "node"),
        ("python", "python"),
        ("dotnet-isolated", "dotnet-isolated"),
        ("dotnet", "dotnet"),
        ("java", "java"),
        ("powershell", "powershell"),
    ] {
        if let Some(version) = r.strip_prefix(prefix) {
            let version = version.trim_start_matches(['-', ' ']);
            if !version.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) {
                return format!("{stack}|{}", normalize_version(stack, version));
            }
        }
    }
    r
}

/// .NET versions carry a minor (`6` → `6.0`); others are kept as written.
fn normalize_version(stack: &str, version: &str) -> String {
    if stack.starts_with("dotnet") && !version.contains('.') {
        format!("{version}.0")
    } else {
        version.to_string()
    }
}

/// The source language of a worker runtime (`FUNCTIONS_WORKER_RUNTIME`) as the code stage
/// names runtimes, for `Function::runtime` when the version is unknown.
pub fn worker_stack(worker: &str) -> &'static str {
    match worker.trim().to_ascii_lowercase().as_str() {
        "node" => "node",
        "python" => "python",
        "dotnet" => "dotnet",
        "dotnet-isolated" => "dotnet-isolated",
        "java" => "java",
        "powershell" => "powershell",
        "custom" => "custom",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serverless_runtimes() {
        assert_eq!(from_serverless("nodejs18.x"), "node|18");
        assert_eq!(from_serverless("nodejs12"), "node|12");
        assert_eq!(from_serverless("python3.9"), "python|3.9");
        assert_eq!(from_serverless("dotnet3.1"), "dotnet|3.1");
        assert_eq!(from_serverless("dotnet6"), "dotnet|6.0");
        assert_eq!(from_serverless("Node|20"), "node|20");
        assert_eq!(from_serverless("java11"), "java|11");
        assert_eq!(from_serverless("weird"), "weird");
    }

    #[test]
    fn worker_runtimes() {
        assert_eq!(from_worker("node", Some("~18")), Some("node|18".into()));
        assert_eq!(
            from_worker("dotnet-isolated", Some("8")),
            Some("dotnet-isolated|8.0".into())
        );
        assert_eq!(from_worker("python", None), None);
    }
}
