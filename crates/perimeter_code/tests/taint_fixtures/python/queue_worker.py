import base64
import json
import marshal
import pickle

import jsonpickle
import yaml


def decode(record):
    payload = base64.b64decode(record["body"])
    return payload


def handler(event, context):
    results = []
    for record in event["Records"]:
        raw = decode(record)
        # ruleid: INJ003
        job = pickle.loads(raw)
        # ok: INJ003
        job_copy = pickle.loads(pickle.dumps({"a": 1}))
        # ruleid: INJ003
        config = yaml.load(record["body"])
        # ok: INJ003
        safe = yaml.load(record["body"], Loader=yaml.SafeLoader)
        # ok: INJ003
        safe2 = yaml.safe_load(record["body"])
        # ruleid: INJ003
        state = jsonpickle.decode(record["messageAttributes"]["state"]["stringValue"])
        # ruleid: INJ003
        code = marshal.loads(base64.b64decode(json.loads(record["body"])["code"]))
        # ruleid: INJ003
        legacy = yaml.unsafe_load(record["body"])
        results.append((job, job_copy, config, safe, safe2, state, code, legacy))
    messages = [json.loads(r["Sns"]["Message"]) for r in event["Records"]]
    for message in messages:
        # ruleid: INJ003
        pickle.loads(base64.b64decode(message["blob"]))
    return {"processed": len(results)}
