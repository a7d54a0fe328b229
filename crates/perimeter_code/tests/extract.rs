//! SDK call extraction on idioms each SDK is written in, one snippet per idiom.

mod common;

use common::call_line;
use perimeter_code::{lang, sdk};

fn calls(path: &str, src: &str) -> String {
    let language = lang::language_of(path);
    let tree = lang::parse(language, path, src).expect("parses");
    let ex = sdk::extract(language, path, src, &tree);
    let mut lines: Vec<String> = ex.calls.iter().map(call_line).collect();
    lines.extend(ex.unrecognized.iter().map(|u| format!("unrecognized {u}")));
    lines.join("\n")
}

#[test]
fn python_idioms() {
    let src = r#"
import os
import boto3
from boto3.dynamodb.conditions import Key

TABLE = os.environ.get("TABLE")
s3 = boto3.Session(profile_name="x").client("s3")
ddb = boto3.resource("dynamodb", region_name="eu-west-1")

class Repo:
    def __init__(self):
        self.table = ddb.Table(TABLE)
        self.sfn = boto3.client("stepfunctions")

    def save(self, item):
        self.table.put_item(Item=item)
        self.table.query(KeyConditionExpression=Key("id").eq(1))
        self.sfn.start_execution(stateMachineArn=os.environ["MACHINE"])

def handler(event, context):
    s3.download_fileobj("bucket-a", "k", open("/tmp/x", "wb"))
    s3.list_objects_v2(Bucket=os.getenv("B"))
    boto3.client("ssm").get_parameter(Name="/app/db-url", WithDecryption=True)
    boto3.resource("s3").Object("bucket-b", "key").get()
    boto3.client("kinesis").put_record(StreamName=event["s"], Data=b"x", PartitionKey="p")
    boto3.client("not-a-service").do_it()

from boto3 import client as mk_client, resource
import boto3 as b3

def other(event, context):
    mk_client("sts").get_caller_identity()
    resource("sqs").Queue(os.environ["Q"]).send_message(MessageBody="x")
    b3.client("events").put_events(Entries=[])
    s3.generate_presigned_url("put_object", Params={"Bucket": TABLE, "Key": "k"}, ExpiresIn=60)
"#;
    insta::assert_snapshot!(calls("app.py", src));
}

#[test]
fn javascript_v2_idioms() {
    let src = r#"
import AWS from 'aws-sdk';
const S3 = require('aws-sdk/clients/s3');
const { SQS } = require('aws-sdk');
const { DocumentClient } = require('aws-sdk/clients/dynamodb');

const s3 = new S3();
const queue = new SQS({ apiVersion: '2012-11-05' });

export async function handler(event) {
  await new AWS.DynamoDB.DocumentClient().update({ TableName: process.env.T, Key: {} }).promise();
  await s3.upload({ Bucket: 'up', Key: 'k', Body: 'b' }).promise();
  await queue.sendMessageBatch({ QueueUrl: process.env.Q, Entries: [] }).promise();
  await new AWS.Lambda().invoke({ FunctionName: `fn-${event.x}` }).promise();
  await new AWS.StepFunctions().startExecution({ stateMachineArn: 'x' }).promise();
  await s3.fetchEverything({ Bucket: 'up' });
  await new DocumentClient().query({ TableName: 'by-user' }).promise();
  s3.getSignedUrl('getObject', { Bucket: 'up', Key: 'k' });
}
"#;
    insta::assert_snapshot!(calls("handler.mjs", src));
}

#[test]
fn typescript_v3_idioms() {
    let src = r#"
import * as ddb from "@aws-sdk/client-dynamodb";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";

const client = new ddb.DynamoDBClient({});
const doc = DynamoDBDocument.from(client);
const sqs = new SQSClient({}) as SQSClient;
const table = process.env["TABLE"] ?? "fallback";

class Repo {
  private readonly ddb = new ddb.DynamoDB({});
  async save(item: any) {
    await this.ddb.putItem({ TableName: table, Item: item });
  }
}

export const handler = async (event: any): Promise<void> => {
  await client.send(new ddb.GetItemCommand({ TableName: table, Key: {} }));
  await doc.put({ TableName: table, Item: {} });
  const cmd = new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL!, MessageBody: "x" });
  await sqs.send(cmd);
  await new EventBridgeClient({}).send(new PutEventsCommand({ Entries: [] }));
  await sqs.send(somethingElse);
};
"#;
    insta::assert_snapshot!(calls("handler.ts", src));
}

#[test]
fn go_v1_and_v2_idioms() {
    let src = r#"
package main

import (
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go/service/sns"
)

const topic = "arn:aws:sns:eu-west-1:123456789012:t"

func handler(ctx context.Context) error {
	svc := sns.New(session.Must(session.NewSession()))
	svc.Publish(&sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")})
	c := sm.NewFromConfig(cfg)
	c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(os.Getenv("SECRET"))})
	return nil
}
"#;
    insta::assert_snapshot!(calls("main.go", src));
}

#[test]
fn java_v2_idioms() {
    let src = r#"
package shop;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.sqs.*;
import software.amazon.awssdk.services.sqs.model.*;

public class Handler {
    private static final String BUCKET = "invoices";

    public void handle(String key) {
        S3Client s3 = S3Client.create();
        s3.getObject(GetObjectRequest.builder().bucket(BUCKET).key(key).build());
        SqsClient sqs = SqsClient.builder().build();
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(System.getenv("QUEUE")).messageBody(key).build());
        s3.listObjectsV2Paginator(b -> b.bucket(BUCKET));
        s3.frobnicate();
    }
}
"#;
    insta::assert_snapshot!(calls("Handler.java", src));
}

/// Pathological nesting in an untrusted file neither overflows the stack nor hangs.
#[test]
fn deep_nesting_is_bounded() {
    let chain = ".x".repeat(50_000);
    let js = format!(
        "const AWS = require('aws-sdk');\nnew AWS.S3(){chain}.getObject({{ Bucket: 'b' }});\n"
    );
    assert_eq!(calls("deep.js", &js), "");
    let py = format!("import boto3\nboto3.client('s3'){chain}.get_object(Bucket='b')\n");
    assert_eq!(calls("deep.py", &py), "");
    let parens = format!(
        "import boto3\nx = {}boto3.client('s3'){}\nx.get_object(Bucket='b')\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(calls("parens.py", &parens).is_empty());
}
