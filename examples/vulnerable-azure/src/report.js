// Admin report behind a function key (a shared secret, not a user login).
module.exports.handler = async function (context, req) {
  context.res = { status: 200, body: { orders: 0 } };
};
