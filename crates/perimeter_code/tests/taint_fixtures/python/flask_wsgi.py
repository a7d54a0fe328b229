import os
import sqlite3

import serverless_wsgi
from flask import Flask, request, send_file

app = Flask(__name__)
db = sqlite3.connect("/tmp/app.db", check_same_thread=False)


@app.route("/search")
def search():
    term = request.args.get("q", "")
    # ruleid: INJ004
    rows = db.execute("SELECT * FROM docs WHERE title LIKE '%" + term + "%'").fetchall()
    # ok: INJ004
    safe = db.execute("SELECT * FROM docs WHERE title LIKE ?", ("%" + term + "%",)).fetchall()
    return {"rows": rows, "safe": safe}


@app.route("/download/<path:name>")
def download(name):
    # ruleid: INJ006
    return send_file(os.path.join("/srv/files", name))


def handler(event, context):
    return serverless_wsgi.handle_request(app, event, context)
