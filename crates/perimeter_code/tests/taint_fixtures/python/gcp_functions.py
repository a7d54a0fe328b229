# Google Cloud Functions (Python): the entry point gets a Flask request.
# handler: export
import pickle
import subprocess
import base64

import functions_framework


@functions_framework.http
def export(request):
    args = request.args
    fmt = args.get("format", "csv")
    data = request.get_json(silent=True) or {}
    # ruleid: INJ001
    subprocess.run("export --format " + fmt, shell=True)
    # ruleid: INJ003
    state = pickle.loads(base64.b64decode(data["state"]))
    # ok: INJ001
    subprocess.run(["export", "--format", "csv"])
    return {"ok": True, "state": str(state)}
