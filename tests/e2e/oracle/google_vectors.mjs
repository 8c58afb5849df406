// Writes the Google-side answers the C++ unit tests compare Tollgate's service-account token
// request with (tests/unit/providers/fixtures/google_oauth_vectors.json), computed by
// google-auth-library's own token fetcher (gtoken, what its JWT client uses for service
// accounts): the signed JWT-bearer assertion, the form body and its content type, for a fresh
// RSA key and a fixed clock. Needs `npm install google-auth-library gtoken` (not in package.json).
//   node tests/e2e/oracle/google_vectors.mjs > tests/unit/providers/fixtures/google_oauth_vectors.json
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { GoogleToken } = require("gtoken");
const { DEFAULT_EAGER_REFRESH_THRESHOLD_MILLIS } = require("google-auth-library/build/src/auth/authclient.js");

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" });
const iat = 1764500000;
Date.prototype.getTime = function () { return iat * 1000; };

const vectors = [];
for (const [email, scope] of [
  ["tollgate-test@tollgate-project.iam.gserviceaccount.com", "https://www.googleapis.com/auth/cloud-platform"],
  ["odd+name@p.iam.gserviceaccount.com", "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email"],
]) {
  let sent;
  const transporter = {
    request: async (options) => {
      sent = options;
      return { data: { access_token: "ya29.oracle", expires_in: 3599, token_type: "Bearer" } };
    },
  };
  const gtoken = new GoogleToken({ email, scope, key: pem, transporter });
  await gtoken.getToken();
  vectors.push({
    client_email: email,
    scope,
    iat,
    token_uri: sent.url,
    content_type: sent.headers["Content-Type"],
    assertion: sent.data.assertion,
    form_body: new URLSearchParams(sent.data).toString(),
    expires_at_ms: gtoken.expiresAt,
  });
}
console.log(JSON.stringify({ private_key: pem, eager_refresh_threshold_ms: DEFAULT_EAGER_REFRESH_THRESHOLD_MILLIS, vectors }, null, 2));
