var exec = require('child_process').exec;
var execFile = require('child_process').execFile;
var tool = process.env.TOOL_PATH;

exports.handler = function (event, context) {
  // ruleid: INJ001
  exec(tool + " --request='" + JSON.stringify(event) + "'", function (err, stdout) {
    context.done(err, stdout);
  });
  // ok: INJ001
  execFile(event.file, event.args, function (err) {
    context.done(err);
  });
  // ok: INJ001
  exec('./compiled-binary', function (err) {
    context.done(err);
  });
  const args = ['-c', event.script];
  // ruleid: INJ001
  require('child_process').spawn('/bin/sh', args);
};
