import middy from '@middy/core';
import jsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { runInNewContext } from 'vm';
import * as fs from 'fs';

const baseHandler = async (event: APIGatewayProxyEvent & { body: { template: string; file: string } }) => {
  const { template, file } = event.body;
  // ruleid: INJ002
  const rendered = runInNewContext('`' + template + '`', { now: Date.now() });
  // ruleid: INJ006
  fs.unlinkSync(`/tmp/${file}`);
  // ok: INJ002
  runInNewContext('1 + 1');
  return { statusCode: 200, body: String(rendered) };
};

export const handler = middy(baseHandler).use(jsonBodyParser());
