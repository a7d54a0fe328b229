//! Known inputs → dollars computed by hand (us-east-1: $0.20 per million requests,
//! $0.0000166667 per GB-s x86_64, $0.0000133334 arm64, REST $3.50 / HTTP $1.00 per million).

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn us() -> &'static Prices {
    prices("us-east-1").expect("us-east-1 in the table")
}

#[test]
fn http_api_without_limits_runs_the_account_pool() {
    // 1,000 concurrent / 30 s = 33.33 inv/s = 120,000 inv/h.
    // requests 120,000 × 0.20 / 1e6 = 0.024; compute 1,000 × 1 GB × 3,600 s × 0.0000166667
    // = 60.00012; HTTP API 120,000 × 1.00 / 1e6 = 0.12. Total 60.14412.
    let inputs = CostInputs {
        memory_mb: 1024,
        timeout_s: 30,
        arm64: false,
        reserved: None,
        account_concurrency: 1000,
        api: Some(ApiFront {
            kind: ApiKind::Http,
            throttle_rate: None,
        }),
    };
    let e = estimate(&inputs, us());
    assert!(close(e.lambda_requests_per_hour, 0.024), "{e:?}");
    assert!(close(e.lambda_compute_per_hour, 60.00012), "{e:?}");
    assert!(close(e.api_requests_per_hour, 0.12), "{e:?}");
    assert!(close(e.per_hour, 60.14412), "{e:?}");
    assert_eq!(e.binding, Limit::AccountConcurrency);
    assert!(close(e.concurrency, 1000.0));
    // Reserved 10: 1,200 inv/h → 0.00024 + 0.6000012 + 0.0012 = 0.6014412.
    assert_eq!(e.caps[0].setting, "reserved concurrency 10");
    assert!(close(e.caps[0].per_hour, 0.6014412), "{:?}", e.caps);
    // Throttle 10 rps: 36,000 inv/h → 0.0072 + 10 × 30 × 3,600 × 0.0000166667 (18.000036)
    // + 0.036 = 18.043236.
    assert_eq!(e.caps[1].setting, "API throttling 10 requests/s");
    assert!(close(e.caps[1].per_hour, 18.043236), "{:?}", e.caps);
    assert!(
        e.assumptions
            .iter()
            .any(|a| a == "each invocation runs its full 30 s timeout at 1024 MB (x86_64)"),
        "{:?}",
        e.assumptions
    );
    assert_eq!(
        e.summary(),
        "a request flood costs up to $60.14/h (us-east-1 prices of 2026-11-22, bound by the account's concurrency limit); reserved concurrency 10 would cap it at $0.6014/h"
    );
}

#[test]
fn reserved_concurrency_binds_an_arm_url() {
    // 5 / 3 s = 1.667 inv/s = 6,000 inv/h → 0.0012; compute 5 × 0.125 GB × 3,600 ×
    // 0.0000133334 = 0.03000015. No API. Reserved 5 is already under the suggestion.
    let inputs = CostInputs {
        memory_mb: 128,
        timeout_s: 3,
        arm64: true,
        reserved: Some(5),
        account_concurrency: 1000,
        api: None,
    };
    let e = estimate(&inputs, us());
    assert!(close(e.per_hour, 0.03120015), "{e:?}");
    assert_eq!(e.binding, Limit::ReservedConcurrency);
    assert!(e.caps.is_empty());
}

#[test]
fn api_throttle_binds_before_lambda() {
    // Lambda alone allows 1,000 inv/s; the stage throttle 50. 180,000 inv/h → requests
    // 0.036, compute 50 × 1 s × 0.5 GB × 3,600 × 0.0000166667 = 1.500003, REST 0.63.
    let inputs = CostInputs {
        memory_mb: 512,
        timeout_s: 1,
        arm64: false,
        reserved: None,
        account_concurrency: 1000,
        api: Some(ApiFront {
            kind: ApiKind::Rest,
            throttle_rate: Some(50.0),
        }),
    };
    let e = estimate(&inputs, us());
    assert!(close(e.per_hour, 2.166003), "{e:?}");
    assert_eq!(e.binding, Limit::ApiThrottle);
    // Both caps give 10 inv/s: 0.0072 + 0.3000006 + 0.126 = 0.4332006.
    assert!(
        e.caps.iter().all(|c| close(c.per_hour, 0.4332006)),
        "{:?}",
        e.caps
    );
    // Frankfurt's REST price: 180,000 × 3.70 / 1e6 = 0.666.
    let de = estimate(&inputs, prices("eu-central-1").expect("in the table"));
    assert!(close(de.api_requests_per_hour, 0.666), "{de:?}");
}

#[test]
fn api_gateway_account_limit_binds_short_functions_on_a_raised_quota() {
    let inputs = CostInputs {
        memory_mb: 128,
        timeout_s: 1,
        arm64: false,
        reserved: None,
        account_concurrency: 20_000,
        api: Some(ApiFront {
            kind: ApiKind::Http,
            throttle_rate: None,
        }),
    };
    let e = estimate(&inputs, us());
    assert_eq!(e.binding, Limit::ApiGatewayAccountLimit);
    assert!(close(e.invocations_per_second, 10_000.0));
    // 36,000,000 inv/h: requests 7.2, compute 10,000 × 0.125 × 3,600 × 0.0000166667
    // = 75.00015, HTTP 36.0.
    assert!(close(e.per_hour, 118.20015), "{e:?}");
}

#[test]
fn unreadable_values_take_their_worst_case_and_say_so() {
    use perimeter_model::{Attr, Location};
    let at = Location::new("t.yaml", 3, 1);
    let mut f = Function::new("Fn", at.clone());
    f.timeout = Attr::unresolved("!Ref Timeout", at.clone());
    f.reserved_concurrency = Some(Attr::unresolved("!Ref Limit", at));
    f.architectures.push("arm64".into());
    let (inputs, notes) = function_inputs(&f, None, DEFAULT_ACCOUNT_CONCURRENCY);
    assert_eq!(inputs.timeout_s, 900);
    assert_eq!(inputs.memory_mb, 128);
    assert_eq!(inputs.reserved, None);
    assert!(inputs.arm64);
    assert_eq!(
        notes,
        [
            "timeout unresolved: assumed Lambda's maximum, 900 s",
            "reserved concurrency unresolved: assumed none"
        ]
    );
}
