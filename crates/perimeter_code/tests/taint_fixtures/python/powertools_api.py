# handler: lambda_handler
import os
import subprocess

import requests
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

logger = Logger()
app = APIGatewayRestResolver()


@app.get("/hosts/<host>/ping")
def ping(host: str):
    # ruleid: INJ001
    output = subprocess.check_output(f"ping -c 1 {host}", shell=True)
    return {"output": output.decode()}


@app.post("/webhooks")
def register_webhook():
    payload = app.current_event.json_body
    # ruleid: INJ007
    requests.post(payload["url"], json={"registered": True}, timeout=5)
    # ok: INJ007
    requests.post(os.environ["AUDIT_URL"], json=payload, timeout=5)
    return {"ok": True}


@app.get("/files")
def read_file():
    name = app.current_event.get_query_string_value(name="name", default_value="index.html")
    # ruleid: INJ006
    with open(f"/opt/files/{name}") as fh:
        return {"content": fh.read()}


@logger.inject_lambda_context
def lambda_handler(event, context):
    return app.resolve(event, context)
