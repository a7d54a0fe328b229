// Google Cloud Functions (Node.js): an exported (req, res) function, and one registered with
// the Functions Framework.
// handler: resize, render
const functions = require('@google-cloud/functions-framework');
const { spawnSync, execSync } = require('child_process');
const vm = require('vm');

exports.resize = (req, res) => {
  const width = req.query.width;
  // ruleid: INJ001
  execSync(`convert in.png -resize ${width} out.png`);
  // ok: INJ001
  spawnSync('convert', ['in.png', '-resize', String(Number(width)), 'out.png']);
  res.send({ resized: true });
};

functions.http('render', (req, res) => {
  const template = req.body.template;
  // ruleid: INJ002
  const html = vm.runInNewContext(template, {});
  res.send(html);
});
