"""S3 ObjectCreated on the attachments bucket: record each file's size and digest."""
import hashlib
import json
import os
import urllib.parse

import boto3
from aws_lambda_powertools import Logger, Tracer

logger = Logger()
tracer = Tracer()
s3 = boto3.client("s3")
RESULTS_BUCKET = os.environ["RESULTS_BUCKET"]
MAX_BYTES = 20 * 1024 * 1024


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        size = record["s3"]["object"].get("size", 0)
        if size > MAX_BYTES:
            logger.warning("attachment too large, skipped", extra={"key": key, "size": size})
            continue
        # The object is read in memory through the SDK: no shell, no local path built from the key.
        digest = hashlib.sha256()
        for chunk in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(1024 * 1024):
            digest.update(chunk)
        index = {"key": key, "size": size, "sha256": digest.hexdigest()}
        # Results go to another bucket, which triggers nothing.
        s3.put_object(Bucket=RESULTS_BUCKET, Key=digest.hexdigest() + ".json", Body=json.dumps(index))
