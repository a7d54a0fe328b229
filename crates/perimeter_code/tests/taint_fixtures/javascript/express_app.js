const serverless = require('serverless-http');
const express = require('express');
const { exec } = require('child_process');
const fs = require('fs');

const app = express();
app.use(express.json());

app.get('/convert', (req, res) => {
  // ruleid: INJ001
  exec(`convert ${req.query.file} out.png`, (err) => res.send(err ? 'error' : 'ok'));
});

app.post('/notes', async (req, res) => {
  // ruleid: INJ006
  fs.writeFileSync(`/tmp/notes/${req.body.title}`, req.body.text);
  // ok: INJ006
  fs.writeFileSync('/tmp/notes/last', req.body.text);
  res.json({ ok: true });
});

module.exports.handler = serverless(app);
