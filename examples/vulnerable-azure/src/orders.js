// Orders API: lists and creates orders (deliberately vulnerable example; never deploy).
const { execSync } = require("child_process");

module.exports.handler = async function (context, req) {
  const id = req.params.id || "";
  // Looks an order up with a shell command built from the URL.
  const out = execSync("grep " + id + " /tmp/orders.csv").toString();
  context.res = { status: 200, body: out };
};
