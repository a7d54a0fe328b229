"""POST /photos: register an uploaded photo (DELIBERATELY VULNERABLE, do not deploy)."""
import json
import os
import uuid

import boto3
import yaml

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    owner = event["requestContext"]["authorizer"]["claims"]["sub"]
    # Clients send a crop box such as "(0, 0, 640, 480)".
    # VULN: eval of a request body field (INJ002)
    crop = eval(body.get("crop", "None"))
    # VULN: yaml.load without SafeLoader on request data, with PyYAML 5.3 (INJ003)
    exif = yaml.load(body.get("exif", "{}"), Loader=yaml.Loader)
    item = {
        "owner": owner,
        "photoId": str(uuid.uuid4()),
        "title": body.get("title", ""),
        "crop": json.dumps(crop),
        "exif": json.dumps(exif, default=str),
    }
    table.put_item(Item=item)
    return {"statusCode": 201, "body": json.dumps({"photoId": item["photoId"]})}
