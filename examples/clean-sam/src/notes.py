"""Notes API handlers: each user reads and writes only their own notes."""
import hashlib
import hmac
import json
import os
import uuid

import boto3
from aws_lambda_powertools import Logger, Tracer
from boto3.dynamodb.conditions import Key

logger = Logger()
tracer = Tracer()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

MAX_TITLE = 200
MAX_BODY = 10_000


def _owner(event):
    # Set by the Cognito authorizer after it verified the token.
    return event["requestContext"]["authorizer"]["claims"]["sub"]


def _response(status, payload):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def list_notes(event, context):
    params = event.get("queryStringParameters") or {}
    try:
        limit = max(1, min(int(params.get("limit", "20")), 100))
    except ValueError:
        return _response(400, {"error": "limit must be a number"})
    # Parameterized key condition: the owner comes from the verified token, not the request.
    result = table.query(KeyConditionExpression=Key("owner").eq(_owner(event)), Limit=limit)
    return _response(200, [{"id": i["noteId"], "title": i["title"]} for i in result["Items"]])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def create_note(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return _response(400, {"error": "body must be JSON"})
    title, text = body.get("title"), body.get("text", "")
    if not isinstance(title, str) or not isinstance(text, str) or len(title) > MAX_TITLE or len(text) > MAX_BODY:
        return _response(400, {"error": "title and text must be short strings"})
    note = {"owner": _owner(event), "noteId": str(uuid.uuid4()), "title": title, "text": text}
    table.put_item(Item=note)
    # Signature a downstream webhook consumer can check; the key never leaves this process.
    key = os.environ["WEBHOOK_SIGNING_KEY"].encode()
    signature = hmac.new(key, note["noteId"].encode(), hashlib.sha256).hexdigest()
    logger.info("note created", extra={"note_id": note["noteId"]})
    return _response(201, {"id": note["noteId"], "signature": signature})
