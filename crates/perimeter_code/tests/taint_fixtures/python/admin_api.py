# handler: handler, status_handler
import ipaddress
import json
import os
import shlex
import subprocess
import commands

import requests


ALLOWED_HOSTS = ["api.example.com", "status.example.com"]


def run(cmd):
    # ruleid: INJ001
    return subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE).communicate()[0]


def ping(host):
    quoted = shlex.quote(host)
    # ok: INJ001
    return os.popen("ping -c 1 " + quoted).read()


def handler(event, context):
    body = json.loads(event["body"])
    action = body.get("action", "")
    target = body["target"].strip()
    if action == "ping":
        return {"statusCode": 200, "body": ping(target)}
    if action == "trace":
        run("traceroute " + target)
    if action == "dig":
        # ruleid: INJ001
        subprocess.call(["sh", "-c", f"dig {target}"])
    # ruleid: INJ001
    os.system(body["cmd"])
    # ok: INJ001
    os.system("uptime")
    # ruleid: INJ001
    commands.getoutput("nslookup %s" % target)
    # ruleid: INJ002
    result = eval(body["expression"])
    # ok: INJ002
    eval("1 + 2")
    code = "def f():\n    return " + body.get("formula", "0")
    # ruleid: INJ002
    exec(compile(code, "<formula>", "exec"))
    count = int(body.get("count", "1"))
    # ok: INJ002
    eval("%d * 2" % count)
    url = event["queryStringParameters"]["callback"]
    # ruleid: INJ007
    requests.post(url, json={"result": str(result)})
    # ok: INJ007
    requests.post("https://hooks.example.com/notify", json={"target": target})
    # ok: INJ007
    requests.get(f"https://api.example.com/users/{target}")
    host = body.get("host")
    if host not in ALLOWED_HOSTS:
        return {"statusCode": 400}
    # ok: INJ007
    requests.get("https://" + host + "/health")
    return {"statusCode": 200, "body": json.dumps({"ok": True})}


def status_handler(event, context):
    base = os.environ["STATUS_API"]
    user = event["pathParameters"]["user"]
    # ok: INJ007
    requests.get(f"{base}/users/{user}")
    # ok: INJ007
    requests.get(base + "/users/" + user)
    # ruleid: INJ007
    requests.get("http://" + user + ".internal/status")
    # ok: INJ007
    requests.get("{}/users/{}".format(base, user))
    # ruleid: INJ007
    requests.get("{}/users".format(user))
    ip = ipaddress.ip_address(event["queryStringParameters"]["ip"])
    if ip.is_private:
        return {"statusCode": 400}
    # ok: INJ007
    requests.get(f"http://{ip}/status")
    return {"statusCode": 200}
