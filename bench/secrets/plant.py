#!/usr/bin/env python3
"""Writes a tree of realistic files with planted fake secrets, stand-ins and decoys.

Usage: plant.py OUT_DIR   (writes OUT_DIR/... and OUT_DIR/../manifest.json)

Every planted secret is random (fixed seed), shaped like the real thing, and recorded as
(file, line, kind) in the manifest under "planted"; placeholders and documentation examples
are recorded under "negatives"; every other line is ordinary code, including decoys that
look random (hashes, UUIDs, commit ids, integrity strings) and must not be reported.
"""
import base64
import json
import os
import random
import string
import sys

R = random.Random(20261122)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"
UP32 = string.ascii_uppercase + "234567"


def pick(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def pem(label, lines=12, width=64):
    body = "\n".join(pick(B64, width) for _ in range(lines))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def b64url(data):
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def jwt():
    h = b64url('{"alg":"HS256","typ":"JWT"}')
    p = b64url('{"sub":"%d","scope":"orders:write","iat":1731000000}' % R.randrange(10**6))
    return f"{h}.{p}.{pick(B64URL, 43)}"


def uuid():
    return f"{pick(HEX, 8)}-{pick(HEX, 4)}-4{pick(HEX, 3)}-a{pick(HEX, 3)}-{pick(HEX, 12)}"


def pw():
    return pick(ALNUM, 10) + R.choice("!#%&*-_") + pick(ALNUM, 5)


# Each file: list of (text, tag) where tag is None (ordinary), ("P", kind) planted on the
# line where the text starts, or ("N", kind) a stand-in that must not be reported.
FILES = {}


def f(path, *parts):
    FILES[path] = parts


def P(kind, text, offset=0):
    """`offset`: lines from the chunk's start to the secret's line."""
    return (text, ("P", kind, offset))


def N(kind, text):
    return (text, ("N", kind, 0))


def O(text):
    return (text, None)


f("orders/app.py",
  O("import os\nimport boto3\nimport hashlib\n\n"),
  P("aws-access-key-id", f'AWS_ACCESS_KEY_ID = "AKIA{pick(UP32, 16)}"\n'),
  P("aws-secret-access-key", f'AWS_SECRET_ACCESS_KEY = "{pick(B64, 40)}"\n'),
  N("aws-example", 'EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'),
  N("aws-example", 'EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'),
  N("env-lookup", 'DB_PASSWORD = os.environ["DB_PASSWORD"]\n'),
  O(f'ETAG = "{pick(HEX, 32)}"\n'),
  O(f'COMMIT = "{pick(HEX, 40)}"\n'),
  O(f'REQUEST_NAMESPACE = "{uuid()}"\n'),
  P("slack-token", f'slack = WebClient(token="xoxb-{pick(string.digits, 12)}-{pick(string.digits, 13)}-{pick(ALNUM, 24)}")\n'),
  P("openai-api-key", f'client = OpenAI(api_key="sk-proj-{pick(ALNUM, 48)}")\n'),
  P("jwt-secret", f'JWT_SECRET = "{pick(ALNUM, 24)}"\n'),
  N("placeholder", 'SIGNING_KEY = "changeme"\n'),
  O("\n\ndef handler(event, context):\n    digest = hashlib.sha256(event['body'].encode()).hexdigest()\n    return {'statusCode': 200, 'body': digest}\n"),
)

f("orders/db.py",
  O("import pymysql\n\n"),
  P("database-url", f'DSN = "mysql://orders:{pw()}@orders-db.c9akciq32lxa.eu-west-1.rds.amazonaws.com:3306/orders"\n'),
  N("placeholder-url", 'LOCAL_DSN = "mysql://user:password@localhost:3306/orders"\n'),
  N("template-url", 'TEMPLATE_DSN = f"mysql://{user}:{password}@{host}/orders"\n'),
  P("password-assignment", f'conn = pymysql.connect(host="orders-db", user="orders", password="{pw()}")\n'),
  P("twilio-api-key", f'twilio_client = twilio.rest.Client("SK{pick(HEX, 32)}", os.environ["TWILIO_SECRET"])\n'),
  P("twilio-auth-token", f'TWILIO_AUTH_TOKEN = "{pick(HEX, 32)}"\n'),
  P("huggingface-token", f'login("hf_{pick(string.ascii_letters, 34)}")\n'),
)

f("orders/keys/signing.pem", P("private-key", pem("RSA PRIVATE KEY") + "\n"))

f("orders/keys/deploy_key.py",
  O('"""Deploy key for the mirror job."""\n\n'),
  P("private-key", 'KEY = """' + pem("OPENSSH PRIVATE KEY", 7, 70) + '"""\n'),
  N("pem-check", 'if blob.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n'),
  O("    raise ValueError('unexpected key')\n"),
)

f("orders/config/service-account.json",
  O("{\n"),
  O('  "type": "service_account",\n  "project_id": "orders-prod",\n'),
  O(f'  "private_key_id": "{pick(HEX, 40)}",\n'),
  P("gcp-service-account-key", '  "private_key": "' + pem("PRIVATE KEY", 10).replace("\n", "\\n") + '\\n",\n'),
  O('  "client_email": "orders@orders-prod.iam.gserviceaccount.com"\n}\n'),
)

f("web/src/client.ts",
  O("import Stripe from 'stripe';\n\n"),
  P("stripe-key", f"const stripe = new Stripe('sk_live_{pick(ALNUM, 24)}');\n"),
  N("env-lookup", "const stripeTest = new Stripe(process.env.STRIPE_KEY!);\n"),
  N("placeholder", "const docsKey = 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx';\n"),
  P("anthropic-api-key", f"const anthropic = new Anthropic({{ apiKey: 'sk-ant-api03-{pick(B64URL, 93)}' }});\n"),
  P("jwt", f"const serviceToken = 'Bearer {jwt()}';\n"),
  N("jwt-example", "const sample = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';\n"),
  O(f"const integrity = 'sha512-{pick(B64, 86)}==';\n"),
  O("export const handler = async () => ({ statusCode: 200 });\n"),
)

f("web/src/notify.js",
  P("slack-webhook", f"const HOOK = 'https://hooks.slack.com/services/T{pick(UP32, 8)}/B{pick(UP32, 10)}/{pick(ALNUM, 24)}';\n"),
  P("sendgrid-api-key", f"sgMail.setApiKey('SG.{pick(B64URL, 22)}.{pick(B64URL, 43)}');\n"),
  P("github-token", f"const gh = new Octokit({{ auth: 'gho_{pick(ALNUM, 36)}' }});\n"),
  P("database-url", f"const mongo = new MongoClient('mongodb+srv://app:{pw()}@cluster0.x1y2z.mongodb.net/orders');\n"),
  N("placeholder", "const ghDocs = new Octokit({ auth: '<your-github-token>' });\n"),
  P("aws-access-key-id", f"const s3 = new S3Client({{ credentials: {{ accessKeyId: 'AKIA{pick(UP32, 16)}',\n"),
  P("aws-secret-access-key", f"  secretAccessKey: '{pick(B64, 40)}' }} }});\n"),
  O(f"const buildId = '{pick(HEX, 12)}';\n"),
)

f("web/.env",
  P("github-token", f"GITHUB_TOKEN=ghp_{pick(ALNUM, 36)}\n"),
  P("stripe-key", f"STRIPE_RESTRICTED_KEY=rk_live_{pick(ALNUM, 24)}\n"),
  P("database-url", f"DATABASE_URL=postgres://orders:{pw()}@orders.cluster-c9ak.eu-west-1.rds.amazonaws.com:5432/orders\n"),
  P("jwt-secret", f"JWT_SECRET={pick(ALNUM, 32)}\n"),
  P("heroku-api-key", f"HEROKU_API_KEY={uuid()}\n"),
  N("template", "SMTP_PASSWORD=${SMTP_PASSWORD}\n"),
  N("placeholder", "PARTNER_API_KEY=changeme\n"),
  O("LOG_LEVEL=info\nTABLE_NAME=orders\n"),
)

f("web/.env.example",
  N("placeholder", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
  N("placeholder", "DATABASE_URL=postgres://user:password@localhost:5432/app\n"),
  N("placeholder", "API_KEY=<your-api-key>\n"),
)

f("web/.npmrc",
  P("npm-token", f"//registry.npmjs.org/:_authToken=npm_{pick(ALNUM, 36)}\n"),
)

f("infra/config.yaml",
  O("service: orders\nregion: eu-west-1\n"),
  O("database:\n  host: orders-db.internal\n  user: orders\n"),
  P("password-assignment", f"  password: {pw()}\n"),
  P("github-token", f"github:\n  token: github_pat_{pick(ALNUM + '_', 82)}\n", 1),
  P("database-url", f"cache_url: redis://default:{pw()}@orders-cache.abc123.ng.0001.euw1.cache.amazonaws.com:6379\n"),
  N("template", "partner_api_key: \"{{ .Values.partnerApiKey }}\"\n"),
  N("template", "slack_token: ${SLACK_TOKEN}\n"),
  O(f"image_digest: sha256:{pick(HEX, 64)}\n"),
  P("private-key", "tls:\n  key: |\n    " + pem("EC PRIVATE KEY", 3).replace("\n", "\n    ") + "\n", 2),
)

f("infra/appsettings.json",
  O("{\n"),
  P("azure-storage-key", f'  "Storage": "DefaultEndpointsProtocol=https;AccountName=ordersprod;AccountKey={pick(B64, 86)}==;EndpointSuffix=core.windows.net",\n'),
  P("generic-assignment", f'  "apiKey": "{pick(ALNUM, 32)}",\n'),
  N("placeholder", '  "password": "********",\n'),
  O(f'  "correlationId": "{uuid()}"\n'),
  O("}\n"),
)

f("infra/credentials",
  O("[default]\n"),
  P("aws-access-key-id", f"aws_access_key_id = AKIA{pick(UP32, 16)}\n"),
  P("aws-secret-access-key", f"aws_secret_access_key = {pick(B64, 40)}\n"),
  O("region = eu-west-1\n"),
)

f("infra/settings.ini",
  O("[oauth]\nclient_id = orders-web\n"),
  P("generic-assignment", f"client_secret = {pick(ALNUM, 40)}\n"),
  N("placeholder", "refresh_token = xxxxxxxxxxxxxxxxxxxxxxxx\n"),
)

f("infra/app.properties",
  O("spring.datasource.url=jdbc:postgresql://orders-db:5432/orders\nspring.datasource.username=orders\n"),
  P("password-assignment", f"spring.datasource.password={pw()}\n"),
)

f("infra/deploy.sh",
  O("#!/bin/sh\nset -eu\n"),
  P("password-assignment", f"export DB_PASSWORD='{pw()}'\n"),
  P("digitalocean-token", f"doctl auth init -t dop_v1_{pick(HEX, 64)}\n"),
  N("env-lookup", 'aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"\n'),
  O('echo "deployed $(git rev-parse HEAD)"\n'),
)

f("infra/.pypirc",
  O("[pypi]\nusername = __token__\n"),
  P("pypi-token", f"password = pypi-AgEIcHlwaS5vcmc{pick(B64URL, 70)}\n"),
)

f("services/Billing.java",
  O("package billing;\n\npublic class Billing {\n"),
  P("generic-assignment", f'    private static final String API_SECRET = "{pick(ALNUM, 32)}";\n'),
  N("env-lookup", '    private final String token = System.getenv("BILLING_TOKEN");\n'),
  O(f'    private static final String SCHEMA_HASH = "{pick(HEX, 64)}";\n'),
  O("}\n"),
)

f("services/maps.go",
  O("package maps\n\n"),
  P("google-api-key", f'const mapsKey = "AIza{pick(B64URL, 35)}"\n'),
  P("generic-assignment", f'var authToken = "{pick(ALNUM, 40)}"\n'),
  N("placeholder", 'var devToken = "TODO-replace-me"\n'),
  O(f'const build = "{pick(HEX, 40)}"\n'),
)

f("services/mailer.rb",
  P("mailgun-api-key", f"Mailgun.configure {{ |c| c.api_key = 'key-{pick(HEX, 32)}' }}\n"),
  N("env-lookup", "SMTP_PASSWORD = ENV.fetch('SMTP_PASSWORD')\n"),
)

f("services/shop.php",
  O("<?php\n"),
  P("shopify-token", f"$shopify = new Shopify('shpat_{pick(HEX, 32)}');\n"),
  N("placeholder", "$password = 'your_password_here';\n"),
)

f("services/settings.py",
  O("DEBUG = False\nALLOWED_HOSTS = ['orders.example.org']\n"),
  P("generic-assignment", f"SECRET_KEY = '{pick(ALNUM + '!@#%^&*(-_=+)', 50)}'\n"),
  N("call", "FALLBACK_SECRET = get_random_secret_key()\n"),
)

f("services/docker-compose.yml",
  O("services:\n  db:\n    image: postgres:16\n    environment:\n"),
  P("password-assignment", f"      POSTGRES_PASSWORD: {pw()}\n"),
  O("      POSTGRES_USER: orders\n"),
)

f("services/Worker.cs",
  O("namespace Orders;\npublic class Worker {\n"),
  P("generic-assignment", f'    private const string AccessToken = "{pick(ALNUM, 36)}";\n'),
  O("}\n"),
)

f("docs/setup.md",
  O("# Setup\n\nConfigure the AWS CLI:\n\n"),
  N("aws-example", "    aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
  N("aws-example", "    aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
  N("placeholder", "Set `STRIPE_KEY=sk_live_...` in your shell.\n"),
)

f("package-lock.json",
  O('{\n  "name": "orders",\n  "lockfileVersion": 3,\n  "packages": {\n'),
  O(f'    "node_modules/left-pad": {{ "version": "1.3.0", "integrity": "sha512-{pick(B64, 86)}==" }}\n'),
  O("  }\n}\n"),
)


def main():
    out = sys.argv[1]
    manifest = {"planted": [], "negatives": []}
    for path, parts in FILES.items():
        full = os.path.join(out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        text = ""
        for chunk, tag in parts:
            first = text.count("\n") + 1
            if tag:
                key = "planted" if tag[0] == "P" else "negatives"
                # `lines`: every line of the chunk (a PEM block spans several); a hit on any of
                # them is a hit on this secret.
                last = first + max(chunk.rstrip("\n").count("\n"), 0)
                manifest[key].append(
                    {"file": path, "line": first + tag[2], "lines": [first, last], "kind": tag[1]}
                )
            text += chunk
        with open(full, "w") as fh:
            fh.write(text)
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print(f"planted={len(manifest['planted'])} negatives={len(manifest['negatives'])}", file=sys.stderr)


if __name__ == "__main__":
    main()
