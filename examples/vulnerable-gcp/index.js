// Cloud Functions entry points (deliberately vulnerable example; never deploy).
exports.resize = (req, res) => {
  res.send({ resized: req.query.name || "" });
};

exports.status = (req, res) => {
  res.send({ ok: true });
};

exports.onUpload = (file, context) => {
  console.log("uploaded", file.name);
};
