//! Which files are worth scanning, and what kind of file a path is.
//!
//! Skipped ([`should_scan`] is `false`): files over [`MAX_FILE_BYTES`], binaries and archives
//! by extension, lockfiles (their integrity hashes are random by design), and vendored code
//! and SDK documentation: anything under `node_modules`, `bower_components`, `site-packages`,
//! `vendor`, `.git`, `__pycache__`, virtualenvs, botocore/boto3 `data` folders (their service
//! models and examples are full of example keys), TypeScript declarations (`*.d.ts`),
//! minified bundles (`*.min.js`) and source maps (`*.map`). The path may be an archive entry
//! (`"api.zip!/node_modules/x/index.js"`): every part of it is looked at.

/// Files larger than this are not scanned (generated or data files; bounds the cost).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How values are written in a file, which decides what the generic detector accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// Source code: only quoted literals are values.
    Code,
    /// Configuration (`.env`, YAML, INI, JSON, shell, …): bare values count too.
    Config,
    /// Documentation (`README.md`, `.rst`): hits are lower confidence.
    Docs,
}

const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "dist-packages",
    "vendor",
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".terraform",
    ".idea",
];

const SKIPPED_NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "go.sum",
    "cargo.lock",
    "composer.lock",
    "gemfile.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "bun.lockb",
    ".ds_store",
];

const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "pdf", "zip", "gz",
    "tgz", "bz2", "xz", "7z", "tar", "rar", "jar", "war", "ear", "class", "so", "dylib", "dll",
    "exe", "bin", "o", "a", "lib", "pyc", "pyo", "pyd", "whl", "egg", "woff", "woff2", "ttf",
    "otf", "eot", "mp3", "mp4", "mov", "avi", "wav", "ogg", "flac", "webm", "sqlite", "sqlite3",
    "db", "parquet", "avro", "orc", "pkl", "npy", "npz", "h5", "onnx", "pb", "tflite", "dat",
    "wasm", "node", "map", "svg", "lockb",
];

const CODE_EXTENSIONS: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx", "go", "java", "kt", "kts", "scala",
    "groovy", "rb", "cs", "fs", "vb", "php", "rs", "swift", "c", "h", "cc", "cpp", "hpp", "m",
    "dart", "lua", "pl", "pm", "r", "ex", "exs", "erl", "clj", "vue", "svelte",
    // Not code, but bare words there are references or types, never literals.
    "tf", "hcl", "graphql", "gql",
];

const DOC_EXTENSIONS: &[&str] = &[
    "md", "markdown", "rst", "adoc", "asciidoc", "txt", "html", "htm",
];

/// Whether a file (display path) is worth scanning for secrets at all: not too large, not a
/// binary or archive, not a lockfile, not vendored code or SDK documentation.
pub fn should_scan(display_path: &str, size: u64) -> bool {
    if size == 0 || size > MAX_FILE_BYTES {
        return false;
    }
    let lower = display_path.to_ascii_lowercase();
    let parts: Vec<&str> = lower
        .split(['/', '\\', '!'])
        .filter(|p| !p.is_empty())
        .collect();
    let Some(name) = parts.last() else {
        return false;
    };
    let dirs = &parts[..parts.len() - 1];
    if dirs.iter().any(|d| SKIPPED_DIRS.contains(d))
        || dirs.windows(2).any(|w| {
            matches!(w[0], "botocore" | "boto3" | "aws-sdk") && matches!(w[1], "data" | "apis")
        })
        || SKIPPED_NAMES.contains(name)
        || name.ends_with(".d.ts")
        || name.ends_with(".d.mts")
        || name.contains(".min.")
        || name.ends_with("-min.js")
    {
        return false;
    }
    !BINARY_EXTENSIONS.contains(&extension(name))
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

pub(crate) fn file_kind(display_path: &str) -> FileKind {
    let lower = display_path.to_ascii_lowercase();
    let name = lower.rsplit(['/', '\\', '!']).next().unwrap_or("");
    let ext = extension(name);
    if CODE_EXTENSIONS.contains(&ext) {
        FileKind::Code
    } else if DOC_EXTENSIONS.contains(&ext) {
        FileKind::Docs
    } else {
        FileKind::Config
    }
}

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "fixture",
    "fixtures",
    "__fixtures__",
    "testdata",
    "test_data",
    "mocks",
    "__mocks__",
    "example",
    "examples",
    "sample",
    "samples",
    "doc",
    "docs",
    "testing",
    "e2e",
];

/// `true` for test code, fixtures, examples and documentation: secrets there are more often
/// fakes, so hits are one confidence level lower.
pub(crate) fn is_test_or_example(display_path: &str) -> bool {
    let lower = display_path.to_ascii_lowercase();
    let parts: Vec<&str> = lower
        .split(['/', '\\', '!'])
        .filter(|p| !p.is_empty())
        .collect();
    let Some(name) = parts.last() else {
        return false;
    };
    parts[..parts.len() - 1]
        .iter()
        .any(|d| TEST_DIRS.contains(d))
        || name.starts_with("test_")
        || name.starts_with("conftest.")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("test.java")
        || name.contains("tests.")
        || name.contains(".example")
        || name.contains(".sample")
        || file_kind(display_path) == FileKind::Docs
}
