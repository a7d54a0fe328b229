# handler: run_remote
import os
import subprocess


def run_remote(event, context):
    command = event["command"]
    # ruleid: INJ001
    subprocess.run(command, capture_output=True, cwd=os.getenv("LAMBDA_TASK_ROOT"), shell=True)
    argv = ["/bin/bash", "-c", command]
    # ruleid: INJ001
    subprocess.Popen(argv, stdout=subprocess.PIPE)
    fixed = ["/bin/bash", "-c", "df -h"]
    # ok: INJ001
    subprocess.Popen(fixed, stdout=subprocess.PIPE)
    words = command.split(" ")
    # ok: INJ001
    subprocess.check_output(words)
    # ok: INJ001
    subprocess.run(["./binary"] + [str(x) for x in event["args"]])
    return {"ok": True}
