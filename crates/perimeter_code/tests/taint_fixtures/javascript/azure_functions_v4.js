// Azure Functions, Node.js v4 programming model: functions are registered by name with
// app.http(...), and the handler gets (request, context).
// handler: orders, lookup
const { app } = require('@azure/functions');
const { exec } = require('child_process');

app.http('orders', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: async (request, context) => {
    const id = request.query.get('id');
    const payload = await request.json();
    // ruleid: INJ001
    exec('grep ' + id + ' /tmp/orders.csv');
    // ruleid: INJ002
    eval(payload.expression);
    // ok: INJ001
    exec('uptime');
    context.log('orders');
    return { body: 'ok' };
  },
});

async function lookup(request, context) {
  const term = request.params.term;
  // ruleid: INJ001
  exec(`grep ${term} /tmp/catalog.csv`);
  return { body: term };
}

app.http('lookup', { methods: ['GET'], route: 'lookup/{term}', handler: lookup });
