# handler: app
import subprocess

from chalice import Chalice

app = Chalice(app_name="tools")


@app.route("/dig/{domain}")
def dig(domain):
    # ruleid: INJ001
    return {"out": subprocess.getoutput("dig +short " + domain)}


@app.route("/render", methods=["POST"])
def render():
    body = app.current_request.json_body
    # ruleid: INJ002
    return {"value": eval(body["expr"], {"__builtins__": {}})}
