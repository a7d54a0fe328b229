import json
import os
import sqlite3

import boto3
import psycopg2
import pymongo

conn = psycopg2.connect(os.environ["DATABASE_URL"])
mongo = pymongo.MongoClient(os.environ["MONGO_URL"])
orders = mongo.shop.orders
ddb = boto3.client("dynamodb")


def find_customer(cursor, customer_id):
    query = "SELECT * FROM customers WHERE id = '{}'".format(customer_id)
    # ruleid: INJ004
    cursor.execute(query)
    return cursor.fetchone()


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    status = params.get("status", "open")
    cur = conn.cursor()
    # ruleid: INJ004
    cur.execute("SELECT id FROM orders WHERE status = '" + status + "'")
    # ok: INJ004
    cur.execute("SELECT id FROM orders WHERE status = %s", (status,))
    # ok: INJ004
    cur.execute("SELECT count(*) FROM orders")
    customer = find_customer(cur, params["customer"])
    limit = int(params.get("limit", "10"))
    # ok: INJ004
    cur.execute(f"SELECT id FROM orders LIMIT {limit}")
    sort = params.get("sort", "created")
    sql = "SELECT id FROM orders ORDER BY "
    sql += sort
    # ruleid: INJ004
    cur.executemany(sql, [])
    # ruleid: INJ004
    Order.objects.raw("SELECT * FROM orders WHERE region = '%s'" % params["region"])
    db = sqlite3.connect("/tmp/cache.db")
    # ruleid: INJ004
    db.execute(f"DELETE FROM cache WHERE key = '{params['key']}'")

    body = json.loads(event["body"])
    # ruleid: INJ005
    orders.find(body["filter"])
    # ruleid: INJ005
    orders.find_one({"customer": body["customer"]})
    # ok: INJ005
    orders.find_one({"customer": str(body["customer"])})
    # ruleid: INJ005
    orders.find({"$where": "this.total > " + params["min"]})
    # ok: INJ005
    orders.find({"status": "open"})
    # ruleid: INJ005
    ddb.execute_statement(Statement=f"SELECT * FROM Orders WHERE id = '{params['id']}'")
    # ok: INJ005
    ddb.execute_statement(
        Statement="SELECT * FROM Orders WHERE id = ?",
        Parameters=[{"S": params["id"]}],
    )
    return {"statusCode": 200, "body": json.dumps(customer)}
