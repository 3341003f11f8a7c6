#!/usr/bin/env node
// Verifies a Sigstore bundle (v0.1-v0.3 JSON) with @sigstore/verify, independently of mirrorgraph,
// against a trusted root file (tests/servers/sigstore_mock.js writes one).
//
//   node tests/servers/sigstore_verify.js --bundle FILE --trusted-root FILE
//        (--certificate-identity SAN | --certificate-identity-regexp RE) --certificate-oidc-issuer ISS
//        [--artifact FILE]   (the signed bytes; required for a message-signature bundle, e.g. the
//                             simple-signing payload of a cosign .sig layer)
//
// Checks: the certificate chains to the root's CA, the SCT, the transparency log entry (SET and
// inclusion proof + checkpoint signed by the root's tlog key), the signature over the artifact or
// DSSE payload, then the policy: the SAN equals SAN (or fully matches RE) and the issuer extension
// equals ISS. Exit 0 verified, 1 refused (reason on stderr), 2 usage.
// (The `sigstore` package's verify() takes its trusted root only from a TUF repository, so this
// uses @sigstore/verify, which `sigstore` itself verifies with, given the root file directly.)
'use strict';

const fs = require('fs');
const path = require('path');

const tools = path.join(__dirname, '..', 'tools', 'node_modules');
const { Verifier, toSignedEntity, toTrustMaterial } = require(path.join(tools, '@sigstore', 'verify'));
const { bundleFromJSON } = require(path.join(tools, '@sigstore', 'bundle'));
const { TrustedRoot } = require(path.join(tools, '@sigstore', 'protobuf-specs'));

function usage(msg) {
  console.error(`sigstore_verify: ${msg}`);
  process.exit(2);
}

const opt = {};
const a = process.argv.slice(2);
for (let i = 0; i < a.length; i += 2) {
  const k = a[i];
  const v = a[i + 1];
  if (v === undefined) usage(`${k} needs a value`);
  const keys = {
    '--bundle': 'bundle', '--trusted-root': 'root', '--artifact': 'artifact',
    '--certificate-identity': 'identity', '--certificate-identity-regexp': 'identityRegexp',
    '--certificate-oidc-issuer': 'issuer',
  };
  if (!keys[k]) usage(`unknown argument ${k}`);
  opt[keys[k]] = v;
}
if (!opt.bundle || !opt.root || !opt.issuer || (!opt.identity === !opt.identityRegexp)) {
  usage('--bundle, --trusted-root, --certificate-oidc-issuer and one of --certificate-identity[-regexp] are required');
}

try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(opt.bundle, 'utf8')));
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(opt.root, 'utf8')));
  const artifact = opt.artifact ? fs.readFileSync(opt.artifact) : undefined;
  if (bundle.content.$case === 'messageSignature' && !artifact) usage('a message-signature bundle needs --artifact');
  const verifier = new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: 1 });
  // No policy here: the SAN policy of @sigstore/verify is an unanchored regexp; match it below.
  const signer = verifier.verify(toSignedEntity(bundle, artifact));
  const san = signer.identity?.subjectAlternativeName;
  const iss = signer.identity?.extensions?.issuer;
  if (opt.identity !== undefined && san !== opt.identity) {
    throw new Error(`certificate identity ${JSON.stringify(san)} is not ${JSON.stringify(opt.identity)}`);
  }
  if (opt.identityRegexp !== undefined && !new RegExp(`^(?:${opt.identityRegexp})$`).test(san || '')) {
    throw new Error(`certificate identity ${JSON.stringify(san)} does not match ${opt.identityRegexp}`);
  }
  if (iss !== opt.issuer) throw new Error(`certificate issuer ${JSON.stringify(iss)} is not ${JSON.stringify(opt.issuer)}`);
  console.log(`sigstore_verify: verified ${opt.bundle}: identity ${san}, issuer ${iss}`);
  process.exit(0);
} catch (e) {
  console.error(`sigstore_verify: refused ${opt.bundle}: ${e.code ? e.code + ': ' : ''}${e.message}`);
  process.exit(1);
}
