# Azure Functions, Python v2 programming model: decorated functions on a FunctionApp; each
# gets the request as its parameter.
# handler: app
import os
import subprocess

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="ping")
def ping(req: func.HttpRequest) -> func.HttpResponse:
    host = req.params.get("host")
    # ruleid: INJ001
    subprocess.run("ping -c 1 " + host, shell=True)
    return func.HttpResponse("ok")


@app.route(route="echo", methods=["POST"])
def echo(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    # ruleid: INJ001
    os.system("echo " + body["text"])
    # ok: INJ001
    os.system("date")
    return func.HttpResponse("ok")
