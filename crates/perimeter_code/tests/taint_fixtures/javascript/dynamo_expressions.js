// Orders search over DynamoDB expressions, and a queue worker forwarding merged messages.
const AWS = require('aws-sdk');
const { DynamoDBDocumentClient, QueryCommand } = require('@aws-sdk/lib-dynamodb');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const _ = require('lodash');
const axios = require('axios');

const db = new AWS.DynamoDB.DocumentClient();
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.TABLE;

exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  // ruleid: INJ005
  await db.scan({ TableName: TABLE, FilterExpression: `customer = ${q.customer}` }).promise();
  // ok: INJ005
  await db.scan({ TableName: TABLE, FilterExpression: 'customer = :c', ExpressionAttributeValues: { ':c': q.customer } }).promise();
  // ruleid: INJ005
  await doc.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ProjectionExpression: q.fields, ExpressionAttributeValues: { ':p': q.pk } }));
  // ok: INJ005
  await doc.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': q.pk } }));
  for (const record of event.Records || []) {
    const order = _.merge({}, JSON.parse(record.body));
    // ruleid: INJ007
    await axios.post(order.callback, { id: order.id });
    const settings = Object.assign({}, { retries: 3 });
    // ok: INJ007
    await axios.post('https://warehouse.example.com/hook', settings);
  }
  return { statusCode: 200 };
};
