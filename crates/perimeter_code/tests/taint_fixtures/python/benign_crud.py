import json
import logging
import os
import re
import uuid
from datetime import datetime

import boto3
from boto3.dynamodb.conditions import Key

logger = logging.getLogger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
sns = boto3.client("sns")
s3 = boto3.client("s3")
sfn = boto3.client("stepfunctions")
PATTERN = re.compile(r"^[a-z0-9-]+$")


def handler(event, context):
    logger.info("event: %s", json.dumps(event))
    body = json.loads(event.get("body") or "{}")
    item_id = event["pathParameters"]["id"]
    # Data stores with structured APIs: values are data, not code.
    table.put_item(Item={"id": str(uuid.uuid4()), "name": body.get("name"), "at": datetime.utcnow().isoformat()})
    result = table.query(KeyConditionExpression=Key("pk").eq(item_id))
    table.get_item(Key={"id": item_id})
    sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps(body))
    obj = s3.get_object(Bucket=os.environ["BUCKET"], Key=f"uploads/{item_id}.json")
    sfn.start_execution(stateMachineArn=os.environ["SM"], input=json.dumps(body))
    text = obj["Body"].read().decode("utf-8")
    position = text.find(item_id)
    matched = PATTERN.match(item_id)
    print(f"processing {item_id} at {position}: {matched}")
    with open("/tmp/last.json", "w") as fh:
        fh.write(json.dumps(body))
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"items": result["Items"], "text": text}),
    }
