import os
import subprocess

MODES = ("fast", "slow")


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    if params.get("custom"):
        command = params["command"]
    else:
        command = "uptime"
    # ruleid: INJ001
    os.system(command)
    target = params.get("target", "")
    if target.startswith("-"):
        target = "localhost"
    # ruleid: INJ001
    subprocess.run("ping -c 1 " + target, shell=True)
    mode = params.get("mode", "fast")
    if mode in MODES:
        # ok: INJ001
        os.system("run --" + mode)
    else:
        # ruleid: INJ001
        os.system("echo unknown mode " + mode)
    level = "info"
    if params.get("debug"):
        level = params["debug"]
    elif params.get("quiet"):
        level = "error"
    # ruleid: INJ001
    os.system("logger -p " + level + " started")
    return {"statusCode": 200}
