// Function URL: export a user's album as an archive (DELIBERATELY VULNERABLE, do not deploy).
'use strict';

const { execSync } = require('child_process');
const _ = require('lodash');
const AWS = require('aws-sdk');
const fetch = require('node-fetch');

const s3 = new AWS.S3({
  accessKeyId: process.env.PARTNER_ACCESS_KEY_ID,
  secretAccessKey: process.env.PARTNER_SECRET_ACCESS_KEY,
});

const DEFAULTS = { format: 'zip', quality: 'original' };

exports.handler = async (event) => {
  const query = event.queryStringParameters || {};
  const body = event.body ? JSON.parse(event.body) : {};
  // Deep merge of request JSON with lodash 4.17.15: prototype pollution, CVE-2020-8203 (DEP002 on package-lock.json).
  const options = _.merge({}, DEFAULTS, body.options);
  const album = query.album || 'default';
  // VULN: shell command built from the query string (INJ001)
  execSync(`aws s3 sync s3://snapshare-photo-uploads-dev/${album} /tmp/${album} && tar czf /tmp/out.tgz /tmp/${album}`);
  const archive = require('fs').readFileSync('/tmp/out.tgz');
  await s3.putObject({ Bucket: 'snapshare-partner-exports', Key: `${album}.${options.format}`, Body: archive }).promise();
  if (body.callbackUrl) {
    // VULN: server-side request to a URL taken from the request body (INJ007)
    await fetch(body.callbackUrl, { method: 'POST', body: JSON.stringify({ album }) });
  }
  return { statusCode: 200, body: JSON.stringify({ key: `${album}.${options.format}` }) };
};
