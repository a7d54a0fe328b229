import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MongoClient } from 'mongodb';
import * as serialize from 'node-serialize';

const client = new MongoClient(process.env.MONGO_URL!);

export const handler = async (event: APIGatewayProxyEventV2) => {
  const sessions = client.db('app').collection('sessions');
  const cookie = event.cookies?.find((c) => c.startsWith('session=')) ?? '';
  // ruleid: INJ003
  const session = serialize.unserialize(Buffer.from(cookie.slice(8), 'base64').toString());
  const filter = JSON.parse(event.body ?? '{}');
  // ruleid: INJ005
  const found = await sessions.findOne(filter);
  // ok: INJ005
  const mine = await sessions.findOne({ id: String(filter.id) });
  return { statusCode: 200, body: JSON.stringify({ session, found, mine }) };
};
