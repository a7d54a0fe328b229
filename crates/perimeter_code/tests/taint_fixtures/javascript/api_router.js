'use strict';
const vm = require('vm');
const axios = require('axios');
const https = require('https');
const serialize = require('node-serialize');
const { Client } = require('pg');
const mysql = require('mysql');
const format = require('pg-format');

const client = new Client();
const connection = mysql.createConnection(process.env.MYSQL_URL);
const ALLOWED_REPORTS = ['daily', 'weekly'];

function buildQuery(table, id) {
  return 'SELECT * FROM ' + table + ' WHERE id = ' + id;
}

module.exports.handler = async function (event, context) {
  const body = JSON.parse(event.body || '{}');
  const { id, report } = event.queryStringParameters;
  // ruleid: INJ002
  const value = eval(body.expression);
  // ok: INJ002
  eval('2 + 2');
  // ruleid: INJ002
  const fn = new Function('x', 'return ' + body.formula);
  // ruleid: INJ002
  vm.runInNewContext(body.script, { value });
  // ruleid: INJ002
  setTimeout('process(' + id + ')', 100);
  // ok: INJ002
  setTimeout(() => fn(value), 100);
  // ruleid: INJ003
  const session = serialize.unserialize(Buffer.from(event.headers.cookie, 'base64').toString());
  // ruleid: INJ004
  await client.query(buildQuery('orders', id));
  // ok: INJ004
  await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  // ruleid: INJ004
  await client.query({ text: `SELECT * FROM users WHERE name = '${body.name}'` });
  // ruleid: INJ004
  connection.query('SELECT * FROM items WHERE sku = "' + body.sku + '"', (err, rows) => rows);
  // ok: INJ004
  connection.query('SELECT * FROM items WHERE sku = ' + connection.escape(body.sku));
  // ok: INJ004
  await client.query(format('SELECT * FROM users WHERE name = %L', body.name));
  const limit = parseInt(event.queryStringParameters.limit, 10);
  // ok: INJ004
  await client.query(`SELECT * FROM orders LIMIT ${limit}`);
  if (!ALLOWED_REPORTS.includes(report)) {
    return { statusCode: 400 };
  }
  // ok: INJ004
  await client.query(`SELECT * FROM reports_${report}`);
  // ruleid: INJ007
  const hook = await axios.get(body.webhook);
  // ok: INJ007
  await axios.post('https://hooks.example.com/notify', { id });
  // ok: INJ007
  await axios.get(`https://api.example.com/items/${id}`);
  // ruleid: INJ007
  https.get(body.imageUrl, (res) => res.resume());
  // ruleid: INJ007
  await fetch(`${body.baseUrl}/status`);
  // ruleid: INJ007
  await axios({ method: 'get', url: body.target });
  return { statusCode: 200, body: JSON.stringify({ value, session, hook: hook.status }) };
};
