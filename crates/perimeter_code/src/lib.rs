//! The code stage: reads the code each function deploys and records what is in it.
//!
//! After the IaC loaders have built the model, [`attach`] finds each function's code (its
//! folder, archive or inline code), parses the handler and the project files it imports with
//! tree-sitter, and fills [`perimeter_model::App::code`] and
//! [`perimeter_model::Function::code`]: files, dependencies (via `perimeter_deps`), secrets
//! (via `perimeter_secrets`), AWS SDK calls, and event-to-sink flows ([`taint`]).

pub mod lang;
pub mod taint;
