//! One table row per detector: a true positive in a realistic file, a placeholder that must
//! not be reported, and a documentation example (or near miss) that must not be reported.
//!
//! Secrets are generated at run time from a fixed seed (never written out whole in this
//! file), so repository secret scanners do not flag the test itself.

use perimeter_model::Confidence;
use perimeter_secrets::{redact, scan, should_scan};

/// A small deterministic generator (xorshift), enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, alphabet: &str, n: usize) -> String {
        let a = alphabet.as_bytes();
        (0..n)
            .map(|_| a[(self.next() % a.len() as u64) as usize] as char)
            .collect()
    }
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &str = "0123456789abcdef";
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct Case {
    detector: &'static str,
    /// File name the contents are scanned as.
    file: &'static str,
    positive: String,
    placeholder: String,
    example: String,
}

fn b64url(s: &str) -> String {
    let t = B64URL.as_bytes();
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(t[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn pem(rng: &mut Rng, label: &str) -> String {
    let mut s = format!("-----BEGIN {label}-----\n");
    for _ in 0..6 {
        s.push_str(&rng.pick(B64, 64));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

fn cases() -> Vec<Case> {
    let mut r = Rng(0x5eed_1234_abcd_9876);
    let jwt_header = b64url(r#"{"alg":"HS256","typ":"JWT"}"#);
    let jwt_payload = b64url(r#"{"sub":"42","role":"admin","iat":1700000000}"#);
    let rsa = pem(&mut r, "RSA PRIVATE KEY");
    let pk8 = pem(&mut r, "PRIVATE KEY").replace('\n', "\\n");
    vec![
        Case {
            detector: "aws-access-key-id",
            file: "src/app.py",
            positive: format!("KEY_ID = \"AKIA{}\"\n", r.pick(UPPER32, 16)),
            placeholder: "KEY_ID = \"AKIAXXXXXXXXXXXXXXXX\"\n".into(),
            example: format!("KEY_ID = \"{}\"\n", ["AKIAIOSFODNN7", "EXAMPLE"].concat()),
        },
        Case {
            detector: "aws-secret-access-key",
            file: "src/app.py",
            positive: format!("aws_secret_access_key = \"{}\"\n", r.pick(B64, 40)),
            placeholder: "aws_secret_access_key = \"<your-secret-access-key>\"\n".into(),
            example: format!(
                "aws_secret_access_key = \"{}\"\n",
                ["wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLEKEY"].concat()
            ),
        },
        Case {
            detector: "private-key",
            file: "src/keys.py",
            positive: format!("KEY = \"\"\"\n{rsa}\"\"\"\n"),
            placeholder: "KEY = \"\"\"\n-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n\"\"\"\n".into(),
            example: "if pem.startswith(\"-----BEGIN RSA PRIVATE KEY-----\"):\n    return True\n".into(),
        },
        Case {
            detector: "gcp-service-account-key",
            file: "config/sa.json",
            positive: format!(
                "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"orders\",\n  \"private_key\": \"{pk8}\"\n}}\n"
            ),
            placeholder: "{\n  \"type\": \"service_account\",\n  \"private_key\": \"<paste the key here>\"\n}\n".into(),
            example: "{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE\\n-----END PRIVATE KEY-----\"\n}\n".into(),
        },
        Case {
            detector: "github-token",
            file: "src/deploy.js",
            positive: format!("const token = 'ghp_{}';\n", r.pick(ALNUM, 36)),
            placeholder: format!("const token = 'ghp_{}';\n", "x".repeat(36)),
            example: format!("const token = 'ghp_{}';\n", "1234567890abcdefghijklmnopqrstuvwxyz"),
        },
        Case {
            detector: "gitlab-token",
            file: ".env",
            positive: format!("GITLAB_TOKEN=glpat-{}\n", r.pick(ALNUM, 20)),
            placeholder: "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx\n".into(),
            example: "GITLAB_TOKEN=glpat-EXAMPLEtokenEXAMPLE1\n".into(),
        },
        Case {
            detector: "slack-token",
            file: "src/notify.py",
            positive: format!(
                "client = WebClient(token=\"xoxb-{}-{}-{}\")\n",
                r.pick("0123456789", 12),
                r.pick("0123456789", 13),
                r.pick(ALNUM, 24)
            ),
            placeholder: "client = WebClient(token=\"xoxb-your-bot-token\")\n".into(),
            example: "client = WebClient(token=\"xoxb-123456789012-1234567890123-EXAMPLEexampleEXAMPLE1\")\n".into(),
        },
        Case {
            detector: "slack-webhook",
            file: "src/notify.py",
            positive: format!(
                "URL = \"https://hooks.slack.com/services/T{}/B{}/{}\"\n",
                r.pick("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8),
                r.pick("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10),
                r.pick(ALNUM, 24)
            ),
            placeholder: "URL = \"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\"\n".into(),
            example: "URL = \"https://hooks.slack.com/services/TEXAMPLE1/BEXAMPLE1/EXAMPLEexampleEXAMPLE\"\n".into(),
        },
        Case {
            detector: "stripe-key",
            file: "src/pay.ts",
            positive: format!("const stripe = new Stripe('sk_live_{}');\n", r.pick(ALNUM, 24)),
            placeholder: "const stripe = new Stripe('sk_live_...');\n".into(),
            example: format!("const stripe = new Stripe('{}');\n", ["sk_test_4eC39HqLyjW", "DarjtT1zdp7dc"].concat()),
        },
        Case {
            detector: "google-api-key",
            file: "src/maps.go",
            positive: format!("const mapsKey = \"AIza{}\"\n", r.pick(B64URL, 35)),
            placeholder: "const mapsKey = \"AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"\n".into(),
            example: "const mapsKey = \"AIzaSyEXAMPLE-EXAMPLE-EXAMPLE-EXAMPLE1\"\n".into(),
        },
        Case {
            detector: "sendgrid-api-key",
            file: "src/mail.py",
            positive: format!("sg = SendGridAPIClient(\"SG.{}.{}\")\n", r.pick(B64URL, 22), r.pick(B64URL, 43)),
            placeholder: "sg = SendGridAPIClient(\"SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\")\n".into(),
            example: "sg = SendGridAPIClient(os.environ.get(\"SENDGRID_API_KEY\"))\n".into(),
        },
        Case {
            detector: "npm-token",
            file: ".npmrc",
            positive: format!("//registry.npmjs.org/:_authToken=npm_{}\n", r.pick(ALNUM, 36)),
            placeholder: "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".into(),
            example: format!("//registry.npmjs.org/:_authToken=npm_{}\n", "0".repeat(36)),
        },
        Case {
            detector: "openai-api-key",
            file: "src/ai.py",
            positive: format!("client = OpenAI(api_key=\"sk-proj-{}\")\n", r.pick(ALNUM, 48)),
            placeholder: "client = OpenAI(api_key=\"sk-proj-<your key>\")\n".into(),
            example: "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n".into(),
        },
        Case {
            detector: "anthropic-api-key",
            file: "src/ai.ts",
            positive: format!("const anthropic = new Anthropic({{ apiKey: 'sk-ant-api03-{}' }});\n", r.pick(B64URL, 93)),
            placeholder: "const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });\n".into(),
            example: format!("const anthropic = new Anthropic({{ apiKey: 'sk-ant-api03-{}' }});\n", "x".repeat(93)),
        },
        Case {
            detector: "shopify-token",
            file: "config/settings.yaml",
            positive: format!("shopify:\n  access_token: shpat_{}\n", r.pick(HEX, 32)),
            placeholder: "shopify:\n  access_token: shpat_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n".into(),
            example: format!("shopify:\n  access_token: shpat_{}\n", "0123456789abcdef0123456789abcdef"),
        },
        Case {
            detector: "mailgun-api-key",
            file: "src/mail.rb",
            positive: format!("Mailgun.configure {{ |c| c.api_key = 'key-{}' }}\n", r.pick(HEX, 32)),
            placeholder: "Mailgun.configure { |c| c.api_key = 'key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }\n".into(),
            example: "Mailgun.configure { |c| c.api_key = ENV['MAILGUN_API_KEY'] }\n".into(),
        },
        Case {
            detector: "azure-storage-key",
            file: "appsettings.json",
            positive: format!(
                "{{ \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=orders;AccountKey={}==;EndpointSuffix=core.windows.net\" }}\n",
                r.pick(B64, 86)
            ),
            placeholder: "{ \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=orders;AccountKey=<key>;EndpointSuffix=core.windows.net\" }\n".into(),
            example: "{ \"Storage\": \"UseDevelopmentStorage=true\" }\n".into(),
        },
        Case {
            detector: "pypi-token",
            file: ".pypirc",
            positive: format!("[pypi]\npassword = pypi-AgEIcHlwaS5vcmc{}\n", r.pick(B64URL, 60)),
            placeholder: "[pypi]\npassword = pypi-<token>\n".into(),
            example: "[pypi]\nusername = __token__\n".into(),
        },
        Case {
            detector: "digitalocean-token",
            file: "deploy.sh",
            positive: format!("doctl auth init -t dop_v1_{}\n", r.pick(HEX, 64)),
            placeholder: "doctl auth init -t $DO_TOKEN\n".into(),
            example: format!("doctl auth init -t dop_v1_{}\n", "a".repeat(64)),
        },
        Case {
            detector: "huggingface-token",
            file: "src/model.py",
            positive: format!("login(\"hf_{}\")\n", r.pick(LETTERS, 34)),
            placeholder: "login(\"hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\")\n".into(),
            example: "login(token=os.environ[\"HF_TOKEN\"])\n".into(),
        },
        Case {
            detector: "postman-api-key",
            file: "ci.env",
            positive: format!("POSTMAN=PMAK-{}-{}\n", r.pick(HEX, 24), r.pick(HEX, 34)),
            placeholder: "POSTMAN=PMAK-<your-key>\n".into(),
            example: "POSTMAN={{postman_api_key}}\n".into(),
        },
        Case {
            detector: "square-token",
            file: "src/pay.py",
            positive: format!("client = Client(access_token=\"sq0atp-{}\")\n", r.pick(B64URL, 22)),
            placeholder: "client = Client(access_token=\"sq0atp-XXXXXXXXXXXXXXXXXXXXXX\")\n".into(),
            example: "client = Client(access_token=os.environ[\"SQUARE_TOKEN\"])\n".into(),
        },
        Case {
            detector: "discord-webhook",
            file: "src/alert.js",
            positive: format!(
                "fetch('https://discord.com/api/webhooks/{}/{}', opts);\n",
                r.pick("0123456789", 18),
                r.pick(B64URL, 68)
            ),
            placeholder: "fetch('https://discord.com/api/webhooks/<id>/<token>', opts);\n".into(),
            example: "fetch(process.env.DISCORD_WEBHOOK, opts);\n".into(),
        },
        Case {
            detector: "jwt",
            file: "src/client.js",
            positive: format!(
                "headers.Authorization = 'Bearer {jwt_header}.{jwt_payload}.{}';\n",
                r.pick(B64URL, 43)
            ),
            placeholder: "headers.Authorization = `Bearer ${token}`;\n".into(),
            example: format!(
                "headers.Authorization = 'Bearer {jwt_header}.{}.{}';\n",
                "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
                ["SflKxwRJSMeKKF2QT4fwpMeJf36", "POk6yJV_adQssw5c"].concat()
            ),
        },
        Case {
            detector: "database-url",
            file: "src/db.py",
            positive: format!(
                "DSN = \"postgres://orders:{}@orders.cluster-c9ak.eu-west-1.rds.amazonaws.com:5432/orders\"\n",
                r.pick(ALNUM, 18)
            ),
            placeholder: "DSN = \"postgres://orders:${DB_PASSWORD}@db:5432/orders\"\n".into(),
            example: "DSN = \"postgres://user:password@localhost:5432/orders\"\n".into(),
        },
        Case {
            detector: "url-credentials",
            file: "scripts/mirror.sh",
            positive: format!("git clone https://deploy:{}@git.corp.net/orders.git\n", r.pick(ALNUM, 20)),
            placeholder: "git clone https://deploy:<password>@git.corp.net/orders.git\n".into(),
            example: "git clone https://user:pass@git.example.com/repo.git\n".into(),
        },
        Case {
            detector: "twilio-api-key",
            file: "src/sms.py",
            positive: format!("client = twilio.rest.Client(\"SK{}\", api_secret)\n", r.pick(HEX, 32)),
            placeholder: "client = twilio.rest.Client(\"SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\", api_secret)\n".into(),
            example: format!("client = twilio.rest.Client(\"SK{}\", api_secret)\n", "0123456789abcdef0123456789abcdef"),
        },
        Case {
            detector: "twilio-account-sid",
            file: "src/sms.js",
            positive: format!("const TWILIO_ACCOUNT = 'AC{}';\n", r.pick(HEX, 32)),
            placeholder: "const TWILIO_ACCOUNT = 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';\n".into(),
            example: format!("const TWILIO_ACCOUNT = 'AC{}';\n", "0123456789abcdef0123456789abcdef"),
        },
        Case {
            detector: "twilio-auth-token",
            file: "src/sms.py",
            positive: format!("TWILIO_AUTH_TOKEN = \"{}\"\n", r.pick(HEX, 32)),
            placeholder: "TWILIO_AUTH_TOKEN = \"your_auth_token\"\n".into(),
            example: "TWILIO_AUTH_TOKEN = os.environ[\"TWILIO_AUTH_TOKEN\"]\n".into(),
        },
        Case {
            detector: "heroku-api-key",
            file: ".env",
            positive: format!(
                "HEROKU_API_KEY={}-{}-4{}-a{}-{}\n",
                r.pick(HEX, 8),
                r.pick(HEX, 4),
                r.pick(HEX, 3),
                r.pick(HEX, 3),
                r.pick(HEX, 12)
            ),
            placeholder: "HEROKU_API_KEY=<your-heroku-api-key>\n".into(),
            example: "HEROKU_API_KEY=00000000-0000-0000-0000-000000000000\n".into(),
        },
        Case {
            detector: "jwt-secret",
            file: "src/auth.js",
            positive: "const JWT_SECRET = 'orders-hs256-k3y-2024';\n".into(),
            placeholder: "const JWT_SECRET = process.env.JWT_SECRET || 'changeme';\n".into(),
            example: "const JWT_SECRET = '<your-jwt-secret>';\n".into(),
        },
        Case {
            detector: "password-assignment",
            file: ".env",
            positive: "DB_PASSWORD=Tr0ub4dor&3-orders\n".into(),
            placeholder: "DB_PASSWORD=${DB_PASSWORD}\n".into(),
            example: "DB_PASSWORD=changeme\n".into(),
        },
        Case {
            detector: "generic-assignment",
            file: "config/app.yaml",
            positive: format!("partner:\n  api_key: {}\n", r.pick(ALNUM, 32)),
            placeholder: "partner:\n  api_key: \"{{ .Values.partnerApiKey }}\"\n".into(),
            example: "partner:\n  api_key: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".into(),
        },
    ]
}

fn detectors(file: &str, text: &str) -> Vec<String> {
    scan(file, text.as_bytes())
        .into_iter()
        .map(|h| h.detector)
        .collect()
}

#[test]
fn every_detector_finds_its_secret_and_ignores_stand_ins() {
    let mut problems = Vec::new();
    for case in cases() {
        let found = detectors(case.file, &case.positive);
        if !found.iter().any(|d| d == case.detector) {
            problems.push(format!(
                "{}: positive not found (got {found:?})",
                case.detector
            ));
        }
        for (what, text) in [
            ("placeholder", &case.placeholder),
            ("example", &case.example),
        ] {
            let found = detectors(case.file, text);
            if !found.is_empty() {
                problems.push(format!(
                    "{}: {what} reported as {found:?}: {text}",
                    case.detector
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_covers_every_detector() {
    let listed: Vec<&str> = perimeter_secrets::detectors().iter().map(|d| d.0).collect();
    let tested: Vec<&str> = cases().iter().map(|c| c.detector).collect();
    for d in &listed {
        assert!(tested.contains(d), "no table row for {d}");
    }
}

#[test]
fn code_placeholders_and_references_are_not_secrets() {
    for (file, text) in [
        ("src/app.py", "password = os.environ[\"DB_PASSWORD\"]\n"),
        ("src/app.py", "password = get_password()\n"),
        ("src/app.py", "password: str = os.getenv('DB_PASSWORD')\n"),
        ("src/app.js", "const secret = process.env.SECRET;\n"),
        ("src/app.js", "if (password === 'changeme') {}\n"),
        (
            "src/app.js",
            "const tokenUrl = 'https://auth.example.org/oauth2/token';\n",
        ),
        (
            "src/app.js",
            "throw new Error('Invalid password for user');\n",
        ),
        (
            "src/app.ts",
            "const PASSWORD_RESET_TEMPLATE = 'password_reset';\n",
        ),
        (
            "src/app.ts",
            "const params = { NextToken: 'eyAbc123Def456Ghi789' };\n",
        ),
        ("config.yaml", "db:\n  password: !Ref DbPassword\n"),
        (
            "config.yaml",
            "db:\n  password: ${ssm:/orders/db/password}\n",
        ),
        (
            "template.yaml",
            "      SecretId: arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf\n",
        ),
        ("values.yaml", "token: \"{{ .Values.token }}\"\n"),
        (
            "src/Main.java",
            "String password = System.getenv(\"DB_PASSWORD\");\n",
        ),
        ("main.tf", "  credentials = aws_iam_role.api.arn\n"),
        (
            "schema.graphql",
            "  notes(limit: Int, nextToken: String): Notes!\n",
        ),
        ("src/app.py", "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxx\"\n"),
        (
            "src/app.py",
            "API_KEY = 'this-will-ordinarily-be-detected'\n",
        ),
        (
            "src/app.py",
            "API_KEY = 'Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0'  # pragma: allowlist secret\n",
        ),
    ] {
        assert!(
            detectors(file, text).is_empty(),
            "{file}: {text} gave {:?}",
            detectors(file, text)
        );
    }
}

#[test]
fn locations_point_at_the_secret() {
    let mut r = Rng(7);
    let token = format!("ghp_{}", r.pick(ALNUM, 36));
    let text = format!("# deploy\n\nconst ñ = {{ auth: '{token}' }};\n");
    let hits = scan("src/deploy.js", text.as_bytes());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].location.file, "src/deploy.js");
    assert_eq!(hits[0].location.line, 3);
    // Character column (the `ñ` is two bytes, one character), 1-based.
    assert_eq!(hits[0].location.column, 20);
    let line = text.lines().nth(2).unwrap_or("");
    let col = hits[0].location.column as usize - 1;
    assert!(
        line.chars()
            .skip(col)
            .collect::<String>()
            .starts_with("ghp_")
    );
    // A URL's secret is its password.
    let pw = r.pick(ALNUM, 16);
    let text = format!("url = \"mysql://app:{pw}@db.prod.internal/orders\"\n");
    let hits = scan("src/db.py", text.as_bytes());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].location.column, 20);
    assert_eq!(hits[0].detector, "database-url");
}

#[test]
fn a_pem_block_scalar_is_located_at_its_key() {
    let mut r = Rng(21);
    let body: Vec<String> = (0..4).map(|_| r.pick(B64, 64)).collect();
    let text = format!(
        "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    {}\n    -----END EC PRIVATE KEY-----\n",
        body.join("\n    ")
    );
    let hits = scan("config.yaml", text.as_bytes());
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].location.line, hits[0].location.column), (2, 8));
    // Anywhere else, the BEGIN line itself.
    let text = format!(
        "KEY = '''\n-----BEGIN EC PRIVATE KEY-----\n{}\n'''\n",
        body.join("\n")
    );
    let hits = scan("keys.py", text.as_bytes());
    assert_eq!((hits[0].location.line, hits[0].location.column), (2, 1));
}

#[test]
fn confidence_is_lower_in_tests_fixtures_and_docs() {
    let mut r = Rng(11);
    let text = format!("STRIPE = 'sk_live_{}'\n", r.pick(ALNUM, 24));
    let conf = |path: &str| scan(path, text.as_bytes()).first().map(|h| h.confidence);
    assert_eq!(conf("src/pay.py"), Some(Confidence::High));
    assert_eq!(conf("tests/fixtures/pay.py"), Some(Confidence::Medium));
    assert_eq!(conf("src/pay_test.py"), Some(Confidence::Medium));
    assert_eq!(conf("README.md"), Some(Confidence::Medium));
    // Stripe test-mode keys are low to begin with.
    let test_key = format!("STRIPE = 'sk_test_{}'\n", r.pick(ALNUM, 24));
    assert_eq!(
        scan("src/pay.py", test_key.as_bytes())
            .first()
            .map(|h| h.confidence),
        Some(Confidence::Low)
    );
}

#[test]
fn aws_secret_next_to_its_key_id_needs_no_name() {
    let mut r = Rng(99);
    let text = format!(
        "[default]\naws_access_key_id = AKIA{}\nsecret = {}\n",
        r.pick(UPPER32, 16),
        r.pick(B64, 40)
    );
    let ids = detectors("credentials", &text);
    assert_eq!(ids, ["aws-access-key-id", "aws-secret-access-key"]);
}

#[test]
fn vendored_and_binary_files_are_not_scanned() {
    for path in [
        "node_modules/aws-sdk/README.md",
        "api.zip!/node_modules/stripe/lib/stripe.js",
        "python/lib/python3.12/site-packages/botocore/data/iam/2010-05-08/examples-1.json",
        "layer/botocore/data/s3/2006-03-01/service-2.json",
        "src/types/index.d.ts",
        "public/vendor.min.js",
        "dist/app.js.map",
        "assets/logo.png",
        "package-lock.json",
        "src/yarn.lock",
        "vendor/github.com/aws/aws-sdk-go/aws/config.go",
        ".git/config",
    ] {
        assert!(!should_scan(path, 100), "{path}");
    }
    for path in [
        "src/app.py",
        "api.zip!/handler.js",
        ".env",
        "config/settings.yaml",
        "dist/app.js",
    ] {
        assert!(should_scan(path, 100), "{path}");
    }
    assert!(!should_scan("src/app.py", 0));
    assert!(!should_scan(
        "src/big.json",
        perimeter_secrets::MAX_FILE_BYTES + 1
    ));
    // Binary content is skipped whatever the name.
    let mut r = Rng(3);
    let mut bin = vec![0u8, 1, 2, 3];
    bin.extend(format!("token = 'ghp_{}'", r.pick(ALNUM, 36)).bytes());
    assert!(scan("src/blob.py", &bin).is_empty());
}

#[test]
fn invalid_utf8_and_huge_lines_do_not_panic() {
    let mut r = Rng(5);
    let token = format!("ghp_{}", r.pick(ALNUM, 36));
    let mut bytes = vec![0xff, 0xfe, b'\n', 0xc3, b'x', b' '];
    bytes.extend(token.bytes());
    bytes.extend([0xe2, 0x82, b'\n']);
    let hits = scan("src/a.py", &bytes);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].location.line, 2);
    // A 1.5 MB single line packed with keywords and half tokens.
    let mut line = Vec::new();
    while line.len() < 1_500_000 {
        line.extend_from_slice(b"password=Zx8Qp2Lm5Vt9Rk3W;token:'ghp_abc");
        line.extend_from_slice(b" -----BEGIN RSA PRIVATE KEY----- postgres://a:b@ \xff");
    }
    let hits = scan("huge.env", &line);
    assert!(hits.len() <= 500);
    // Over the cap: nothing.
    let big = vec![b'a'; perimeter_secrets::MAX_FILE_BYTES as usize + 1];
    assert!(scan("big.txt", &big).is_empty());
    // Random bytes.
    let noise: Vec<u8> = (0..200_000).map(|_| (r.next() % 255 + 1) as u8).collect();
    let _ = scan("noise.txt", &noise);
}

/// How many leading characters of the secret a redaction may show.
fn allowed(n: usize) -> usize {
    match n {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    }
}

#[test]
fn redaction_never_shows_more_than_a_short_prefix() {
    let mut r = Rng(0xdead_beef);
    let alphabets = [ALNUM, B64, HEX, "ñandú-€x😀"];
    for i in 0..5000 {
        let n = (r.next() % 200) as usize;
        let secret = r.pick(alphabets[i % alphabets.len()], n);
        let shown = redact(&secret);
        let n = secret.chars().count();
        let head = shown.split('…').next().unwrap_or("");
        assert!(head.chars().count() <= allowed(n), "{secret} → {shown}");
        assert!(secret.starts_with(head), "{secret} → {shown}");
        assert!(shown.ends_with(&format!("({n} chars)")));
        if n >= 5 {
            assert!(!shown.contains(&secret), "{secret} → {shown}");
        }
    }
}

#[test]
fn hits_never_carry_the_secret() {
    for case in cases() {
        for h in scan(case.file, case.positive.as_bytes()) {
            let head = h.redacted.split('…').next().unwrap_or("");
            assert!(
                head.chars().count() <= 4,
                "{}: {}",
                case.detector,
                h.redacted
            );
            // No run of 6 characters of the file's secret-looking words survives.
            for word in case.positive.split(|c: char| !c.is_ascii_alphanumeric()) {
                if word.len() >= 12 {
                    assert!(
                        !h.redacted.contains(&word[..6]) || word.starts_with(head),
                        "{}",
                        h.redacted
                    );
                }
            }
        }
    }
}
