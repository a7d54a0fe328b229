//! IAM: the roles Lambda can assume (trust policy naming `lambda.amazonaws.com`) and every
//! role a function uses, with their inline policies, attached customer managed policies
//! (default version's document) and the ARNs of attached AWS managed policies (perimeter's
//! IAM engine knows their content). IAM returns documents URL-encoded: they are decoded here.

use super::Ctx;
use super::gaps;
use aws_config::SdkConfig;
use aws_sdk_iam::Client;
use futures_util::future::join_all;
use perimeter_load::snapshot::{PolicyData, RoleData, decode_policy_document};
use std::collections::BTreeMap;

const CONSEQUENCE: &str = "IAM findings on function roles may be missing";

/// IAM lists page with `IsTruncated` + `Marker`: the next marker only while truncated.
fn next_marker(truncated: bool, marker: Option<&str>) -> Option<String> {
    truncated.then(|| marker.map(str::to_string)).flatten()
}

pub(crate) async fn read_roles(ctx: &Ctx, conf: &SdkConfig, used: &[String]) -> Vec<RoleData> {
    let client = Client::new(conf);
    let mut listed = Vec::new();
    ctx.pages(
        |marker| client.list_roles().set_marker(marker).send(),
        |page| {
            listed.extend(page.roles().iter().cloned());
            next_marker(page.is_truncated(), page.marker())
        },
        ("IAM roles", "iam:ListRoles", CONSEQUENCE),
    )
    .await;
    let selected: Vec<(String, String, Option<serde_json::Value>)> = listed
        .iter()
        .map(|r| {
            let trust = r
                .assume_role_policy_document()
                .and_then(decode_policy_document);
            (r.arn().to_string(), r.role_name().to_string(), trust)
        })
        .filter(|(arn, _, trust)| {
            used.contains(arn)
                || trust
                    .as_ref()
                    .is_some_and(|t| t.to_string().contains("lambda.amazonaws.com"))
        })
        .collect();
    let mut roles = join_all(
        selected
            .into_iter()
            .map(|(arn, name, trust)| read_role(ctx, &client, arn, name, trust)),
    )
    .await;
    roles.sort_by(|a, b| a.arn.cmp(&b.arn));
    roles
}

async fn read_role(
    ctx: &Ctx,
    client: &Client,
    arn: String,
    name: String,
    trust: Option<serde_json::Value>,
) -> RoleData {
    let (details, inline, attached) = tokio::join!(
        role_details(ctx, client, &name),
        inline_policies(ctx, client, &name),
        attached_policies(ctx, client, &name),
    );
    let (permissions_boundary, tags) = details;
    RoleData {
        arn,
        name,
        trust,
        inline_policies: inline,
        attached_policies: attached,
        permissions_boundary,
        tags,
    }
}

/// `GetRole`: the permissions boundary and tags (`ListRoles` returns neither).
async fn role_details(
    ctx: &Ctx,
    client: &Client,
    name: &str,
) -> (Option<String>, BTreeMap<String, String>) {
    let answer = {
        let _permit = ctx.permit().await;
        client.get_role().role_name(name).send().await
    };
    match answer {
        Ok(out) => {
            let role = out.role();
            let boundary = role
                .and_then(|r| r.permissions_boundary())
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string);
            let tags = role
                .map(|r| {
                    r.tags()
                        .iter()
                        .map(|t| (t.key().to_string(), t.value().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            (boundary, tags)
        }
        Err(e) => {
            ctx.gap(gaps::sentence(
                "role permissions boundaries",
                "iam:GetRole",
                "findings may ignore a boundary that narrows a role",
                &gaps::classify(&e),
            ));
            (None, BTreeMap::new())
        }
    }
}

async fn inline_policies(ctx: &Ctx, client: &Client, role: &str) -> Vec<PolicyData> {
    let mut names = Vec::new();
    ctx.pages(
        |marker| {
            client
                .list_role_policies()
                .role_name(role)
                .set_marker(marker)
                .send()
        },
        |page| {
            names.extend(page.policy_names().iter().cloned());
            next_marker(page.is_truncated(), page.marker())
        },
        ("inline role policies", "iam:ListRolePolicies", CONSEQUENCE),
    )
    .await;
    join_all(names.into_iter().map(|policy| async move {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .get_role_policy()
                .role_name(role)
                .policy_name(&policy)
                .send()
                .await
        };
        let document = match answer {
            Ok(out) => decode_policy_document(out.policy_document()),
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "inline role policies",
                    "iam:GetRolePolicy",
                    CONSEQUENCE,
                    &gaps::classify(&e),
                ));
                None
            }
        };
        PolicyData {
            name: policy,
            arn: None,
            document,
        }
    }))
    .await
}

async fn attached_policies(ctx: &Ctx, client: &Client, role: &str) -> Vec<PolicyData> {
    let mut listed: Vec<(String, String)> = Vec::new();
    ctx.pages(
        |marker| {
            client
                .list_attached_role_policies()
                .role_name(role)
                .set_marker(marker)
                .send()
        },
        |page| {
            listed.extend(
                page.attached_policies().iter().filter_map(|p| {
                    Some((p.policy_name()?.to_string(), p.policy_arn()?.to_string()))
                }),
            );
            next_marker(page.is_truncated(), page.marker())
        },
        (
            "attached role policies",
            "iam:ListAttachedRolePolicies",
            CONSEQUENCE,
        ),
    )
    .await;
    join_all(listed.into_iter().map(|(name, arn)| async move {
        // AWS managed policies: the IAM engine's embedded data has them.
        let document = if arn.contains(":iam::aws:policy/") {
            None
        } else {
            managed_document(ctx, client, &arn).await
        };
        PolicyData {
            name,
            arn: Some(arn),
            document,
        }
    }))
    .await
}

/// The default version's document of a customer managed policy.
async fn managed_document(ctx: &Ctx, client: &Client, arn: &str) -> Option<serde_json::Value> {
    let answer = {
        let _permit = ctx.permit().await;
        client.get_policy().policy_arn(arn).send().await
    };
    let version = match answer {
        Ok(out) => out
            .policy()
            .and_then(|p| p.default_version_id())
            .map(str::to_string)?,
        Err(e) => {
            ctx.gap(gaps::sentence(
                "customer managed policies",
                "iam:GetPolicy",
                CONSEQUENCE,
                &gaps::classify(&e),
            ));
            return None;
        }
    };
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
    };
    match answer {
        Ok(out) => out
            .policy_version()
            .and_then(|v| v.document())
            .and_then(decode_policy_document),
        Err(e) => {
            ctx.gap(gaps::sentence(
                "customer managed policies",
                "iam:GetPolicyVersion",
                CONSEQUENCE,
                &gaps::classify(&e),
            ));
            None
        }
    }
}
