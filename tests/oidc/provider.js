// OpenID Connect provider for the sign-in tests: one static client, any login/password accepted.
//
//   node provider.js --port 9400 --app http://127.0.0.1:8501
//
// Environment fallbacks: OIDC_PORT, OIDC_APP_ORIGIN, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET.
// With OIDC_EXIT_WITH_STDIN=1 the provider also exits when its standard input closes, so a
// test runner that dies without cleaning up does not leave it behind.
// Prints "ready <issuer>" on standard output once it accepts connections.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT || '9400' },
    app: { type: 'string', default: process.env.OIDC_APP_ORIGIN || 'http://127.0.0.1:8501' },
  },
});

const HOST = '127.0.0.1';
const port = Number(args.port);
const issuer = `http://${HOST}:${port}`;
const appOrigin = args.app.replace(/\/+$/, '');
const clientId = process.env.OIDC_CLIENT_ID || 'hub-dashboard';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'hub-dashboard-test-secret-0123456789';

// Streamlit's callback path; it is also where Streamlit asks to land after sign-out.
const callback = `${appOrigin}/oauth2callback`;

// Streamlit asks for prompt=select_account by default. This provider has one account per
// browser session, so it accepts the prompt and has nothing to ask.
function policy() {
  const prompts = interactionPolicy.base();
  const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
  selectAccount.checks.clear();
  prompts.add(selectAccount, 0);
  return prompts;
}

// The login typed into the dev form becomes the account; its claims are derived from it.
async function findAccount(ctx, id) {
  return {
    accountId: id,
    async claims() {
      return { sub: id, name: id, email: `${id}@hubs.example.org`, email_verified: true };
    },
  };
}

// A first-party client: grant the requested OpenID scopes without a consent screen.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  if (grantId) {
    return oidc.provider.Grant.find(grantId);
  }
  const { clientId } = oidc.client;
  const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session.accountId });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [callback],
    post_logout_redirect_uris: [callback],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  // Authlib reads the user from the ID token, not the userinfo endpoint.
  conformIdTokenClaims: false,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: true } },
  interactions: { policy: policy() },
  jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256', kid: 'test' }] },
  findAccount,
  loadExistingGrant,
});

const server = provider.listen(port, HOST, () => {
  process.stdout.write(`ready ${issuer}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.env.OIDC_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
