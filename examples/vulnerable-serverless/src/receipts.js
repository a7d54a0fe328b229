// Receipt handlers (DELIBERATELY VULNERABLE, do not deploy).
'use strict';

const { exec } = require('child_process');
const { promisify } = require('util');
const fs = require('fs');
const AWS = require('aws-sdk');
const axios = require('axios');

const run = promisify(exec);
const s3 = new AWS.S3();
const BUCKET = process.env.RECEIPTS_BUCKET;

// Function URL: GET ?order=…&template=…
exports.download = async (event) => {
  const q = event.queryStringParameters || {};
  // VULN: file path built from the query string, path traversal (INJ006)
  const template = fs.readFileSync(`/var/task/templates/${q.template || 'default'}.html`, 'utf8');
  if (q.logoUrl) {
    // VULN: server-side request to a URL from the query string, with axios 0.21.1 (INJ007)
    await axios.get(q.logoUrl);
  }
  return { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: template.replace('{{order}}', q.order) };
};

// S3 ObjectCreated on the receipts bucket: render an uploaded HTML receipt to PDF.
exports.process = async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const obj = await s3.getObject({ Bucket: BUCKET, Key: key }).promise();
    fs.writeFileSync('/tmp/in.html', obj.Body);
    // VULN: OS command built from the S3 object key (INJ001)
    await run(`wkhtmltopdf /tmp/in.html "/tmp/${key}.pdf"`);
    // This is the recursion that DOW003 reports on serverless.yml (the s3 event of processUpload).
    await s3.putObject({ Bucket: BUCKET, Key: `${key}.pdf`, Body: fs.readFileSync(`/tmp/${key}.pdf`) }).promise(); // VULN: file path from the S3 object key (INJ006)
  }
};
