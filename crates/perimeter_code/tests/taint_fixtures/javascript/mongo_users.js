const { MongoClient } = require('mongodb');
const { DynamoDBClient, ExecuteStatementCommand } = require('@aws-sdk/client-dynamodb');

const mongo = new MongoClient(process.env.MONGO_URL);
const ddb = new DynamoDBClient({});

const findUser = async (users, filter) => {
  // ruleid: INJ005
  return users.findOne(filter);
};

const handler = async (event) => {
  const users = mongo.db('app').collection('users');
  const body = JSON.parse(event.body);
  const user = await findUser(users, body);
  // ruleid: INJ005
  await users.find({ username: body.username, password: body.password }).toArray();
  // ok: INJ005
  await users.find({ username: String(body.username) }).toArray();
  // ruleid: INJ005
  await users.find({ $where: `this.age > ${event.queryStringParameters.age}` }).toArray();
  // ok: INJ005
  await users.find({ active: true }).toArray();
  const name = event.pathParameters.name;
  // ruleid: INJ005
  await ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM Users WHERE name = '${name}'` }));
  // ok: INJ005
  await ddb.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Users WHERE name = ?', Parameters: [{ S: name }] }));
  // ok: INJ005
  const firstRecord = event.Records ? event.Records.find((r) => r.eventName === 'INSERT') : null;
  return { statusCode: 200, body: JSON.stringify({ user, firstRecord }) };
};

module.exports = { handler };
