//! A minimal client of the Lambda Runtime API (HTTP/1.1 on the loopback address Lambda gives
//! in `AWS_LAMBDA_RUNTIME_API`): the documented contract is three calls, so a few lines of
//! `std::net` do it and keep an HTTP stack out of the binary.
//!
//! - `GET /2018-06-01/runtime/invocation/next` (long poll) → the event, with
//!   `Lambda-Runtime-Aws-Request-Id` and `Lambda-Runtime-Invoked-Function-Arn`;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` with the result;
//! - `POST /2018-06-01/runtime/invocation/{id}/error` (and `/runtime/init/error`) with
//!   `{"errorMessage", "errorType"}` and the `Lambda-Runtime-Function-Error-Type` header.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Largest event or response body read (Lambda's own payload limit is 6 MB).
const MAX_BODY: usize = 8 * 1024 * 1024;
const VERSION: &str = "2018-06-01";

/// One invocation.
#[derive(Debug)]
pub struct Invocation {
    pub request_id: String,
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`, when Lambda sent it.
    pub function_arn: Option<String>,
    pub event: Vec<u8>,
}

/// The Runtime API at `host:port`.
pub struct RuntimeApi {
    address: String,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl RuntimeApi {
    pub fn new(address: impl Into<String>) -> RuntimeApi {
        RuntimeApi {
            address: address.into(),
        }
    }

    /// Waits for the next event.
    pub fn next(&self) -> Result<Invocation> {
        let response = self.request(
            "GET",
            &format!("/{VERSION}/runtime/invocation/next"),
            &[],
            b"",
        )?;
        if response.status != 200 {
            bail!(
                "Runtime API: next invocation answered HTTP {}",
                response.status
            );
        }
        let request_id = response
            .header("Lambda-Runtime-Aws-Request-Id")
            .context("Runtime API: no Lambda-Runtime-Aws-Request-Id header")?
            .to_string();
        // The id goes into a request path: refuse anything that could break out of it.
        if request_id.is_empty()
            || !request_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            bail!("Runtime API: malformed request id");
        }
        Ok(Invocation {
            function_arn: response
                .header("Lambda-Runtime-Invoked-Function-Arn")
                .map(str::to_string),
            request_id,
            event: response.body,
        })
    }

    /// Sends the result of invocation `id`.
    pub fn respond(&self, id: &str, body: &[u8]) -> Result<()> {
        let r = self.request(
            "POST",
            &format!("/{VERSION}/runtime/invocation/{id}/response"),
            &[],
            body,
        )?;
        expect_accepted(r.status, "response")
    }

    /// Reports that invocation `id` failed.
    pub fn fail(&self, id: &str, error_type: &str, message: &str) -> Result<()> {
        let body = error_body(error_type, message);
        let r = self.request(
            "POST",
            &format!("/{VERSION}/runtime/invocation/{id}/error"),
            &[("Lambda-Runtime-Function-Error-Type", error_type)],
            &body,
        )?;
        expect_accepted(r.status, "error")
    }

    /// Reports that the runtime could not start.
    pub fn init_error(&self, error_type: &str, message: &str) -> Result<()> {
        let body = error_body(error_type, message);
        let r = self.request(
            "POST",
            &format!("/{VERSION}/runtime/init/error"),
            &[("Lambda-Runtime-Function-Error-Type", error_type)],
            &body,
        )?;
        expect_accepted(r.status, "init error")
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response> {
        let mut stream = TcpStream::connect(&self.address)
            .with_context(|| format!("cannot connect to the Runtime API at {}", self.address))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.address,
            body.len()
        );
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        stream.flush()?;
        read_response(BufReader::new(stream))
    }
}

fn expect_accepted(status: u16, what: &str) -> Result<()> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        bail!("Runtime API refused the {what}: HTTP {status}")
    }
}

fn error_body(error_type: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "errorMessage": message,
        "errorType": error_type,
        "stackTrace": [],
    }))
    .unwrap_or_default()
}

fn read_response(mut reader: impl BufRead) -> Result<Response> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("Runtime API: malformed status line `{}`", line.trim()))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if headers.len() > 100 {
            bail!("Runtime API: too many headers");
        }
        if let Some((k, v)) = trimmed.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .context("Runtime API: malformed chunk size")?;
            if size == 0 {
                break;
            }
            if response.body.len() + size > MAX_BODY {
                bail!("Runtime API: body larger than {MAX_BODY} bytes");
            }
            let start = response.body.len();
            response.body.resize(start + size, 0);
            reader.read_exact(&mut response.body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
        }
    } else if let Some(length) = response.header("Content-Length") {
        let length: usize = length
            .parse()
            .context("Runtime API: malformed Content-Length")?;
        if length > MAX_BODY {
            bail!("Runtime API: body larger than {MAX_BODY} bytes");
        }
        response.body.resize(length, 0);
        reader.read_exact(&mut response.body)?;
    } else {
        reader
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut response.body)?;
        if response.body.len() > MAX_BODY {
            bail!("Runtime API: body larger than {MAX_BODY} bytes");
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_and_chunked_bodies() {
        let plain =
            b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_response(&plain[..]).unwrap();
        assert_eq!(
            (
                r.status,
                r.header("lambda-runtime-aws-request-id"),
                r.body.as_slice()
            ),
            (200, Some("abc"), &b"{}"[..])
        );
        let chunked = b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\"}\r\n0\r\n\r\n";
        let r = read_response(&chunked[..]).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (202, &b"{\"a\"}"[..]));
        assert!(read_response(&b"garbage\r\n\r\n"[..]).is_err());
    }
}
