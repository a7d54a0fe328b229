//! Writing scan results to S3 (the Lambda mode's output): one object per scan.

use crate::enforce::{Connect, EnforceError, Session};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;

/// An S3 writer for one account.
pub struct Output {
    session: Session,
    s3: aws_sdk_s3::Client,
}

impl Output {
    pub fn connect(connect: &Connect) -> Result<Output, EnforceError> {
        let session = Session::open(connect)?;
        // Path-style addressing works with every endpoint (emulators, VPC endpoints, bucket
        // names with dots) and costs nothing on AWS.
        let config = aws_sdk_s3::config::Builder::from(&session.config)
            .force_path_style(true)
            .build();
        let s3 = aws_sdk_s3::Client::from_conf(config);
        Ok(Output { session, s3 })
    }

    /// Writes `body` (JSON) to `s3://bucket/key`.
    pub fn put_json(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), EnforceError> {
        self.session.runtime.block_on(async {
            self.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/json")
                .body(ByteStream::from(body))
                .send()
                .await
                .map_err(|e| EnforceError::Call {
                    operation: "PutObject",
                    target: format!("s3://{bucket}/{key}"),
                    message: DisplayErrorContext(&e).to_string(),
                })?;
            Ok(())
        })
    }
}
