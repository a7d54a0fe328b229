// Azure Functions, Node.js v3 programming model: the module's single export gets
// (context, req); the trigger's data is the second parameter.
// handler: default
const { execSync } = require('child_process');
const fs = require('fs');
const axios = require('axios');

module.exports = async function (context, req) {
  const id = req.params.id || '';
  const name = req.query.name;
  const body = req.body || {};
  // ruleid: INJ001
  const out = execSync('grep ' + id + ' /tmp/orders.csv').toString();
  // ruleid: INJ006
  const file = fs.readFileSync('/srv/reports/' + name);
  // ruleid: INJ007
  await axios.get(body.callback);
  // ok: INJ001
  execSync('date');
  context.log('done', context.invocationId);
  context.res = { status: 200, body: out + file };
};
