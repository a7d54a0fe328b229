//! What sends events to functions and the stores around them: S3 buckets (notifications,
//! policies, public access blocks), SNS topics (policies, `lambda` subscriptions), SQS queue
//! policies, EventBridge rules with Lambda targets on every bus, and the retention of the
//! `/aws/lambda/*` log groups.

use super::Ctx;
use super::gaps;
use super::lambda::MAX_PAGES;
use aws_config::SdkConfig;
use futures_util::future::join_all;
use perimeter_load::snapshot::{
    BucketData, EventRule, LogGroup, Notification, PublicAccessBlockData, QueueData, RegionData,
    Subscription, TopicData,
};

/// Reads the region's topics, queues, rules and log groups into `data`.
pub(crate) async fn read_region(ctx: &Ctx, conf: &SdkConfig, data: &mut RegionData) {
    let (topics, queues, rules, logs) = tokio::join!(
        topics(ctx, conf),
        queues(ctx, conf),
        event_rules(ctx, conf),
        log_groups(ctx, conf)
    );
    data.topics = topics;
    data.queues = queues;
    data.event_rules = rules;
    data.log_groups = logs;
}

fn is_function_arn(arn: &str) -> bool {
    arn.contains(":lambda:") && arn.contains(":function:")
}

async fn topics(ctx: &Ctx, conf: &SdkConfig) -> Vec<TopicData> {
    let client = aws_sdk_sns::Client::new(conf);
    let mut arns = Vec::new();
    ctx.pages(
        |token| client.list_topics().set_next_token(token).send(),
        |page| {
            arns.extend(
                page.topics()
                    .iter()
                    .filter_map(|t| t.topic_arn())
                    .map(str::to_string),
            );
            page.next_token().map(str::to_string)
        },
        (
            "SNS topics",
            "sns:ListTopics",
            "SNS triggers and topic-policy findings may be missing",
        ),
    )
    .await;
    let client = &client;
    let mut topics = join_all(arns.into_iter().map(|arn| async move {
        let policy = {
            let answer = {
                let _permit = ctx.permit().await;
                client.get_topic_attributes().topic_arn(&arn).send().await
            };
            match answer {
                Ok(out) => out
                    .attributes()
                    .and_then(|a| a.get("Policy"))
                    .and_then(|p| serde_json::from_str(p).ok()),
                Err(e) => {
                    ctx.gap(gaps::sentence(
                        "SNS topic policies",
                        "sns:GetTopicAttributes",
                        "public-topic findings may be missing",
                        &gaps::classify(&e),
                    ));
                    None
                }
            }
        };
        let mut subs = Vec::new();
        ctx.pages(
            |token| {
                client
                    .list_subscriptions_by_topic()
                    .topic_arn(&arn)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                subs.extend(
                    page.subscriptions()
                        .iter()
                        .filter(|s| s.protocol() == Some("lambda"))
                        .filter_map(|s| {
                            Some(Subscription {
                                arn: s.subscription_arn().map(str::to_string),
                                endpoint: s.endpoint()?.to_string(),
                            })
                        }),
                );
                page.next_token().map(str::to_string)
            },
            (
                "SNS subscriptions",
                "sns:ListSubscriptionsByTopic",
                "SNS triggers (and those of deleted functions) may be missing",
            ),
        )
        .await;
        TopicData {
            arn,
            policy,
            lambda_subscriptions: subs,
        }
    }))
    .await;
    topics.sort_by(|a, b| a.arn.cmp(&b.arn));
    topics
}

async fn queues(ctx: &Ctx, conf: &SdkConfig) -> Vec<QueueData> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let client = aws_sdk_sqs::Client::new(conf);
    let mut urls = Vec::new();
    ctx.pages(
        |token| {
            client
                .list_queues()
                .max_results(1000)
                .set_next_token(token)
                .send()
        },
        |page| {
            urls.extend(page.queue_urls().iter().cloned());
            page.next_token().map(str::to_string)
        },
        (
            "SQS queues",
            "sqs:ListQueues",
            "queue-policy findings may be missing",
        ),
    )
    .await;
    let client = &client;
    let mut queues: Vec<QueueData> = join_all(urls.into_iter().map(|url| async move {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::Policy)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await
        };
        match answer {
            Ok(out) => {
                let attrs = out.attributes();
                let arn = attrs
                    .and_then(|a| a.get(&QueueAttributeName::QueueArn))
                    .cloned()?;
                let policy = attrs
                    .and_then(|a| a.get(&QueueAttributeName::Policy))
                    .and_then(|p| serde_json::from_str(p).ok());
                Some(QueueData { url, arn, policy })
            }
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "SQS queue policies",
                    "sqs:GetQueueAttributes",
                    "queue-policy findings may be missing",
                    &gaps::classify(&e),
                ));
                None
            }
        }
    }))
    .await
    .into_iter()
    .flatten()
    .collect();
    queues.sort_by(|a, b| a.arn.cmp(&b.arn));
    queues
}

async fn event_rules(ctx: &Ctx, conf: &SdkConfig) -> Vec<EventRule> {
    let client = aws_sdk_eventbridge::Client::new(conf);
    const CONSEQUENCE: &str =
        "EventBridge and schedule triggers (and those of deleted functions) may be missing";
    let mut buses = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .list_event_buses()
                .set_next_token(token.clone())
                .send()
                .await
        };
        match answer {
            Ok(page) => {
                buses.extend(
                    page.event_buses()
                        .iter()
                        .filter_map(|b| b.name())
                        .map(str::to_string),
                );
                let next = page.next_token().map(str::to_string);
                if next.is_none() || next == token {
                    break;
                }
                token = next;
            }
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "EventBridge buses",
                    "events:ListEventBuses",
                    CONSEQUENCE,
                    &gaps::classify(&e),
                ));
                buses.push("default".to_string());
                break;
            }
        }
    }
    buses.sort();
    buses.dedup();
    let mut rules = Vec::new();
    for bus in &buses {
        ctx.pages(
            |token| {
                client
                    .list_rules()
                    .event_bus_name(bus)
                    .set_next_token(token)
                    .send()
            },
            |page| {
                rules.extend(page.rules().iter().map(|r| EventRule {
                    name: r.name().unwrap_or_default().to_string(),
                    arn: r.arn().unwrap_or_default().to_string(),
                    event_bus: Some(bus.clone()),
                    schedule_expression: r.schedule_expression().map(str::to_string),
                    state: r.state().map(|s| s.as_str().to_string()),
                    lambda_targets: Vec::new(),
                }));
                page.next_token().map(str::to_string)
            },
            ("EventBridge rules", "events:ListRules", CONSEQUENCE),
        )
        .await;
    }
    let client = &client;
    let mut rules = join_all(rules.into_iter().map(|mut rule| async move {
        let mut targets = Vec::new();
        ctx.pages(
            |token| {
                client
                    .list_targets_by_rule()
                    .rule(&rule.name)
                    .set_event_bus_name(rule.event_bus.clone())
                    .set_next_token(token)
                    .send()
            },
            |page| {
                targets.extend(
                    page.targets()
                        .iter()
                        .map(|t| t.arn())
                        .filter(|a| is_function_arn(a))
                        .map(str::to_string),
                );
                page.next_token().map(str::to_string)
            },
            (
                "EventBridge targets",
                "events:ListTargetsByRule",
                CONSEQUENCE,
            ),
        )
        .await;
        rule.lambda_targets.extend(targets);
        rule
    }))
    .await;
    rules.sort_by(|a, b| a.arn.cmp(&b.arn));
    rules
}

async fn log_groups(ctx: &Ctx, conf: &SdkConfig) -> Vec<LogGroup> {
    let client = aws_sdk_cloudwatchlogs::Client::new(conf);
    let mut out = Vec::new();
    ctx.pages(
        |token| {
            client
                .describe_log_groups()
                .log_group_name_prefix("/aws/lambda/")
                .set_next_token(token)
                .send()
        },
        |page| {
            out.extend(page.log_groups().iter().map(|g| LogGroup {
                name: g.log_group_name().unwrap_or_default().to_string(),
                arn: g.arn().map(|a| a.trim_end_matches(":*").to_string()),
                retention_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
            }));
            page.next_token().map(str::to_string)
        },
        (
            "log group retention",
            "logs:DescribeLogGroups",
            "log-retention findings may be wrong",
        ),
    )
    .await;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The S3 client for one region; path-style addressing when an endpoint is set (emulators
/// and VPC endpoints do not resolve bucket subdomains).
fn s3_client(conf: &SdkConfig) -> aws_sdk_s3::Client {
    let builder =
        aws_sdk_s3::config::Builder::from(conf).force_path_style(conf.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// Buckets in the regions read, with their policy, public access block and Lambda
/// notifications (each read with a client of the bucket's own region).
pub(crate) async fn read_buckets(
    ctx: &Ctx,
    global: &SdkConfig,
    configs: &[(String, SdkConfig)],
    regions: &[String],
) -> Vec<BucketData> {
    let client = s3_client(global);
    let mut names = Vec::new();
    ctx.pages(
        |token| client.list_buckets().set_continuation_token(token).send(),
        |page| {
            names.extend(page.buckets().iter().filter_map(|b| {
                Some((b.name()?.to_string(), b.bucket_region().map(str::to_string)))
            }));
            page.continuation_token().map(str::to_string)
        },
        (
            "S3 buckets",
            "s3:ListAllMyBuckets",
            "S3 triggers and public-bucket findings may be missing",
        ),
    )
    .await;
    let clients: Vec<(String, aws_sdk_s3::Client)> = configs
        .iter()
        .filter(|(r, _)| regions.contains(r))
        .map(|(r, c)| (r.clone(), s3_client(c)))
        .collect();
    let client = &client;
    let clients = &clients;
    let mut buckets: Vec<BucketData> =
        join_all(names.into_iter().map(|(name, region)| async move {
            let region = match region {
                Some(r) => r,
                None => bucket_region(ctx, client, &name).await?,
            };
            let regional = &clients.iter().find(|(r, _)| *r == region)?.1;
            Some(read_bucket(ctx, regional, name, region).await)
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    buckets
}

async fn bucket_region(ctx: &Ctx, client: &aws_sdk_s3::Client, name: &str) -> Option<String> {
    let answer = {
        let _permit = ctx.permit().await;
        client.get_bucket_location().bucket(name).send().await
    };
    match answer {
        Ok(out) => Some(
            match out.location_constraint().map(|l| l.as_str()).unwrap_or("") {
                "" => "us-east-1".to_string(),
                "EU" => "eu-west-1".to_string(),
                other => other.to_string(),
            },
        ),
        Err(e) => {
            ctx.gap(gaps::sentence(
                "S3 bucket locations",
                "s3:GetBucketLocation",
                "buckets whose region is unknown are not scanned",
                &gaps::classify(&e),
            ));
            None
        }
    }
}

async fn read_bucket(
    ctx: &Ctx,
    client: &aws_sdk_s3::Client,
    name: String,
    region: String,
) -> BucketData {
    let policy = async {
        let answer = {
            let _permit = ctx.permit().await;
            client.get_bucket_policy().bucket(&name).send().await
        };
        match answer {
            Ok(out) => out.policy().and_then(|p| serde_json::from_str(p).ok()),
            Err(e) if gaps::code(&e) == Some("NoSuchBucketPolicy") => None,
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "S3 bucket policies",
                    "s3:GetBucketPolicy",
                    "public-bucket findings may be missing",
                    &gaps::classify(&e),
                ));
                None
            }
        }
    };
    let block = async {
        let answer = {
            let _permit = ctx.permit().await;
            client.get_public_access_block().bucket(&name).send().await
        };
        match answer {
            Ok(out) => out
                .public_access_block_configuration()
                .map(|c| PublicAccessBlockData {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                }),
            Err(e) if gaps::code(&e) == Some("NoSuchPublicAccessBlockConfiguration") => None,
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "S3 public access blocks",
                    "s3:GetBucketPublicAccessBlock",
                    "public-bucket findings may be wrong",
                    &gaps::classify(&e),
                ));
                None
            }
        }
    };
    let notifications = async {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .get_bucket_notification_configuration()
                .bucket(&name)
                .send()
                .await
        };
        match answer {
            Ok(out) => out
                .lambda_function_configurations()
                .iter()
                .map(|c| Notification {
                    id: c.id().map(str::to_string),
                    function_arn: c.lambda_function_arn().to_string(),
                    events: c.events().iter().map(|e| e.as_str().to_string()).collect(),
                })
                .collect(),
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "S3 bucket notifications",
                    "s3:GetBucketNotification",
                    "S3 triggers (and those of deleted functions) may be missing",
                    &gaps::classify(&e),
                ));
                Vec::new()
            }
        }
    };
    let (policy, public_access_block, lambda_notifications) =
        tokio::join!(policy, block, notifications);
    BucketData {
        name,
        region,
        policy,
        public_access_block,
        lambda_notifications,
    }
}
