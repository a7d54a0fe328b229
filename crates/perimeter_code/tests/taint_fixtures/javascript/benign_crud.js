const AWS = require('aws-sdk');
const { DynamoDBDocumentClient, QueryCommand, PutCommand } = require('@aws-sdk/lib-dynamodb');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const fs = require('fs');
const path = require('path');

const docClient = new AWS.DynamoDB.DocumentClient();
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const template = fs.readFileSync(path.join(__dirname, 'template.html'), 'utf8');

exports.handler = async (event) => {
  console.log('event', JSON.stringify(event));
  const body = JSON.parse(event.body || '{}');
  const id = event.pathParameters.id;
  const params = {
    TableName: process.env.TABLE,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': id },
  };
  const data = await docClient.query(params).promise();
  await ddb.send(new QueryCommand(params));
  await ddb.send(new PutCommand({ TableName: process.env.TABLE, Item: { id, ...body } }));
  const match = /^[a-z]+$/.exec(id);
  const first = data.Items.find((item) => item.id === id);
  const names = event.Records ? event.Records.map((r) => r.body).join(',') : '';
  setTimeout(() => console.log(names), 10);
  return {
    statusCode: 200,
    body: template.replace('{{id}}', id) + JSON.stringify({ match, first }),
  };
};
