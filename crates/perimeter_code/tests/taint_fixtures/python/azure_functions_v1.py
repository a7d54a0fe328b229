# Azure Functions, Python v1 programming model: `main(req: func.HttpRequest)` in
# __init__.py, named by function.json's scriptFile/entryPoint.
# handler: main
import os
import subprocess
import sqlite3

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    name = req.params.get("name")
    body = req.get_json()
    host = req.route_params.get("host")
    # ruleid: INJ001
    os.system("echo " + name)
    # ruleid: INJ001
    subprocess.run(f"ping -c 1 {host}", shell=True)
    conn = sqlite3.connect("/tmp/app.db")
    # ruleid: INJ004
    conn.execute("SELECT * FROM users WHERE id = '%s'" % body["id"])
    # ok: INJ001
    os.system("uptime")
    return func.HttpResponse("ok")
