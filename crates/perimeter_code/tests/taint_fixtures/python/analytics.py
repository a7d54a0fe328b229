import os

import boto3

athena = boto3.client("athena")
rds = boto3.client("rds-data")


def handler(event, context):
    day = event["queryStringParameters"]["day"]
    # ruleid: INJ004
    athena.start_query_execution(
        QueryString=f"SELECT * FROM events WHERE day = '{day}'",
        WorkGroup="primary",
    )
    # ruleid: INJ004
    rds.execute_statement(
        resourceArn=os.environ["CLUSTER"],
        secretArn=os.environ["SECRET"],
        sql="SELECT * FROM sales WHERE day = '" + day + "'",
    )
    # ok: INJ004
    rds.execute_statement(
        resourceArn=os.environ["CLUSTER"],
        secretArn=os.environ["SECRET"],
        sql="SELECT * FROM sales WHERE day = :day",
        parameters=[{"name": "day", "value": {"stringValue": day}}],
    )
    return {"statusCode": 200}
