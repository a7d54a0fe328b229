import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { execSync } from 'node:child_process';
import { createConnection } from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import postgres from 'postgres';

const sequelize = new Sequelize(process.env.DB_URL as string);
const sql = postgres(process.env.PG_URL as string);

type Job = { tenant: string; command: string; table: string };

function parseJob(record: SQSRecord): Job {
  return JSON.parse(record.body) as Job;
}

async function runJob(job: Job): Promise<void> {
  const conn = await createConnection(process.env.DB_URL as string);
  // ruleid: INJ004
  await conn.execute(`DELETE FROM ${job.table} WHERE tenant = '${job.tenant}'`);
  // ok: INJ004
  await conn.execute('DELETE FROM jobs WHERE tenant = ?', [job.tenant]);
  // ruleid: INJ004
  await sequelize.query('UPDATE tenants SET last_job = NOW() WHERE id = ' + job.tenant);
  // ok: INJ004
  await sql`UPDATE tenants SET seen = NOW() WHERE id = ${job.tenant}`;
  // ruleid: INJ004
  await sql.unsafe('UPDATE tenants SET seen = NOW() WHERE id = ' + job.tenant);
  const allowed = new Set(['backup', 'vacuum']);
  if (!allowed.has(job.command)) {
    return;
  }
  // ok: INJ001
  execSync(`/opt/bin/${job.command}`);
}

export async function handler(event: SQSEvent): Promise<void> {
  for (const record of event.Records) {
    const job = parseJob(record);
    await runJob(job);
    // ruleid: INJ001
    execSync('logger ' + record.messageAttributes.source.stringValue);
  }
}
