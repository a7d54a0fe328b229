// Order API handlers (DELIBERATELY VULNERABLE, do not deploy).
'use strict';

const AWS = require('aws-sdk');
const moment = require('moment');
const jwt = require('jsonwebtoken');

const db = new AWS.DynamoDB();
const TABLE = process.env.ORDERS_TABLE;

// POST /orders
exports.create = async (event) => {
  const order = JSON.parse(event.body || '{}');
  // "Authentication": the token is decoded, never verified.
  // VULN: JWT decoded without signature verification (AUTH, planned)
  const user = jwt.decode((event.headers.Authorization || '').replace('Bearer ', '')) || {};
  // Shop admins can send a pricing rule such as "total * 0.9".
  // VULN: eval of a request body field (INJ002)
  const total = eval(order.pricingRule || 'order.total');
  const item = {
    id: { S: order.id },
    customer: { S: String(user.sub || 'anonymous') },
    total: { N: String(total) },
    createdAt: { S: moment().format() },
  };
  await db.putItem({ TableName: TABLE, Item: item }).promise();
  return { statusCode: 201, body: JSON.stringify({ id: order.id }) };
};

// GET /orders/{id}
exports.get = async (event) => {
  const id = event.pathParameters.id;
  // VULN: PartiQL statement built by string concatenation from the path (INJ005)
  const res = await db.executeStatement({ Statement: `SELECT * FROM "${TABLE}" WHERE id = '${id}'` }).promise();
  return { statusCode: 200, body: JSON.stringify(res.Items) };
};

// GET /orders?customer=…&since=…
exports.list = async (event) => {
  const q = event.queryStringParameters || {};
  // Date parsing of attacker input with moment 2.29.1: ReDoS, CVE-2022-31129 (DEP002 on package-lock.json).
  const since = moment(q.since).toISOString();
  // VULN: filter expression built from the query string (INJ005)
  const res = await db
    .scan({ TableName: TABLE, FilterExpression: `customer = ${q.customer} AND createdAt > :since`, ExpressionAttributeValues: { ':since': { S: since } } })
    .promise();
  return { statusCode: 200, body: JSON.stringify(res.Items) };
};
