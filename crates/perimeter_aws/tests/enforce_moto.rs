//! The kill switch's AWS calls against moto's Lambda (which implements reserved concurrency
//! and tags): block, re-apply after someone lifted the block, restore, with and without a
//! previous reservation. Functions are created with boto3 from moto's own virtualenv
//! (`PERIMETER_TEST_PYTHON`, see `scripts/test`).

#[path = "../../perimeter/tests/support/moto.rs"]
mod moto;

use moto::Moto;
use perimeter_aws::enforce::{
    Action, BlockTags, Connect, EnforceError, Enforcer, TAG_BLOCKED_BY, TAG_PREVIOUS, TAG_REASON,
    decide,
};
use std::process::Command;

/// Creates a role and the functions `(name, reserved concurrency)` in moto with boto3.
fn create_functions(moto: &Moto, functions: &[(&str, Option<i32>)]) {
    let mut script = String::from(
        "import boto3, io, zipfile\n\
         iam = boto3.client('iam')\n\
         role = iam.create_role(RoleName='fn-role', AssumeRolePolicyDocument='{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}')['Role']['Arn']\n\
         buf = io.BytesIO()\n\
         with zipfile.ZipFile(buf, 'w') as z: z.writestr('app.py', 'def handler(e, c): return 1')\n\
         lam = boto3.client('lambda')\n",
    );
    for (name, reserved) in functions {
        script.push_str(&format!(
            "lam.create_function(FunctionName='{name}', Runtime='python3.13', Role=role, Handler='app.handler', Code={{'ZipFile': buf.getvalue()}})\n"
        ));
        if let Some(n) = reserved {
            script.push_str(&format!(
                "lam.put_function_concurrency(FunctionName='{name}', ReservedConcurrentExecutions={n})\n"
            ));
        }
    }
    let output = Command::new(moto::python())
        .args(["-c", &script])
        .envs(moto.env())
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "boto3 setup failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn enforcer(moto: &Moto) -> Enforcer {
    // SAFETY: set before any thread of this test binary reads the environment; every test
    // sets the same values.
    for (k, v) in moto.env() {
        unsafe { std::env::set_var(k, v) };
    }
    Enforcer::connect(&Connect {
        profile: None,
        region: Some("us-east-1".into()),
    })
    .expect("connect")
}

fn block(reason: &str, previous: Option<i32>) -> BlockTags {
    BlockTags {
        by: "perimeter test".into(),
        at: "2026-07-01T10:00:00Z".into(),
        reason: reason.into(),
        previous,
    }
}

/// One server, one test: the steps depend on each other's state.
#[test]
fn block_reapply_and_restore_against_moto() {
    let moto = Moto::start();
    create_functions(&moto, &[("reserved", Some(7)), ("shared", None)]);
    let e = enforcer(&moto);
    assert_eq!(e.region(), "us-east-1");
    assert!(e.caller().is_some_and(|arn| arn.starts_with("arn:aws:")));

    // A function with 7 reserved: blocked, tagged with 7 as the previous value.
    let state = e.state("reserved").expect("state");
    assert_eq!(state.reserved, Some(7));
    assert_eq!(state.block, None);
    let Action::Block { previous } = decide(&state, true) else {
        panic!("expected a block");
    };
    assert_eq!(previous, Some(7));
    let outcome = e
        .block(&state, &block("score 92 > 80; AUTH002", previous))
        .expect("block");
    assert_eq!((outcome.before, outcome.after), (Some(7), Some(0)));
    let state = e.state("reserved").expect("state");
    assert_eq!(state.reserved, Some(0));
    let tags = e.tags(&state.arn).expect("tags");
    assert_eq!(tags.get(TAG_PREVIOUS).map(String::as_str), Some("7"));
    assert_eq!(
        tags.get(TAG_REASON).map(String::as_str),
        Some("score 92 80 AUTH002")
    );
    assert_eq!(decide(&state, true), Action::AlreadyBlocked);

    // Someone lifts the block without fixing the cause: the next run re-applies it and keeps
    // the original previous value.
    let lifted = Command::new(moto::python())
        .args([
            "-c",
            "import boto3; boto3.client('lambda').put_function_concurrency(FunctionName='reserved', ReservedConcurrentExecutions=50)",
        ])
        .envs(moto.env())
        .status()
        .expect("python");
    assert!(lifted.success());
    let state = e.state("reserved").expect("state");
    let Action::Reapply {
        previous,
        lifted_to,
    } = decide(&state, true)
    else {
        panic!("expected a re-apply, got {:?}", decide(&state, true));
    };
    assert_eq!((previous, lifted_to), (Some(7), Some(50)));
    let block_again = BlockTags {
        previous,
        ..state.block.clone().expect("block tags")
    };
    e.block(&state, &block_again).expect("re-block");
    assert_eq!(e.state("reserved").expect("state").reserved, Some(0));

    // Restore: 7 again, tags gone.
    let (outcome, tags) = e.restore("reserved").expect("restore");
    assert_eq!(outcome.after, Some(7));
    assert_eq!(tags.previous, Some(7));
    let state = e.state("reserved").expect("state");
    assert_eq!((state.reserved, state.block), (Some(7), None));
    assert!(
        !e.tags(&state.arn)
            .expect("tags")
            .contains_key(TAG_BLOCKED_BY)
    );

    // No previous reservation: restore removes the reservation.
    let state = e.state("shared").expect("state");
    assert_eq!(state.reserved, None);
    e.block(&state, &block("public", None)).expect("block");
    assert_eq!(
        e.tags(&state.arn)
            .expect("tags")
            .get(TAG_PREVIOUS)
            .map(String::as_str),
        Some("none")
    );
    e.restore(&state.arn).expect("restore by ARN");
    assert_eq!(e.state("shared").expect("state").reserved, None);

    // Restoring what is not blocked, or what does not exist, is an error.
    assert!(matches!(
        e.restore("shared"),
        Err(EnforceError::NotBlocked(_))
    ));
    assert!(matches!(e.state("missing"), Err(EnforceError::Call { .. })));
}
