// Nightly sales report, mailed to the shop owner.
'use strict';

const AWS = require('aws-sdk');
const moment = require('moment');

const db = new AWS.DynamoDB.DocumentClient();

exports.handler = async () => {
  const since = moment().subtract(1, 'day').toISOString();
  const res = await db
    .scan({
      TableName: process.env.ORDERS_TABLE,
      FilterExpression: 'createdAt > :since',
      ExpressionAttributeValues: { ':since': since },
    })
    .promise();
  const total = res.Items.reduce((sum, o) => sum + Number(o.total), 0);
  console.log(JSON.stringify({ orders: res.Items.length, total }));
};
