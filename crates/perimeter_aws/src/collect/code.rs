//! `--code`: each zip function's deployment package and each layer version it uses, downloaded
//! into memory, verified against `CodeSha256`, and read by the code stage
//! (`perimeter_code::scan_archive`) as soon as it arrives; only the code facts are kept, the
//! bytes are dropped. Nothing is written to disk and nothing of the code goes into the
//! snapshot.
//!
//! `GetFunction` gives a function's `Code.Location`, `GetLayerVersion` a layer's
//! `Content.Location` (presigned S3 URLs, valid about ten minutes, so each is fetched right
//! after it is asked for). A layer shared by several functions is read once. Image functions,
//! packages over the cap, failed calls and failed downloads are gaps; the scan goes on.

use super::Ctx;
use super::download::{self, DownloadError};
use super::gaps;
use aws_config::SdkConfig;
use aws_sdk_lambda::Client;
use futures_util::future::join_all;
use perimeter_code::{ArchiveRole, CodeOptions, ScannedArchive};
use perimeter_load::snapshot::{FunctionData, RegionData};
use perimeter_model::Model;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Downloads in flight at most: each holds up to the archive cap in memory until it is read.
const DOWNLOADS_IN_FLIGHT: usize = 4;

/// Time allowed for one download (50 MB over a slow link).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// Test only: when set to a loopback `http://` base URL, packages are fetched from
/// `{base}/function/{name}` and `{base}/layer/{layer-name}/{version}` instead of the
/// presigned URLs (emulators such as moto return URLs that cannot be fetched). Any other
/// value is ignored. The bytes must still match the `CodeSha256` the API reported.
pub const TEST_BASE_URL_ENV: &str = "PERIMETER_TEST_CODE_BASE_URL";

/// What `--code` read: per function ARN its package, per layer version ARN its content.
#[derive(Debug, Default)]
pub struct CodeScan {
    pub functions: BTreeMap<String, FunctionPackage>,
    pub layers: BTreeMap<String, ScannedArchive>,
}

/// A function's package, read, and the layer versions it uses.
#[derive(Debug)]
pub struct FunctionPackage {
    pub scanned: ScannedArchive,
    /// Layer version ARNs in the function's configuration order.
    pub layers: Vec<String>,
}

impl CodeScan {
    /// Puts the code facts into a model built from the same snapshot: each function (found by
    /// its ARN, the location of everything read from it) gets its `code`, and its app the
    /// package and layer bundles (ids are the ARNs, so display paths read
    /// `arn:aws:lambda:…:function:NAME!/src/app.py`).
    pub fn attach(&self, model: &mut Model) {
        for app in &mut model.apps {
            let mut bundles = Vec::new();
            for f in &mut app.functions {
                let Some(package) = self.functions.get(&f.location.file) else {
                    continue;
                };
                let Some(mut code) = package.scanned.function.clone() else {
                    continue;
                };
                code.layers = package
                    .layers
                    .iter()
                    .filter(|l| self.layers.contains_key(*l))
                    .cloned()
                    .collect();
                for layer in &code.layers {
                    if let Some(scanned) = self.layers.get(layer) {
                        bundles.push(scanned.bundle.clone());
                    }
                }
                bundles.push(package.scanned.bundle.clone());
                f.code = Some(code);
            }
            for b in bundles {
                if !app.code.iter().any(|x| x.id == b.id) {
                    app.code.push(b);
                }
            }
            app.code.sort_by(|a, b| a.id.cmp(&b.id));
        }
    }
}

/// Shared by the region reads: the HTTP client, the download bound, the caps, the layers
/// already read.
pub(crate) struct Downloader {
    client: Option<reqwest::Client>,
    slots: Semaphore,
    options: CodeOptions,
    test_base: Option<String>,
    scan: Mutex<CodeScan>,
    /// Layer versions asked for (read or failed), so each is fetched once.
    layers_seen: Mutex<BTreeSet<String>>,
}

impl Downloader {
    pub(crate) fn new(ctx: &Ctx, options: CodeOptions) -> Downloader {
        let client = match download::client(DOWNLOAD_TIMEOUT) {
            Ok(c) => Some(c),
            Err(e) => {
                ctx.gap(format!(
                    "no code is scanned: cannot start the HTTPS client ({e})"
                ));
                None
            }
        };
        Downloader {
            client,
            slots: Semaphore::new(DOWNLOADS_IN_FLIGHT),
            options,
            test_base: test_base_url(),
            scan: Mutex::new(CodeScan::default()),
            layers_seen: Mutex::new(BTreeSet::new()),
        }
    }

    pub(crate) fn into_scan(self) -> CodeScan {
        self.scan.into_inner().unwrap_or_default()
    }

    /// Reads the code of every function of the region and of the layers they use.
    pub(crate) async fn read_region(&self, ctx: &Ctx, conf: &SdkConfig, data: &RegionData) {
        let client = Client::new(conf);
        join_all(
            data.functions
                .iter()
                .map(|f| self.function(ctx, &client, f)),
        )
        .await;
        let mut layers: Vec<&str> = data
            .functions
            .iter()
            .filter(|f| !is_image(f))
            .flat_map(|f| f.layers.iter().map(String::as_str))
            .collect();
        layers.sort();
        layers.dedup();
        join_all(layers.into_iter().map(|l| self.layer(ctx, &client, l))).await;
    }

    async fn function(&self, ctx: &Ctx, client: &Client, f: &FunctionData) {
        if is_image(f) {
            ctx.gap(format!(
                "code of image function {} is not scanned: container images are not downloaded",
                f.name
            ));
            return;
        }
        let what = format!("function {}", f.name);
        let max = self.options.archive.max_archive_bytes;
        if let Some(size) = f.code_size.filter(|s| *s > max) {
            ctx.gap(not_scanned(
                &what,
                &DownloadError::TooLarge { size, max }.to_string(),
            ));
            return;
        }
        let Some(sha) = f.code_sha256.as_deref() else {
            ctx.gap(not_scanned(
                &what,
                &DownloadError::NoExpectedHash.to_string(),
            ));
            return;
        };
        // The download slot is taken before asking for the URL: a presigned URL is valid for
        // about ten minutes, so it must not wait behind other downloads.
        let Ok(_slot) = self.slots.acquire().await else {
            return;
        };
        let answer = {
            let _permit = ctx.permit().await;
            client.get_function().function_name(&f.name).send().await
        };
        let location = match answer {
            Ok(out) => out.code().and_then(|c| c.location()).map(str::to_string),
            Err(e) => {
                ctx.gap(gaps::sentence(
                    &format!("the deployment package of {what}"),
                    "lambda:GetFunction",
                    "secret, dependency and injection findings in its code may be missing",
                    &gaps::classify(&e),
                ));
                return;
            }
        };
        let url = match &self.test_base {
            Some(base) => Some(format!("{base}/function/{}", f.name)),
            None => location,
        };
        let Some(url) = url else {
            ctx.gap(not_scanned(&what, "GetFunction gave no Code.Location"));
            return;
        };
        let role = ArchiveRole::Function {
            handler: f.handler.as_deref(),
            runtime: f.runtime.as_deref(),
        };
        let Some(scanned) = self
            .fetch_and_read(ctx, &what, &f.arn, &url, sha, role)
            .await
        else {
            return;
        };
        if let Ok(mut scan) = self.scan.lock() {
            scan.functions.insert(
                f.arn.clone(),
                FunctionPackage {
                    scanned,
                    layers: f.layers.clone(),
                },
            );
        }
    }

    async fn layer(&self, ctx: &Ctx, client: &Client, arn: &str) {
        if let Ok(mut seen) = self.layers_seen.lock()
            && !seen.insert(arn.to_string())
        {
            return;
        }
        let what = format!("layer {arn}");
        // `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`: the unversioned ARN names the
        // layer (also another account's), the last part is the version.
        let Some((layer_arn, version)) = arn
            .rsplit_once(':')
            .and_then(|(l, v)| v.parse::<i64>().ok().map(|v| (l, v)))
        else {
            ctx.gap(not_scanned(&what, "not a layer version ARN"));
            return;
        };
        let Ok(_slot) = self.slots.acquire().await else {
            return;
        };
        let answer = {
            let _permit = ctx.permit().await;
            client
                .get_layer_version()
                .layer_name(layer_arn)
                .version_number(version)
                .send()
                .await
        };
        let (location, sha, size) = match answer {
            Ok(out) => {
                let content = out.content();
                (
                    content.and_then(|c| c.location()).map(str::to_string),
                    content.and_then(|c| c.code_sha256()).map(str::to_string),
                    content.map(|c| c.code_size()),
                )
            }
            Err(e) => {
                ctx.gap(gaps::sentence(
                    &format!("the content of {what}"),
                    "lambda:GetLayerVersion",
                    "secret and dependency findings in the layer may be missing",
                    &gaps::classify(&e),
                ));
                return;
            }
        };
        let max = self.options.archive.max_archive_bytes;
        if let Some(size) = size
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > max)
        {
            ctx.gap(not_scanned(
                &what,
                &DownloadError::TooLarge { size, max }.to_string(),
            ));
            return;
        }
        let Some(sha) = sha else {
            ctx.gap(not_scanned(
                &what,
                &DownloadError::NoExpectedHash.to_string(),
            ));
            return;
        };
        let url = match &self.test_base {
            Some(base) => {
                let name = layer_arn.rsplit(':').next().unwrap_or(layer_arn);
                Some(format!("{base}/layer/{name}/{version}"))
            }
            None => location,
        };
        let Some(url) = url else {
            ctx.gap(not_scanned(
                &what,
                "GetLayerVersion gave no Content.Location",
            ));
            return;
        };
        if let Some(scanned) = self
            .fetch_and_read(ctx, &what, arn, &url, &sha, ArchiveRole::Layer)
            .await
            && let Ok(mut scan) = self.scan.lock()
        {
            scan.layers.insert(arn.to_string(), scanned);
        }
    }

    /// Downloads (the caller holds a download slot), verifies, and reads the archive off the
    /// async threads; archive problems (zip bombs, zip slip, caps) become gaps.
    async fn fetch_and_read(
        &self,
        ctx: &Ctx,
        what: &str,
        id: &str,
        url: &str,
        sha: &str,
        role: ArchiveRole<'_>,
    ) -> Option<ScannedArchive> {
        let client = self.client.as_ref()?;
        let max = self.options.archive.max_archive_bytes;
        let downloaded = {
            let _permit = ctx.permit().await;
            download::download(client, url, sha, max).await
        };
        let bytes = match downloaded {
            Ok(b) => b,
            Err(e) => {
                ctx.gap(not_scanned(what, &e.to_string()));
                return None;
            }
        };
        let options = self.options.clone();
        let owned_id = id.to_string();
        let owned_role = OwnedRole::of(&role);
        let scanned = tokio::task::spawn_blocking(move || {
            perimeter_code::scan_archive(&owned_id, bytes, owned_role.as_role(), &options)
        })
        .await;
        let scanned = match scanned {
            Ok(s) => s,
            Err(e) => {
                ctx.gap(not_scanned(what, &format!("reading it failed ({e})")));
                return None;
            }
        };
        for e in &scanned.errors {
            // Errors about the archive as a whole name its id, which `what` already says.
            let place = if e.file == id {
                String::new()
            } else {
                format!("{}: ", e.file)
            };
            ctx.gap(format!(
                "code of {what} is not fully scanned: {place}{}: findings in it may be missing",
                e.message
            ));
        }
        Some(scanned)
    }
}

/// [`ArchiveRole`] with owned strings, to move into the blocking task.
enum OwnedRole {
    Function {
        handler: Option<String>,
        runtime: Option<String>,
    },
    Layer,
}

impl OwnedRole {
    fn of(role: &ArchiveRole<'_>) -> OwnedRole {
        match role {
            ArchiveRole::Function { handler, runtime } => OwnedRole::Function {
                handler: handler.map(str::to_string),
                runtime: runtime.map(str::to_string),
            },
            ArchiveRole::Layer => OwnedRole::Layer,
        }
    }

    fn as_role(&self) -> ArchiveRole<'_> {
        match self {
            OwnedRole::Function { handler, runtime } => ArchiveRole::Function {
                handler: handler.as_deref(),
                runtime: runtime.as_deref(),
            },
            OwnedRole::Layer => ArchiveRole::Layer,
        }
    }
}

fn is_image(f: &FunctionData) -> bool {
    f.package_type.as_deref() == Some("Image")
}

fn not_scanned(what: &str, why: &str) -> String {
    format!("code of {what} is not scanned: {why}")
}

/// [`TEST_BASE_URL_ENV`] when it names a loopback `http://` URL.
fn test_base_url() -> Option<String> {
    let value = std::env::var(TEST_BASE_URL_ENV).ok()?;
    let url = reqwest::Url::parse(&value).ok()?;
    (url.scheme() == "http" && download::allowed(&url))
        .then(|| value.trim_end_matches('/').to_string())
}
