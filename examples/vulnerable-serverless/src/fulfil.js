// SQS: forward paid orders to the warehouse (DELIBERATELY VULNERABLE, do not deploy).
'use strict';

const axios = require('axios');
const _ = require('lodash');

exports.handler = async (event) => {
  for (const record of event.Records) {
    // Deep merge of message JSON with lodash 4.17.15: prototype pollution, CVE-2020-8203 (DEP002 on package-lock.json).
    const order = _.merge({}, JSON.parse(record.body));
    // VULN: request to a URL taken from the message (INJ007)
    await axios.post(order.warehouseCallback, { id: order.id, items: order.items });
  }
};
