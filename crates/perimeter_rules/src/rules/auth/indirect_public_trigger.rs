//! ## What it does
//! Flags functions triggered by a bucket, topic or queue that anyone can write to: a resource
//! policy allowing principal `*` to `s3:PutObject`, `sns:Publish` or `sqs:SendMessage` (or a
//! wildcard covering it) without a condition narrowing who, or a bucket ACL `PublicReadWrite`
//! (unless S3 Block Public Access neutralises it).
//!
//! ## Why is this bad?
//! The function is public even though it has no HTTP endpoint: anyone can upload an object,
//! publish a message or enqueue a job, and the function runs on it with its role's permissions.
//! Attackers get a free channel to feed crafted input to your code (parsers of uploaded files
//! are a classic target), and to invoke it as often as they like at your expense.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Inbox:
//!     Type: AWS::SNS::Topic
//!   InboxPolicy:
//!     Type: AWS::SNS::TopicPolicy
//!     Properties:
//!       Topics: [!Ref Inbox]
//!       PolicyDocument:
//!         Version: '2012-10-17'
//!         Statement:
//!           - Effect: Allow
//!             Principal: '*'
//!             Action: sns:Publish
//!             Resource: !Ref Inbox
//!   Processor:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Messages:
//!           Type: SNS
//!           Properties:
//!             Topic: !Ref Inbox
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Inbox:
//!     Type: AWS::SNS::Topic
//!   InboxPolicy:
//!     Type: AWS::SNS::TopicPolicy
//!     Properties:
//!       Topics: [!Ref Inbox]
//!       PolicyDocument:
//!         Version: '2012-10-17'
//!         Statement:
//!           - Effect: Allow
//!             Principal: '*'
//!             Action: sns:Publish
//!             Resource: !Ref Inbox
//!             Condition:
//!               StringEquals:
//!                 aws:PrincipalOrgID: o-a1b2c3d4e5
//!   Processor:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Messages:
//!           Type: SNS
//!           Properties:
//!             Topic: !Ref Inbox
//! ```
//!
//! ## Remediation
//! Name the principals that may write (accounts, roles, or the AWS service with `aws:SourceArn`),
//! or narrow `*` with `aws:PrincipalOrgID` / `aws:SourceAccount`. For buckets, remove the
//! `PublicReadWrite` ACL and turn on S3 Block Public Access. If uploads from the public are the
//! point (a drop box), validate and size-limit them before the function parses them (presigned
//! URLs with conditions), and throttle the function.
//!
//! ## References
//! - CWE-284: Improper Access Control
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
//! - https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
//! - https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html

use crate::exposure::function_exposure;
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct IndirectPublicTrigger;

static META: RuleMeta = RuleMeta {
    code: "AUTH006",
    name: "indirect-public-trigger",
    family: Family::Auth,
    summary: "Function triggered by a bucket, topic or queue that anyone can write to",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("indirect_public_trigger.rs"),
};

const REMEDIATION: &str = "Restrict who may write to the resource (named principals, or `*` narrowed with aws:PrincipalOrgID/aws:SourceAccount); for buckets drop the public ACL and enable Block Public Access.";

impl Rule for IndirectPublicTrigger {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            for entry in function_exposure(app, function).entry_points {
                let (Some(why), Some(resource_id)) = (&entry.public_because, &entry.source) else {
                    continue;
                };
                let Some(resource) = app.resource(resource_id) else {
                    continue;
                };
                let kind = match resource.type_name.as_str() {
                    t if t.contains("S3") => "Bucket",
                    t if t.contains("SNS") => "Topic",
                    t if t.contains("SQS") => "Queue",
                    _ => "Resource",
                };
                out.push(
                    Finding::new(
                        &META,
                        &app.id,
                        Some(&function.id),
                        &resource.id,
                        &function.id,
                        format!(
                            "{kind} `{}` can be written by anyone ({}) and triggers function `{}`: anyone can invoke it with input of their choosing.",
                            resource.id, why.reason, function_label(function)
                        ),
                        // The fix is in the policy or ACL, so that is where the finding points.
                        why.location.clone(),
                        REMEDIATION,
                    )
                    .with_related(
                        format!("{kind} `{}` triggers function `{}`", resource.id, function_label(function)),
                        entry.location.clone(),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{
        Attr, Principal, PrincipalKind, Resource, ResourceKind, Statement, TriggerKind,
    };

    #[test]
    fn fires_on_public_topic_not_on_private_queue() {
        let mut app = app();
        let mut topic = Resource::new("Inbox", ResourceKind::Topic, "AWS::SNS::Topic", loc(10));
        let mut s = Statement::new(loc(12));
        s.principals.push(Principal {
            kind: PrincipalKind::Aws,
            value: Attr::explicit("*".into(), loc(13)),
        });
        s.actions.push(Attr::explicit("SNS:*".into(), loc(14)));
        topic.policy.push(s);
        app.resources.push(topic);
        app.resources.push(Resource::new(
            "Jobs",
            ResourceKind::Queue,
            "AWS::SQS::Queue",
            loc(20),
        ));
        let mut f = function("Fn");
        f.triggers
            .push(source_trigger("Msg", TriggerKind::Sns, "Inbox"));
        f.triggers
            .push(source_trigger("Job", TriggerKind::Sqs, "Jobs"));
        app.functions.push(f);
        let found = run(&IndirectPublicTrigger, &app);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].resource, "Inbox");
        assert_eq!(
            found[0].location,
            loc(13),
            "the `*` principal of the topic policy"
        );
        assert_eq!(found[0].related[0].location, loc(40), "the trigger");
        assert!(found[0].message.contains("Topic `Inbox`"));
    }
}
