//! perimeter's configuration (`perimeter.toml`) and suppressions.
//!
//! [`Config`] is parsed from TOML with positions on every error; [`apply`] turns the checker's
//! raw findings into what is reported: rules switched off, severities overridden, findings
//! ignored by the file's `[[ignore]]` entries or by inline `# perimeter:ignore CODE reason`
//! comments. Every ignore must say why, and an ignore that matches nothing is reported, so
//! suppressions cannot silently rot.

mod alerts;
mod apply;
mod config;
mod enforce;
mod glob;
mod inline;

pub use alerts::{AlertsConfig, SyslogTarget, Webhook, WebhookFormat};
pub use apply::{Applied, Suppressed, SuppressedBy, apply};
pub use config::{CONFIG_FILE_NAME, Config, ConfigIgnore, MAX_CONFIG_BYTES, RuleSetting};
pub use enforce::EnforceConfig;
pub use inline::{InlineIgnore, MARKER, scan_inline};

use perimeter_model::LoadError;

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file is larger than {max} bytes")]
    TooLarge { path: String, max: u64 },
    /// Syntax errors and schema violations, each with its position
    /// (`perimeter.toml:3:1: unknown key `fail_on``).
    #[error("{}", display_problems(.problems))]
    Invalid { problems: Vec<LoadError> },
}

impl ConfigError {
    /// The problems as per-file errors (one for I/O errors), e.g. to print or to report.
    pub fn problems(&self) -> Vec<LoadError> {
        match self {
            ConfigError::Invalid { problems } => problems.clone(),
            ConfigError::Io { path, .. } | ConfigError::TooLarge { path, .. } => {
                vec![LoadError {
                    file: path.clone(),
                    line: None,
                    column: None,
                    message: self.to_string(),
                }]
            }
        }
    }
}

fn display_problems(problems: &[LoadError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
