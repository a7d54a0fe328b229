"""SQS: e-mail followers about a new photo (DELIBERATELY VULNERABLE, do not deploy)."""
import json
import subprocess


def handler(event, context):
    for record in event["Records"]:
        msg = json.loads(record["body"])
        # VULN: shell command built from queue message fields, shell=True (INJ001)
        subprocess.run(
            "echo '%s' | mail -s 'New photo from %s' %s" % (msg["text"], msg["from"], msg["to"]),
            shell=True,
            check=False,
        )
