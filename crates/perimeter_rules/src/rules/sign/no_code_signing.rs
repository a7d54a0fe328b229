//! ## What it does
//! Flags zip-packaged functions that have no code signing configuration
//! (`CodeSigningConfigArn`). Container-image functions are out of scope (sign images with
//! your registry's tooling instead).
//!
//! ## Why is this bad?
//! Without code signing, Lambda deploys whatever zip it is handed by anyone with
//! `lambda:UpdateFunctionCode`: a compromised CI token, a leaked deploy key or an over-privileged
//! developer role is enough to replace the function's code with a backdoor that runs with the
//! function's role. A code signing configuration with `UntrustedArtifactOnDeployment: Enforce`
//! makes Lambda reject any package not signed by your AWS Signer profiles. This is a defense in
//! depth finding (low).
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Payments:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   SigningProfile:
//!     Type: AWS::Signer::SigningProfile
//!     Properties:
//!       PlatformId: AWSLambda-SHA384-ECDSA
//!   SigningConfig:
//!     Type: AWS::Lambda::CodeSigningConfig
//!     Properties:
//!       AllowedPublishers:
//!         SigningProfileVersionArns: [!GetAtt SigningProfile.ProfileVersionArn]
//!       CodeSigningPolicies:
//!         UntrustedArtifactOnDeployment: Enforce
//!   Payments:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       CodeSigningConfigArn: !Ref SigningConfig
//! ```
//!
//! ## Remediation
//! Create an AWS Signer signing profile and an `AWS::Lambda::CodeSigningConfig` that allows it
//! with `UntrustedArtifactOnDeployment: Enforce`, attach it with `CodeSigningConfigArn`, and sign
//! packages in CI (`sam deploy --signing-profiles`).
//!
//! ## References
//! - CWE-494: Download of Code Without Integrity Check
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
//! - https://docs.aws.amazon.com/signer/latest/developerguide/Welcome.html

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct NoCodeSigning;

static META: RuleMeta = RuleMeta {
    code: "SIGN001",
    name: "no-code-signing",
    family: Family::Sign,
    summary: "Zip-packaged function without a code signing configuration",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("no_code_signing.rs"),
};

const REMEDIATION: &str = "Attach a CodeSigningConfig (AWS Signer profile, UntrustedArtifactOnDeployment: Enforce) with CodeSigningConfigArn and sign packages in CI.";

impl Rule for NoCodeSigning {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            if function.code_signing.is_some() {
                continue;
            }
            if !function
                .package_type
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case("Zip"))
            {
                continue;
            }
            out.push(Finding::new(
                &META,
                &app.id,
                Some(&function.id),
                &function.id,
                "code-signing",
                format!(
                    "Function `{}` has no code signing configuration: Lambda deploys any zip uploaded with deploy credentials, signed or not.",
                    function_label(function)
                ),
                function.location.clone(),
                REMEDIATION,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::Attr;

    #[test]
    fn fires_on_unsigned_zip_only() {
        let mut app = app();
        let mut signed = function("Signed");
        signed.code_signing = Some(Attr::explicit("${Csc}".into(), loc(9)));
        let mut image = function("Image");
        image.package_type = Attr::explicit("Image".into(), loc(9));
        let mut unresolved = function("Unresolved");
        unresolved.package_type = Attr::unresolved("Ref Pkg", loc(9));
        app.functions
            .extend([function("Plain"), signed, image, unresolved]);
        let found = run(&NoCodeSigning, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "Plain");
    }
}
