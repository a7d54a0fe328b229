//! The Extensions API side: register, wait for `INVOKE`/`SHUTDOWN`, report errors before exiting.
//!
//! Contract: <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html>.

use http_body_util::BodyExt;
use hyper::{Method, Request};
use serde::Deserialize;

use crate::upstream::{Client, UpstreamError, empty, full};

const BASE: &str = "/2020-01-01/extension";

/// What `register` answers (the fields used).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    #[serde(default)]
    pub function_name: String,
    #[serde(default)]
    pub function_version: String,
}

/// An event from `event/next`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtEvent {
    pub event_type: String,
    #[serde(default)]
    pub deadline_ms: Option<u64>,
}

/// A registered extension.
pub struct Extension {
    client: Client,
    api: String,
    id: String,
}

impl Extension {
    /// Registers `name` (must be the executable's file name) for INVOKE and SHUTDOWN.
    pub async fn register(
        client: Client,
        api: &str,
        name: &str,
    ) -> Result<(Extension, Registration), UpstreamError> {
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("http://{api}{BASE}/register"))
            .header("Lambda-Extension-Name", name)
            .header("content-type", "application/json")
            .body(full(r#"{"events":["INVOKE","SHUTDOWN"]}"#))?;
        let resp = client.request(req).await?;
        if !resp.status().is_success() {
            return Err(UpstreamError::Status {
                what: "register",
                status: resp.status().as_u16(),
            });
        }
        let id = resp
            .headers()
            .get("Lambda-Extension-Identifier")
            .and_then(|v| v.to_str().ok())
            .ok_or(UpstreamError::Missing("Lambda-Extension-Identifier"))?
            .to_string();
        let body = resp.into_body().collect().await?.to_bytes();
        let reg = serde_json::from_slice(&body).unwrap_or_default();
        Ok((
            Extension {
                client,
                api: api.to_string(),
                id,
            },
            reg,
        ))
    }

    /// Long-polls for the next lifecycle event.
    pub async fn next(&self) -> Result<ExtEvent, UpstreamError> {
        let req = Request::builder()
            .method(Method::GET)
            .uri(format!("http://{}{BASE}/event/next", self.api))
            .header("Lambda-Extension-Identifier", &self.id)
            .body(empty())?;
        let resp = self.client.request(req).await?;
        if !resp.status().is_success() {
            return Err(UpstreamError::Status {
                what: "event/next",
                status: resp.status().as_u16(),
            });
        }
        let body = resp.into_body().collect().await?.to_bytes();
        serde_json::from_slice(&body).map_err(|_| UpstreamError::Missing("eventType"))
    }

    /// Reports an error (`init/error` or `exit/error`) before the process exits.
    pub async fn report_error(
        &self,
        phase: &str,
        error_type: &str,
        message: &str,
    ) -> Result<(), UpstreamError> {
        let body =
            serde_json::json!({"errorMessage": message, "errorType": error_type}).to_string();
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("http://{}{BASE}/{phase}/error", self.api))
            .header("Lambda-Extension-Identifier", &self.id)
            .header("Lambda-Extension-Function-Error-Type", error_type)
            .header("content-type", "application/json")
            .body(full(body))?;
        let resp = self.client.request(req).await?;
        let _ = resp.into_body().collect().await;
        Ok(())
    }
}
