// A local OpenID Connect provider for Kompetenslyft's tests and demo: the certified
// `oidc-provider` package with one static client and the accounts of a JSON file.
//
//   node provider.mjs --port 9000 --accounts accounts.json \
//        --client-id kompetenslyft --client-secret s3cret \
//        --redirect-uri http://127.0.0.1:8000/oidc/callback/ \
//        --post-logout-redirect-uri http://127.0.0.1:8000/accounts/login/
//
// accounts.json: [{"sub": "...", "password": "...", "email": "...", "employee_id": "...",
//                  "given_name": "...", "family_name": "...", "groups": ["..."]}, ...]
//
// The sign-in and consent pages are our own small forms (the library's development
// interactions accept any name without a password); everything else — discovery, PKCE, state,
// nonce, tokens, userinfo, end_session — is the library's. Prints "READY <issuer>" when it
// listens. Stops on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '9000' },
    host: { type: 'string', default: '127.0.0.1' },
    accounts: { type: 'string' },
    'client-id': { type: 'string', default: 'kompetenslyft' },
    'client-secret': { type: 'string', default: 'kompetenslyft-test-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
  },
});

const accounts = new Map(
  JSON.parse(readFileSync(args.accounts, 'utf8')).map((account) => [account.sub, account]),
);
const issuer = `http://${args.host}:${args.port}`;

const CLAIMS = ['sub', 'email', 'email_verified', 'given_name', 'family_name', 'name', 'employee_id', 'groups'];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
    groups: ['groups'],
    employee: ['employee_id'],
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'groups', 'employee'],
  // The claims in the ID token too (as Entra ID does), not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body><main><h1>Sign out of the test provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><main><h1>Signed out</h1></main></body></html>';
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, email_verified: true };
        for (const name of CLAIMS) {
          if (account[name] !== undefined && name !== 'sub') claims[name] = account[name];
        }
        if (account.given_name || account.family_name) {
          claims.name = [account.given_name, account.family_name].filter(Boolean).join(' ');
        }
        return claims;
      },
    };
  },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10000) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function loginForm(uid, error) {
  return `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}">
  <input type="hidden" name="prompt" value="login">
  <p><label for="login">User name</label> <input id="login" name="login" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" type="password" name="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>`;
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 'Unknown interaction', '', 400);
  const { prompt, params, session } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') return page(res, 'Sign in to the test provider', loginForm(uid));
    return page(
      res,
      'Allow access',
      `<p>${escape(params.client_id)} asks for: ${escape(params.scope)}</p>
<form method="post" action="/interaction/${uid}"><input type="hidden" name="prompt" value="consent">
<button type="submit">Continue</button></form>`,
    );
  }
  const form = await readForm(req);
  if (form.get('prompt') === 'login' && prompt.name === 'login') {
    const account = accounts.get(form.get('login') || '');
    if (!account || account.password !== form.get('password')) {
      return page(res, 'Sign in to the test provider', loginForm(uid, 'Wrong user name or password.'), 401);
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (form.get('prompt') === 'consent' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    if (prompt.details.missingResourceScopes) {
      for (const [indicator, scope] of Object.entries(prompt.details.missingResourceScopes)) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 'Unexpected form', '', 400);
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)\/?$/.exec(new URL(req.url, issuer).pathname);
  if (match) {
    interaction(req, res, match[1]).catch((error) => {
      console.error(error);
      if (!res.headersSent) page(res, 'Sign-in failed', `<p>${escape(error.message)}</p>`, 400);
    });
    return;
  }
  callback(req, res);
});
server.listen(Number(args.port), args.host, () => console.log(`READY ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
