"""GET /photos: public listing and search of photos (DELIBERATELY VULNERABLE, do not deploy)."""
import json
import os

import pymysql

# Connection reused across warm invocations.
_conn = None


def _db():
    global _conn
    if _conn is None:
        _conn = pymysql.connect(
            host=os.environ["DB_HOST"],
            user=os.environ["DB_USER"],
            password=os.environ["DB_PASSWORD"],
            database="snapshare",
        )
    return _conn


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    tag = params.get("tag", "")
    order = params.get("order", "created_at")
    sql = "SELECT id, owner, title FROM photos WHERE tag = '%s' ORDER BY %s" % (tag, order)
    with _db().cursor() as cur:
        # VULN: SQL built by string formatting from the query string, executed as is (INJ004)
        cur.execute(sql)
        rows = cur.fetchall()
    return {
        "statusCode": 200,
        "headers": {"Access-Control-Allow-Origin": "*"},
        "body": json.dumps([{"id": r[0], "owner": r[1], "title": r[2]} for r in rows]),
    }
