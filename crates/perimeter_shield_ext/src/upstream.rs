//! The HTTP/1.1 client to the real Lambda APIs (Runtime API and Extensions API, both on
//! `AWS_LAMBDA_RUNTIME_API`): one pooled keep-alive client with Nagle off, since every call is on the
//! invocation's critical path.

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Request bodies: streamed from the runtime, or built here.
pub type Body = BoxBody<Bytes, hyper::Error>;
pub type Client = LegacyClient<HttpConnector, Body>;

/// Errors talking to the Lambda APIs.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("Lambda API request failed: {0}")]
    Request(#[from] hyper_util::client::legacy::Error),
    #[error("Lambda API body failed: {0}")]
    Body(#[from] hyper::Error),
    #[error("Lambda API answered {status} to {what}")]
    Status { what: &'static str, status: u16 },
    #[error("bad Lambda API request: {0}")]
    Http(#[from] hyper::http::Error),
    #[error("Lambda API answer missing {0}")]
    Missing(&'static str),
}

pub fn client() -> Client {
    let mut conn = HttpConnector::new();
    conn.set_nodelay(true);
    LegacyClient::builder(TokioExecutor::new())
        .pool_max_idle_per_host(4)
        .build(conn)
}

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}
