"""GET /orders: search and export orders (DELIBERATELY VULNERABLE, do not deploy)."""
import os
import sqlite3

import boto3

# VULN: live payment key written into the code (SEC003)
STRIPE_KEY = "sk_live_Qm7tR2vXk9LpW4sZ8nB3yH6c"

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    customer = params.get("customer", "")
    db = sqlite3.connect("/tmp/cache.db")
    # VULN: SQL built by string formatting from the query string (INJ004)
    rows = db.execute("SELECT id, total FROM orders WHERE customer = '%s'" % customer).fetchall()
    # VULN: shell command built from the query string (INJ001)
    os.system("gzip -c /tmp/cache.db > /tmp/%s.gz" % customer)
    TABLE.put_item(Item={"id": customer, "count": len(rows)})
    return {"statusCode": 200, "body": str(rows)}
