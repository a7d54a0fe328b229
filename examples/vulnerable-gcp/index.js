// Cloud Functions entry points (deliberately vulnerable example; never deploy).
const { execSync } = require("child_process");

exports.resize = (req, res) => {
  // VULN: shell command built from the query string (INJ001)
  execSync("convert /tmp/in.png -resize " + req.query.width + " /tmp/out.png");
  res.send({ resized: req.query.name || "" });
};

exports.status = (req, res) => {
  res.send({ ok: true });
};

exports.onUpload = (file, context) => {
  console.log("uploaded", file.name);
};
