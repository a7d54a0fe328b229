//! Two versions of a small SAM app for the history tests.

use std::path::Path;

pub const V1: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: orders
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: '*'
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
            Auth:
              Authorizer: AWS_IAM
"#;

/// V1 with the authorizer dropped, admin rights, a changed variable and a new function.
pub const V2: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: orders-secret-value
      Policies:
        - Statement:
            - Effect: Allow
              Action: '*'
              Resource: '*'
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
  Export:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      FunctionUrlConfig:
        AuthType: NONE
"#;

pub fn write_app(dir: &Path, template: &str, code: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    std::fs::write(
        dir.join("src/app.py"),
        format!("def handler(event, context):\n    return {code:?}\n"),
    )
    .unwrap();
}
