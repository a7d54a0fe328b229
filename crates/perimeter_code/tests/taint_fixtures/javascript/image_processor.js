const { exec, execSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const util = require('util');
const AWS = require('aws-sdk');

const s3 = new AWS.S3();
const execAsync = util.promisify(exec);

async function convert(key) {
  const input = `/tmp/${key}`;
  // ruleid: INJ001
  await execAsync(`convert ${input} -resize 50% /tmp/thumb.png`);
  return '/tmp/thumb.png';
}

exports.handler = async (event) => {
  const results = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const obj = await s3.getObject({ Bucket: bucket, Key: key }).promise();
    // ruleid: INJ006
    fs.writeFileSync('/tmp/' + key, obj.Body);
    const thumb = await convert(key);
    // ruleid: INJ001
    execSync('exiftool -all= /tmp/' + key);
    // ok: INJ001
    execSync('rm -rf /tmp/*');
    // ruleid: INJ001
    spawn('sh', ['-c', `identify /tmp/${key}`]);
    // ok: INJ001
    spawn('identify', [`/tmp/${key}`]);
    // ruleid: INJ001
    spawn('identify', [key], { shell: true });
    const safe = path.basename(key);
    // ok: INJ006
    const data = fs.readFileSync(path.join('/tmp', safe));
    // ok: INJ001
    exec('ls /tmp', (err, out) => console.log(out));
    results.push({ thumb, size: data.length });
  }
  return results;
};
