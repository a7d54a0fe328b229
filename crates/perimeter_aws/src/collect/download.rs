//! Downloading one deployment package or layer into memory: `(URL, expected SHA-256, cap)` in,
//! verified bytes out, nothing written to disk.
//!
//! The URL is the presigned S3 URL Lambda returns (`Code.Location`, `Content.Location`, valid
//! about ten minutes). The cap is checked twice: against `Content-Length` before reading, and
//! on the bytes received while streaming (a missing or lying header cannot make it read more).
//! The bytes must hash to the `CodeSha256` the configuration gives (base64 SHA-256), else they
//! are refused: what is scanned is what is deployed. Plain `http://` is refused except on a
//! loopback address (emulators and tests); proxies come from the usual `HTTPS_PROXY` /
//! `HTTP_PROXY` / `NO_PROXY` environment (reqwest's system proxy support).

use base64::Engine;
use sha2::{Digest, Sha256};
use std::time::Duration;
use thiserror::Error;

/// Why a package was not downloaded (each becomes a gap).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DownloadError {
    #[error("the download URL is not usable: {0}")]
    BadUrl(String),
    #[error("the download failed: {0}")]
    Http(String),
    #[error("the download answered HTTP {0}")]
    Status(u16),
    #[error("the package is {size} bytes, over the {max}-byte limit")]
    TooLarge { size: u64, max: u64 },
    #[error("the package is over the {max}-byte limit (stopped while downloading)")]
    TooLargeStreamed { max: u64 },
    #[error("no usable CodeSha256 to verify the package against")]
    NoExpectedHash,
    #[error(
        "the bytes downloaded do not match the deployed CodeSha256 (expected {expected}, got {actual}): refused"
    )]
    HashMismatch { expected: String, actual: String },
}

/// An HTTPS client for package downloads: rustls, the environment's proxies, timeouts.
pub fn client(timeout: Duration) -> Result<reqwest::Client, DownloadError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(timeout)
        // Presigned S3 URLs do not redirect; a few hops are tolerated for proxies.
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("perimeter/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DownloadError::Http(e.to_string()))
}

/// Whether `url` may be fetched: `https://` anywhere, `http://` only on a loopback host.
pub fn allowed(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => url.host_str().is_some_and(|h| {
            h.eq_ignore_ascii_case("localhost")
                || h.trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    }
}

/// Downloads `url` (at most `max_bytes`) and checks it against `expected_sha256`, the base64
/// SHA-256 Lambda reports.
pub async fn download(
    client: &reqwest::Client,
    url: &str,
    expected_sha256: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, DownloadError> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(expected_sha256.trim())
        .ok()
        .filter(|d| d.len() == 32)
        .ok_or(DownloadError::NoExpectedHash)?;
    let parsed = reqwest::Url::parse(url).map_err(|e| DownloadError::BadUrl(e.to_string()))?;
    if !allowed(&parsed) {
        return Err(DownloadError::BadUrl(format!(
            "`{}://` URLs are not fetched (https only; http on loopback)",
            parsed.scheme()
        )));
    }
    let mut response = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| DownloadError::Http(short(&e)))?;
    if !response.status().is_success() {
        return Err(DownloadError::Status(response.status().as_u16()));
    }
    if let Some(size) = response.content_length()
        && size > max_bytes
    {
        return Err(DownloadError::TooLarge {
            size,
            max: max_bytes,
        });
    }
    let initial = response.content_length().unwrap_or(0).min(max_bytes);
    let mut bytes: Vec<u8> = Vec::with_capacity(initial.min(64 * 1024 * 1024) as usize);
    let mut hasher = Sha256::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| DownloadError::Http(short(&e)))?
    {
        if bytes.len() as u64 + chunk.len() as u64 > max_bytes {
            return Err(DownloadError::TooLargeStreamed { max: max_bytes });
        }
        hasher.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    let actual = hasher.finalize();
    if actual.as_slice() != expected.as_slice() {
        return Err(DownloadError::HashMismatch {
            expected: expected_sha256.trim().to_string(),
            actual: base64::engine::general_purpose::STANDARD.encode(actual),
        });
    }
    Ok(bytes)
}

/// reqwest's error without the URL (a presigned URL carries a signature: keep it out of
/// messages and snapshots).
fn short(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "request error"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(e);
    // The innermost cause is the informative one (DNS, TLS, connection refused).
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(l) = last {
        text.push_str(": ");
        text.push_str(&l);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-shot loopback HTTP server answering every request with `response` (raw bytes).
    fn serve(response: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(4) {
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(&response);
                let _ = s.flush();
            }
        });
        format!("http://{addr}/package.zip?X-Amz-Signature=secret")
    }

    fn ok(body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    fn sha(body: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body))
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn get(url: &str, expected: &str, max: u64) -> Result<Vec<u8>, DownloadError> {
        run(async {
            let c = client(Duration::from_secs(10)).unwrap();
            download(&c, url, expected, max).await
        })
    }

    #[test]
    fn verified_bytes_come_back() {
        let body = b"PK\x03\x04 pretend zip".to_vec();
        let url = serve(ok(&body));
        assert_eq!(get(&url, &sha(&body), 1024), Ok(body));
    }

    #[test]
    fn a_hash_mismatch_is_refused() {
        let body = b"tampered".to_vec();
        let url = serve(ok(&body));
        let err = get(&url, &sha(b"original"), 1024).unwrap_err();
        assert!(matches!(err, DownloadError::HashMismatch { .. }), "{err}");
        assert!(err.to_string().contains("refused"));
    }

    #[test]
    fn content_length_over_the_cap_is_refused_before_reading() {
        let body = vec![b'x'; 2048];
        let url = serve(ok(&body));
        assert_eq!(
            get(&url, &sha(&body), 1024),
            Err(DownloadError::TooLarge {
                size: 2048,
                max: 1024
            })
        );
    }

    #[test]
    fn a_body_without_length_is_capped_while_streaming() {
        // No Content-Length: the body runs until the connection closes.
        let body = vec![b'x'; 4096];
        let mut response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        response.extend_from_slice(&body);
        let url = serve(response);
        assert_eq!(
            get(&url, &sha(&body), 1024),
            Err(DownloadError::TooLargeStreamed { max: 1024 })
        );
    }

    #[test]
    fn http_errors_and_bad_urls_are_reported_without_the_url() {
        let url = serve(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        );
        assert_eq!(get(&url, &sha(b""), 1024), Err(DownloadError::Status(403)));
        let plain = get("http://example.com/x.zip", &sha(b""), 1024).unwrap_err();
        assert!(matches!(plain, DownloadError::BadUrl(_)), "{plain}");
        assert_eq!(
            get("https://example.com/x", "not base64!", 1024),
            Err(DownloadError::NoExpectedHash)
        );
        // Nothing listens on port 9 of loopback (discard is not served in CI).
        let refused = get(
            "http://127.0.0.1:9/x.zip?X-Amz-Signature=secret",
            &sha(b""),
            1024,
        )
        .unwrap_err();
        assert!(!refused.to_string().contains("Signature"), "{refused}");
    }
}
