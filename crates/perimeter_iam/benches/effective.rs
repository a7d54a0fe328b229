//! Effective-permission computation for a synthetic app of 1,000 functions, each with its own
//! role of 50 statements mixing exact actions, service wildcards, wildcards in the middle of
//! names, `NotAction`, Deny statements and one AWS managed policy attached by ARN.

use criterion::{Criterion, criterion_group, criterion_main};
use perimeter_iam::EffectivePermissions;
use perimeter_model::{Attr, Effect, Location, Policy, PolicySource, Role, Statement, Value};
use std::hint::black_box;

const PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "dynamodb:*Item",
    "dynamodb:Query",
    "sqs:*",
    "sns:Publish",
    "logs:*",
    "iam:*Policy*",
    "kms:Decrypt",
    "lambda:Invoke*",
    "ec2:Describe*",
    "*:Get*",
    "secretsmanager:GetSecretValue",
    "states:StartExecution",
    "s3:*Object*",
    "events:PutEvents",
    "xray:Put*",
    "ssm:GetParameter?",
    "cloudwatch:PutMetricData",
    "kinesis:*",
];

fn role(i: usize) -> Role {
    let loc = Location::new("bench.yaml", i as u32, 1);
    let mut r = Role::new(format!("Role{i}"), loc.clone(), false);
    let statements = (0..50)
        .map(|j| {
            let mut s = Statement::new(loc.clone());
            let n = i * 7 + j;
            if j % 17 == 16 {
                s.effect = Value::Known(Effect::Deny);
            }
            if j % 25 == 24 {
                s.not_actions = vec![Attr::explicit("iam:*".to_string(), loc.clone())];
            } else {
                s.actions = (0..3)
                    .map(|k| {
                        Attr::explicit(
                            PATTERNS[(n + k * 5) % PATTERNS.len()].to_string(),
                            loc.clone(),
                        )
                    })
                    .collect();
            }
            let resource = if j % 3 == 0 {
                "*".to_string()
            } else {
                format!("arn:aws:s3:::bucket-{i}-{j}/*")
            };
            s.resources = vec![Attr::explicit(resource, loc.clone())];
            s
        })
        .collect();
    r.policies.push(Policy {
        name: format!("Policy{i}"),
        source: PolicySource::Inline,
        location: loc.clone(),
        statements,
    });
    r.managed_policy_arns.push(Attr::explicit(
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".to_string(),
        loc,
    ));
    r
}

fn bench(c: &mut Criterion) {
    let roles: Vec<Role> = (0..1000).map(role).collect();
    // Warm the catalog and managed-policy data (first use decompresses them).
    let _ = EffectivePermissions::of_role(&roles[0]);
    c.bench_function(
        "effective permissions, 1000 functions x 50 statements",
        |b| {
            b.iter(|| {
                let mut allowed = 0usize;
                for r in &roles {
                    let p = EffectivePermissions::of_role(black_box(r));
                    allowed += p.allowed().len() + p.unknown_actions.len();
                }
                black_box(allowed)
            })
        },
    );
    c.bench_function("first use: decompress and index the catalog", |b| {
        b.iter(|| {
            perimeter_iam::Catalog::from_gzip(black_box(include_bytes!("../data/catalog.json.gz")))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
