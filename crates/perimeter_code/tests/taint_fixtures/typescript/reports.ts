import { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { exec } from 'child_process';
import { promises as fsp } from 'fs';
import * as fs from 'fs';
import path from 'path';
import knex from 'knex';
import axios from 'axios';

const db = knex({ client: 'pg' });
const REPORT_DIR = '/opt/reports';

interface ReportRequest {
  name: string;
  format?: string;
  columns: string[];
}

class ReportService {
  async render(name: string): Promise<string> {
    // ruleid: INJ006
    return fs.readFileSync(path.join(REPORT_DIR, name), 'utf8');
  }
}

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const request = JSON.parse(event.body ?? '{}') as ReportRequest;
  const service = new ReportService();
  const html = await service.render(request.name);
  const columns = request.columns.join(', ');
  // ruleid: INJ004
  const rows = await db.raw(`SELECT ${columns} FROM sales`);
  // ok: INJ004
  const safeRows = await db.raw('SELECT * FROM sales WHERE region = ?', [request.name]);
  const format = event.queryStringParameters?.format ?? 'pdf';
  // ruleid: INJ001
  exec(`wkhtmltopdf /tmp/report.html /tmp/report.${format}`, (err) => {
    if (err) throw err;
  });
  const id = Number(event.pathParameters!.id);
  // ok: INJ006
  const cached = fs.createReadStream(`/tmp/cache/${id}.json`);
  // ruleid: INJ006
  const raw = await fsp.readFile(`/tmp/uploads/${event.pathParameters!.file}`);
  const callback = event.headers['x-callback-url'] as string;
  // ruleid: INJ007
  await axios.post(callback!, { rows: rows.length });
  return { statusCode: 200, body: html + String(safeRows) + String(cached) + raw.toString() };
};
