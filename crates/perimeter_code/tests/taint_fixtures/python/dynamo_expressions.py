"""Search orders with DynamoDB expressions built from the query string."""
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
client = boto3.client("dynamodb")


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    status = params.get("status", "open")
    # ruleid: INJ005
    table.scan(FilterExpression=f"order_status = {status}")
    # ok: INJ005
    table.scan(FilterExpression="order_status = :s", ExpressionAttributeValues={":s": status})
    # ruleid: INJ005
    client.update_item(TableName=os.environ["TABLE"], Key={"id": {"S": "1"}}, UpdateExpression="SET " + params["field"] + " = :v")
    # ok: INJ005
    client.query(TableName=os.environ["TABLE"], KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": status}})
    return {"statusCode": 200}
