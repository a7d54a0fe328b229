#!/usr/bin/env python3
"""Writes a synthetic project of APPS SAM templates x FUNCS functions (default 20 x 100 = 2,000
functions) for the HTML report's size and rendering measurements: each function has a public
API route, a role shared by ten functions, and a table it can write."""
import os, sys

out = sys.argv[1]
apps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
funcs = int(sys.argv[3]) if len(sys.argv) > 3 else 100
for a in range(apps):
    d = os.path.join(out, f"app{a:02d}")
    os.makedirs(d, exist_ok=True)
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for t in range(funcs // 10):
        lines += [f"  Table{t}:", "    Type: AWS::DynamoDB::Table", "    Properties:",
                  "      BillingMode: PAY_PER_REQUEST",
                  "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]",
                  "      KeySchema: [{AttributeName: id, KeyType: HASH}]"]
        lines += [f"  Role{t}:", "    Type: AWS::IAM::Role", "    Properties:",
                  "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}",
                  "      Policies:", "        - PolicyName: data", "          PolicyDocument:", "            Version: '2012-10-17'",
                  "            Statement:", "              - Effect: Allow", "                Action: ['dynamodb:*']",
                  f"                Resource: !GetAtt Table{t}.Arn"]
    for f in range(funcs):
        lines += [f"  Fn{f}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  "      Runtime: python3.12", "      Handler: app.handler", "      CodeUri: src/",
                  f"      Role: !GetAtt Role{f // 10}.Arn",
                  "      Events:", "        Api:", "          Type: Api",
                  f"          Properties: {{Path: /items/{f}, Method: get}}"]
    with open(os.path.join(d, "template.yaml"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
