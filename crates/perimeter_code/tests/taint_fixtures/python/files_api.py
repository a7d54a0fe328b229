# handler: lambda_handler
import os
import urllib.request

from flask import send_file
from os import system as run_shell

BASE = "/var/task/templates"


class Renderer:
    def __init__(self, root):
        self.root = root

    def read(self, name):
        # ruleid: INJ006
        with open(os.path.join(self.root, name)) as fh:
            return fh.read()


def lambda_handler(event, context):
    name = event["pathParameters"]["name"]
    renderer = Renderer(BASE)
    page = renderer.read(name)
    # ruleid: INJ006
    data = open(BASE + "/" + name).read()
    # ok: INJ006
    static = open(os.path.join(BASE, "index.html")).read()
    safe_name = os.path.basename(name)
    # ok: INJ006
    other = open(os.path.join(BASE, safe_name)).read()
    # ruleid: INJ001
    run_shell("cat " + name)
    feed = event["queryStringParameters"].get("feed")
    # ruleid: INJ007
    xml = urllib.request.urlopen(feed).read()
    # ok: INJ007
    status = urllib.request.urlopen("https://status.example.com/api").read()
    # ruleid: INJ006
    send_file(name)
    return {"statusCode": 200, "body": page + data + static + other + str(xml) + str(status)}


def unused(event, context):
    # ok: INJ001
    os.system(event["cmd"])
