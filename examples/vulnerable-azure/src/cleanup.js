// Nightly cleanup of expired carts.
module.exports.handler = async function (context, timer) {
  context.log("cleanup at", new Date().toISOString());
};
