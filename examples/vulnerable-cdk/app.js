// Orders service in AWS CDK v2, plain JavaScript (DELIBERATELY VULNERABLE, do not deploy).
// `npx cdk synth` writes cdk.out/, which is what perimeter reads (it never runs this file).
'use strict';

const cdk = require('aws-cdk-lib');
const { Stack, Stage, NestedStack, Duration } = cdk;
const lambda = require('aws-cdk-lib/aws-lambda');
const apigw = require('aws-cdk-lib/aws-apigateway');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const iam = require('aws-cdk-lib/aws-iam');
const path = require('path');

// The API and its handler, in a nested stack; the table and the shared layer come from the parent.
class ApiNestedStack extends NestedStack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const handler = new lambda.Function(this, 'OrdersHandler', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'app.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'lambda', 'orders')),
      layers: [props.layer],
      timeout: Duration.seconds(10),
      environment: { TABLE_NAME: props.table.tableName },
    });
    props.table.grantWriteData(handler);
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    handler.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const api = new apigw.RestApi(this, 'OrdersApi', { deployOptions: { stageName: 'prod' } });
    api.root.addResource('orders').addMethod('GET', new apigw.LambdaIntegration(handler));
  }
}

class OrdersStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const table = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    });
    const layer = new lambda.LayerVersion(this, 'SharedLayer', {
      code: lambda.Code.fromAsset(path.join(__dirname, 'layer')),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
    });
    new ApiNestedStack(this, 'Api', { table, layer });
  }
}

// A second stack in a Stage (synthesized into cdk.out/assembly-Prod/).
class ReportsStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const report = new lambda.Function(this, 'ReportFn', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n'),
    });
    report.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  }
}

const app = new cdk.App();
new OrdersStack(app, 'OrdersStack');
const prod = new Stage(app, 'Prod');
new ReportsStack(prod, 'Reports');
app.synth();
