//! The hand-written exceptions: SDK-level helpers that are not API operations of a service
//! model, so the generated catalog cannot know them. This is the one place they are listed.
//!
//! Each helper is reported as an [`SdkCall`](perimeter_model::SdkCall) whose operation is the
//! helper's name prefixed with `@`; [`HELPERS`] says which API operations it performs, for the
//! action table. Helpers that are one-to-one aliases of an operation (lib-dynamodb's
//! `PutCommand`) are reported under the real operation instead ([`LIB_DYNAMODB`]).

use perimeter_model::Sdk;

/// One SDK helper.
#[derive(Debug, Clone, Copy)]
pub struct Helper {
    pub sdk: Sdk,
    /// botocore service name.
    pub service: &'static str,
    /// As reported in `SdkCall::operation` (`@upload_file`, `@DocumentClient.put`).
    pub name: &'static str,
    /// The API operations it performs.
    pub operations: &'static [&'static str],
}

const fn h(
    sdk: Sdk,
    service: &'static str,
    name: &'static str,
    operations: &'static [&'static str],
) -> Helper {
    Helper {
        sdk,
        service,
        name,
        operations,
    }
}

/// Every helper perimeter recognizes.
pub const HELPERS: &[Helper] = &[
    // boto3's S3 transfer manager, on clients, Bucket and Object resources.
    h(
        Sdk::Boto3,
        "s3",
        "@upload_file",
        &[
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    h(
        Sdk::Boto3,
        "s3",
        "@upload_fileobj",
        &[
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    h(
        Sdk::Boto3,
        "s3",
        "@download_file",
        &["GetObject", "HeadObject"],
    ),
    h(
        Sdk::Boto3,
        "s3",
        "@download_fileobj",
        &["GetObject", "HeadObject"],
    ),
    h(
        Sdk::Boto3,
        "s3",
        "@copy",
        &[
            "CopyObject",
            "HeadObject",
            "UploadPartCopy",
            "CreateMultipartUpload",
            "CompleteMultipartUpload",
        ],
    ),
    // A presigned URL carries the signer's permission for the operation it names: when the
    // operation is a literal the call is reported as that operation instead.
    h(Sdk::Boto3, "s3", "@generate_presigned_url", &[]),
    h(Sdk::Boto3, "s3", "@generate_presigned_post", &["PutObject"]),
    h(Sdk::Boto3, "dynamodb", "@batch_writer", &["BatchWriteItem"]),
    // JavaScript v2 DocumentClient methods.
    h(Sdk::JsV2, "dynamodb", "@DocumentClient.get", &["GetItem"]),
    h(Sdk::JsV2, "dynamodb", "@DocumentClient.put", &["PutItem"]),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.update",
        &["UpdateItem"],
    ),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.delete",
        &["DeleteItem"],
    ),
    h(Sdk::JsV2, "dynamodb", "@DocumentClient.query", &["Query"]),
    h(Sdk::JsV2, "dynamodb", "@DocumentClient.scan", &["Scan"]),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.batchGet",
        &["BatchGetItem"],
    ),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.batchWrite",
        &["BatchWriteItem"],
    ),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.transactGet",
        &["TransactGetItems"],
    ),
    h(
        Sdk::JsV2,
        "dynamodb",
        "@DocumentClient.transactWrite",
        &["TransactWriteItems"],
    ),
    // JavaScript v2 S3 managed upload and presigning.
    h(
        Sdk::JsV2,
        "s3",
        "@upload",
        &[
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    h(Sdk::JsV2, "s3", "@getSignedUrl", &[]),
    h(Sdk::JsV2, "s3", "@getSignedUrlPromise", &[]),
    h(Sdk::JsV2, "s3", "@createPresignedPost", &["PutObject"]),
    // JavaScript v3 @aws-sdk/lib-storage and @aws-sdk/s3-request-presigner.
    h(
        Sdk::JsV3,
        "s3",
        "@Upload",
        &[
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    h(Sdk::JsV3, "s3", "@getSignedUrl", &[]),
    // Go v2 feature/s3/manager.
    h(
        Sdk::GoV2,
        "s3",
        "@manager.Upload",
        &[
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
        ],
    ),
    h(Sdk::GoV2, "s3", "@manager.Download", &["GetObject"]),
];

/// `@aws-sdk/lib-dynamodb` commands (and `DynamoDBDocument` methods) and the operation each
/// one sends: reported as that operation.
pub const LIB_DYNAMODB: &[(&str, &str)] = &[
    ("Get", "GetItem"),
    ("Put", "PutItem"),
    ("Update", "UpdateItem"),
    ("Delete", "DeleteItem"),
    ("Query", "Query"),
    ("Scan", "Scan"),
    ("BatchGet", "BatchGetItem"),
    ("BatchWrite", "BatchWriteItem"),
    ("TransactGet", "TransactGetItems"),
    ("TransactWrite", "TransactWriteItems"),
    ("ExecuteStatement", "ExecuteStatement"),
    ("BatchExecuteStatement", "BatchExecuteStatement"),
    ("ExecuteTransaction", "ExecuteTransaction"),
];

/// The operation a lib-dynamodb command or `DynamoDBDocument` method name (`PutCommand`,
/// `put`) stands for.
pub fn lib_dynamodb_op(name: &str) -> Option<&'static str> {
    let base = name.strip_suffix("Command").unwrap_or(name);
    LIB_DYNAMODB
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(base))
        .map(|(_, op)| *op)
}

/// The helper `name` (without `@`) of `sdk` on `service`, when there is one.
pub fn helper(sdk: Sdk, service: &str, name: &str) -> Option<&'static Helper> {
    HELPERS
        .iter()
        .find(|h| h.sdk == sdk && h.service == service && &h.name[1..] == name)
}

/// For boto3's S3 transfer helpers: the positional index of the `Bucket` argument.
pub fn boto3_bucket_position(helper: &str) -> Option<usize> {
    match helper {
        "upload_file" | "upload_fileobj" | "copy" => Some(1),
        "download_file" | "download_fileobj" => Some(0),
        _ => None,
    }
}
