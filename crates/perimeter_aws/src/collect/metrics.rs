//! CloudWatch `Invocations` (namespace `AWS/Lambda`, dimension `FunctionName`) summed per day
//! over the last N days, per function: the total and the day of the last invocation.
//!
//! The first function is read alone: when CloudWatch cannot be read at all (denied, or an
//! emulator that does not speak its protocol), that is one gap and the region's other
//! functions are not tried.

use super::Ctx;
use super::gaps;
use aws_config::SdkConfig;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use futures_util::future::join_all;
use perimeter_load::snapshot::RegionData;
use std::time::{Duration, SystemTime};

const DAY: u64 = 86_400;

/// Fills `invocations` and `last_invoked` of the region's functions.
pub(crate) async fn read(ctx: &Ctx, conf: &SdkConfig, data: &mut RegionData, days: u32) {
    let client = Client::new(conf);
    let now = SystemTime::now();
    let start = now - Duration::from_secs(DAY * u64::from(days));
    let Some((first, rest)) = data.functions.split_first_mut() else {
        return;
    };
    match invocations(ctx, &client, &first.name, start, now).await {
        Ok((sum, last)) => {
            first.invocations = Some(sum);
            first.last_invoked = last;
        }
        Err(failure) => {
            ctx.gap(gaps::sentence(
                &format!("CloudWatch invocation metrics in {}", data.region),
                "cloudwatch:GetMetricStatistics",
                "functions cannot be judged dead or alive by their invocations",
                &failure,
            ));
            return;
        }
    }
    let client = &client;
    let results = join_all(
        rest.iter()
            .map(|f| invocations(ctx, client, &f.name, start, now)),
    )
    .await;
    for (f, result) in rest.iter_mut().zip(results) {
        match result {
            Ok((sum, last)) => {
                f.invocations = Some(sum);
                f.last_invoked = last;
            }
            Err(failure) => ctx.gap(gaps::sentence(
                &format!("CloudWatch invocation metrics in {}", data.region),
                "cloudwatch:GetMetricStatistics",
                "some functions cannot be judged dead or alive by their invocations",
                &failure,
            )),
        }
    }
}

async fn invocations(
    ctx: &Ctx,
    client: &Client,
    function: &str,
    start: SystemTime,
    end: SystemTime,
) -> Result<(u64, Option<String>), gaps::Failure> {
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_metric_statistics()
            .namespace("AWS/Lambda")
            .metric_name("Invocations")
            .dimensions(
                Dimension::builder()
                    .name("FunctionName")
                    .value(function)
                    .build(),
            )
            .start_time(DateTime::from(start))
            .end_time(DateTime::from(end))
            .period(DAY as i32)
            .statistics(Statistic::Sum)
            .send()
            .await
    };
    let out = answer.map_err(|e| gaps::classify(&e))?;
    let mut total = 0.0_f64;
    let mut last: Option<DateTime> = None;
    for point in out.datapoints() {
        let sum = point.sum().unwrap_or(0.0);
        if sum > 0.0 {
            total += sum;
            if let Some(t) = point.timestamp()
                && last.is_none_or(|l| *t > l)
            {
                last = Some(*t);
            }
        }
    }
    let last = last.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok());
    Ok((total.round() as u64, last))
}
