import os
import subprocess
import urllib.parse
import uuid

import boto3

s3 = boto3.client("s3")
ALLOWED_FORMATS = {"png", "jpeg", "webp"}


def resize(path, size):
    # ruleid: INJ001
    os.system("convert %s -resize %s /tmp/out.png" % (path, size))
    # ok: INJ001
    subprocess.run(["convert", path, "-resize", size, "/tmp/out.png"], check=True)
    return "/tmp/out.png"


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + key
        # ruleid: INJ006
        s3.download_file(bucket, key, local)
        # ruleid: INJ006
        s3.download_file(bucket, key, "/tmp/{}{}".format(uuid.uuid4(), key))
        out = resize(local, "128x128")
        # ok: INJ006
        s3.upload_file(out, bucket, "thumbs/" + os.path.basename(key))
        fmt = key.rsplit(".", 1)[-1].lower()
        if fmt not in ALLOWED_FORMATS:
            return {"status": "skipped"}
        # ok: INJ001
        os.system("echo format " + fmt)
        name = os.path.basename(key)
        # ok: INJ006
        with open(os.path.join("/tmp", name), "rb") as fh:
            fh.read()
        # ruleid: INJ001
        subprocess.check_output("file " + local, shell=True)
        # ok: INJ001
        subprocess.check_output("ls -la /tmp", shell=True)
    return {"status": "ok"}
