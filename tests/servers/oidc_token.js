#!/usr/bin/env node
// Mints a test OIDC identity token (an ES256 JWT) that tests/servers/sigstore_mock.js accepts.
//
//   node tests/servers/oidc_token.js --key DIR/oidc_key.pem --sub SUB --iss ISS
//        [--aud sigstore] [--expires-in SECONDS (default 600; negative: already expired)]
//        [--no-email (no "email" claim: cosign refuses an email without "email_verified")]
//
// Prints the token on stdout (no newline). The mock's Fulcio puts `sub` in the certificate's URI
// SAN and `iss` in the issuer extensions.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

// jose comes with @sigstore/mock (its Fulcio decodes tokens with it).
const mockDir = path.join(__dirname, '..', 'tools', 'node_modules', '@sigstore', 'mock');
const jose = require(require.resolve('jose', { paths: [mockDir] }));

async function main() {
  const a = process.argv.slice(2);
  const opt = { aud: 'sigstore', expiresIn: 600, email: true };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--no-email') {
      opt.email = false;
      continue;
    }
    const v = a[++i];
    switch (a[i - 1]) {
      case '--key': opt.key = v; break;
      case '--sub': opt.sub = v; break;
      case '--iss': opt.iss = v; break;
      case '--aud': opt.aud = v; break;
      case '--expires-in': opt.expiresIn = Number(v); break;
      default: throw new Error(`oidc_token: unknown argument ${a[i - 1]}`);
    }
  }
  if (!opt.key || !opt.sub || !opt.iss) throw new Error('oidc_token: --key, --sub and --iss are required');
  const key = crypto.createPrivateKey(fs.readFileSync(opt.key));
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT(opt.email ? { email: 'keyless-test@example.invalid' } : {})
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(opt.sub)
    .setIssuer(opt.iss)
    .setAudience(opt.aud)
    .setIssuedAt(Math.min(now, now + opt.expiresIn - 60))
    .setExpirationTime(now + opt.expiresIn)
    .sign(key);
  process.stdout.write(token);
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
