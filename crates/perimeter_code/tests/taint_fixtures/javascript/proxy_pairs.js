const fetch = require('node-fetch');
const { URL } = require('url');

const API_BASE = process.env.API_BASE;
const ALLOWED_HOSTS = ['images.example.com', 'cdn.example.com'];

const forward = async (url) => {
  // ruleid: INJ007
  const res = await fetch(url, { timeout: 3000 });
  return res.text();
};

module.exports = {
  handler: async (event) => {
    const target = event.queryStringParameters && event.queryStringParameters.target;
    if (!target) {
      return { statusCode: 400 };
    }
    const body = await forward(decodeURIComponent(target));
    // ok: INJ007
    const user = await fetch(`${API_BASE}/users/${event.pathParameters.id}`);
    // ok: INJ007
    const profile = await fetch(API_BASE + '/profiles/' + event.pathParameters.id);
    const image = new URL(event.queryStringParameters.image);
    if (!ALLOWED_HOSTS.includes(image.hostname)) {
      return { statusCode: 403 };
    }
    // ok: INJ007
    const picture = await fetch(image.href);
    return { statusCode: 200, body: body + (await user.text()) + (await profile.text()) + picture.status };
  },
};
