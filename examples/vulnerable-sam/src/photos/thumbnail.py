"""S3 ObjectCreated: make a thumbnail and store it next to the original (DELIBERATELY VULNERABLE)."""
import os
import urllib.parse

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["UPLOAD_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + os.path.basename(key)
        s3.download_file(BUCKET, key, local)
        # VULN: OS command built from the S3 object key, which any uploader chooses (INJ001)
        os.system("convert '%s' -resize 200x200 /tmp/thumb.jpg" % local)
        # Every thumbnail is a new object in the same bucket, and the trigger has no prefix filter.
        # This is the recursion that DOW003 reports on template.yaml (UPLOAD_BUCKET of ThumbnailFunction).
        s3.upload_file("/tmp/thumb.jpg", BUCKET, "thumbnails/" + key)
