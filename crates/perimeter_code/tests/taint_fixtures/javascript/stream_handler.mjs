import { execSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import got from 'got';

const notify = async (url, payload) => {
  // ruleid: INJ007
  return got.post(url, { json: payload });
};

export const handler = async (event) => {
  await Promise.all(event.Records.map(async (record) => {
    const image = record.dynamodb.NewImage;
    const file = image.path.S;
    // ruleid: INJ006
    const content = await fs.readFile(file, 'utf8');
    // ruleid: INJ001
    execSync(`gzip ${image.archive.S}`);
    await notify(image.callback.S, { content });
    // ok: INJ007
    await notify('https://hooks.example.com/done', { file });
  }));
  event.Records.forEach((r) => {
    const msg = JSON.parse(r.Sns.Message);
    // ruleid: INJ001
    execSync('echo ' + msg.text);
  });
  return { ok: true };
};
