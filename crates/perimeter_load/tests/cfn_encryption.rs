//! Customer managed KMS keys on data resources are kept (least-privilege needs the key too);
//! AWS-managed keys are not.

use perimeter_load::{LoadOptions, load_path};

#[test]
fn customer_keys_are_kept_and_aws_managed_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataKey:
    Type: AWS::KMS::Key
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
        KMSMasterKeyId: arn:aws:kms:us-east-1:111122223333:key/abcd
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/aws/sqs
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !Ref DataKey
  Secret:
    Type: AWS::SecretsManager::Secret
"#,
    )
    .unwrap();
    let model = load_path(dir.path(), &LoadOptions::default()).unwrap();
    let app = &model.apps[0];
    let key = |id: &str| {
        app.resource(id)
            .unwrap()
            .kms_key
            .as_ref()
            .and_then(|k| k.as_str().map(str::to_string))
    };
    assert_eq!(key("Bucket").as_deref(), Some("DataKey"));
    assert_eq!(key("Topic").as_deref(), Some("DataKey"));
    assert_eq!(
        key("Table").as_deref(),
        Some("arn:aws:kms:us-east-1:111122223333:key/abcd")
    );
    assert_eq!(key("Queue"), None, "AWS-managed key");
    assert_eq!(key("Secret"), None, "default key");
}
