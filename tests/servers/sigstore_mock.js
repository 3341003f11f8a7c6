#!/usr/bin/env node
// Fulcio and Rekor on 127.0.0.1 for the keyless signing tests (docs/testing.md, "Keyless signing
// tests"), built on @sigstore/mock (tests/tools, scripts/install-test-tools.sh).
//
//   node tests/servers/sigstore_mock.js --out DIR [--port N]
//
// Serves, on one free loopback port (or N):
//   POST /api/v2/signingCert        Fulcio: a 10-minute leaf for the token's `sub` (a URI SAN), the
//                                   token's `iss` in extensions 1.3.6.1.4.1.57264.1.1 and .1.8, an
//                                   embedded SCT. 401 for a token that is not signed by DIR's
//                                   oidc_key.pem (tests/servers/oidc_token.js), expired, or whose
//                                   audience is not "sigstore".
//   POST /api/v1/signingCert        Fulcio's v1 API, which cosign 2.x calls (the public key as base64
//                                   of its PEM, the token as a bearer header): the same leaf, answered
//                                   as a PEM chain (leaf first); same token checks and fault switch.
//   POST /api/v1/log/entries        Rekor v1: SET + one-leaf inclusion proof + checkpoint; 409 with
//                                   Location for an entry already logged (as real Rekor).
//   GET  /api/v1/log/entries/UUID   the logged entry; 404 when this instance never logged it.
//   POST /__control                 {"fulcio": "ok"|"garbage"|"down", "rekor": ...}: "garbage"
//                                   answers 201 with a body that is not what the API promises,
//                                   "down" answers 503; rekor "lose-once" logs the next entry but
//                                   answers 503 (a lost answer), then is "ok" again. For the fault
//                                   tests.
//   GET  /__stats                   {"entries", "conflicts" (409s), "lookups" (GETs answered 200)}
// Writes into DIR: fulcio_chain.pem (the root), ctfe.pub, rekor.pub, oidc_key.pem (signs test
// tokens), trusted_root.json (a Sigstore trusted root pointing at this server) and, last,
// server.json {"url": ..., "pid": ...} — a test waits for server.json. SIGTERM stops it.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

const tools = path.join(__dirname, '..', 'tools', 'node_modules');
const mock = require(path.join(tools, '@sigstore', 'mock'));
// jose comes with @sigstore/mock (its Fulcio decodes tokens with it).
const jose = require(require.resolve('jose', { paths: [path.join(tools, '@sigstore', 'mock')] }));

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out.dir = argv[++i];
    else if (a === '--port') out.port = Number(argv[++i]);
    else throw new Error(`sigstore_mock: unknown argument ${a} (usage: --out DIR [--port N])`);
  }
  if (!out.dir) throw new Error('sigstore_mock: --out DIR is required');
  return out;
}

function pem(label, der) {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.length % 65 ? '\n' : ''}-----END ${label}-----\n`;
}

function spki(keyObject) {
  return keyObject.export({ format: 'der', type: 'spki' });
}

function trustedRoot(url, caRootDer, ctKey, rekorKey) {
  const start = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const key = (k) => ({
    rawBytes: spki(k).toString('base64'),
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    validFor: { start },
  });
  const keyId = (k) => crypto.createHash('sha256').update(spki(k)).digest('base64');
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: key(rekorKey), logId: { keyId: keyId(rekorKey) } }],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: url,
      certChain: { certificates: [{ rawBytes: Buffer.from(caRootDer).toString('base64') }] },
      validFor: { start },
    }],
    ctlogs: [{ baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: key(ctKey), logId: { keyId: keyId(ctKey) } }],
    timestampAuthorities: [],
  };
}

// What Rekor v1 stores for a proposed entry. A dsse 0.0.1 proposal (the envelope and its
// verifiers) is stored as the hashes of the envelope and of its payload and the signatures with
// their verifiers, as real Rekor does (verifiers compare the bundle's envelope with those);
// @sigstore/mock alone would store the proposal as is. Other kinds are stored as proposed.
function asStored(proposal) {
  if (proposal?.kind !== 'dsse' || proposal?.apiVersion !== '0.0.1') return proposal;
  const content = proposal.spec?.proposedContent;
  if (typeof content?.envelope !== 'string' || !Array.isArray(content?.verifiers)) {
    throw new Error('dsse 0.0.1 entry without spec.proposedContent.envelope and verifiers');
  }
  const env = JSON.parse(content.envelope);
  const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
  const signatures = (env.signatures || []).map((s, i) => ({
    signature: s.sig,
    verifier: content.verifiers[Math.min(i, content.verifiers.length - 1)],
  }));
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(content.envelope)) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(env.payload || '', 'base64')) },
      signatures,
    },
  };
}

async function main() {
  const opt = args(process.argv.slice(2));
  fs.mkdirSync(opt.dir, { recursive: true });
  const caKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rekorKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const oidcKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  const server = http.createServer();
  await new Promise((resolve) => server.listen(opt.port || 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const ctLog = await mock.initializeCTLog(ctKey);
  const ca = await mock.initializeCA(caKey, ctLog);
  const fulcio = mock.fulcioHandler(ca);
  // The checkpoint's signer name is the URL's host:port; the trusted root's baseUrl carries it.
  const tlog = await mock.initializeTLog(url, rekorKey);
  const rekor = mock.rekorHandler(tlog);

  const faults = { fulcio: 'ok', rekor: 'ok' };
  const stats = { entries: 0, conflicts: 0, lookups: 0 };
  const entries = new Map(); // uuid (leaf hash, hex) -> the entry as first answered

  async function checkToken(token) {
    if (typeof token !== 'string' || token === '') return 'no oidcIdentityToken in the request';
    try {
      await jose.jwtVerify(token, oidcKey.publicKey, { audience: 'sigstore' });
      return null;
    } catch (e) {
      return `identity token refused: ${e.code || ''} ${e.message}`;
    }
  }

  async function signingCert(body) {
    if (faults.fulcio === 'down') return [503, 'text/plain', 'fulcio is down (fault switch)'];
    if (faults.fulcio === 'garbage') return [201, 'application/json', '{"signedCertificateEmbeddedSct":{"chain":{"certificates":["not a certificate"]}}}'];
    let req;
    try {
      req = JSON.parse(body);
    } catch (e) {
      return [400, 'application/json', JSON.stringify({ code: 400, message: `request is not JSON: ${e.message}` })];
    }
    const refusal = await checkToken(req?.credentials?.oidcIdentityToken);
    if (refusal) return [401, 'application/json', JSON.stringify({ code: 401, message: refusal })];
    const r = await fulcio.fn(body);
    return [r.statusCode, r.contentType || 'text/plain', r.response];
  }

  // Fulcio v1 (cosign 2.x): {"publicKey": {"content": base64(PEM)}, "signedEmailAddress": base64},
  // "Authorization: Bearer TOKEN"; answered by the v2 handler, its chain returned as PEM.
  async function signingCertV1(body, authorization) {
    let req;
    try {
      req = JSON.parse(body);
    } catch (e) {
      return [400, 'application/json', JSON.stringify({ code: 400, message: `request is not JSON: ${e.message}` })];
    }
    const token = String(authorization || '').replace(/^Bearer\s+/i, '');
    const content = req?.publicKey?.content;
    if (typeof content !== 'string') return [400, 'application/json', JSON.stringify({ code: 400, message: 'no publicKey.content' })];
    const [status, type, text] = await signingCert(JSON.stringify({
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: Buffer.from(content, 'base64').toString('utf8') },
        proofOfPossession: req.signedEmailAddress || '',
      },
    }));
    if (status !== 201) return [status, type, text];
    let certificates;
    try {
      certificates = JSON.parse(text).signedCertificateEmbeddedSct.chain.certificates;
    } catch (e) {
      return [status, type, text];
    }
    return [201, 'application/pem-certificate-chain', certificates.map((c) => (c.endsWith('\n') ? c : c + '\n')).join('')];
  }

  async function createEntry(body) {
    if (faults.rekor === 'down') return [503, 'text/plain', 'rekor is down (fault switch)', {}];
    if (faults.rekor === 'garbage') return [201, 'application/json', '{"not":"an entry"}', {}];
    let canonical;
    try {
      canonical = JSON.parse(body);
    } catch (e) {
      return [400, 'application/json', JSON.stringify({ code: 400, message: `entry is not JSON: ${e.message}` }), {}];
    }
    let stored;
    try {
      stored = asStored(canonical);
    } catch (e) {
      return [400, 'application/json', JSON.stringify({ code: 400, message: e.message }), {}];
    }
    const r = await rekor.fn(JSON.stringify(stored));
    if (r.statusCode !== 201) return [r.statusCode, 'text/plain', r.response, {}];
    const answer = JSON.parse(r.response);
    const [[, entry]] = Object.entries(answer);
    const leaf = crypto.createHash('sha256').update(Buffer.from([0])).update(Buffer.from(entry.body, 'base64')).digest('hex');
    if (entries.has(leaf)) {
      stats.conflicts++;
      return [409, 'application/json',
        JSON.stringify({ code: 409, message: `An equivalent entry already exists in the transparency log with UUID ${leaf}` }),
        { Location: `/api/v1/log/entries/${leaf}`, ETag: leaf }];
    }
    entries.set(leaf, entry);
    stats.entries++;
    if (faults.rekor === 'lose-once') {
      faults.rekor = 'ok';
      return [503, 'text/plain', 'rekor lost this answer (fault switch lose-once)', {}];
    }
    return [201, 'application/json', JSON.stringify({ [leaf]: entry }),
      { Location: `/api/v1/log/entries/${leaf}`, ETag: leaf }];
  }

  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const send = (status, type, text, headers = {}) => {
        res.writeHead(status, { 'Content-Type': type, ...headers });
        res.end(text);
      };
      try {
        const u = new URL(req.url, url);
        if (req.method === 'POST' && u.pathname === '/__control') {
          const c = JSON.parse(body || '{}');
          for (const k of ['fulcio', 'rekor']) {
            if (c[k] === undefined) continue;
            if (!['ok', 'garbage', 'down', ...(k === 'rekor' ? ['lose-once'] : [])].includes(c[k])) return send(400, 'text/plain', `bad ${k} mode ${c[k]}`);
            faults[k] = c[k];
          }
          return send(200, 'application/json', JSON.stringify(faults));
        }
        if (req.method === 'GET' && u.pathname === '/__stats') return send(200, 'application/json', JSON.stringify(stats));
        if (req.method === 'POST' && u.pathname === '/api/v2/signingCert') return send(...(await signingCert(body)));
        if (req.method === 'POST' && u.pathname === '/api/v1/signingCert') return send(...(await signingCertV1(body, req.headers.authorization)));
        if (req.method === 'POST' && u.pathname === '/api/v1/log/entries') return send(...(await createEntry(body)));
        const m = u.pathname.match(/^\/api\/v1\/log\/entries\/([0-9a-f]+)$/);
        if (req.method === 'GET' && m) {
          if (faults.rekor === 'down') return send(503, 'text/plain', 'rekor is down (fault switch)');
          const uuid = m[1].slice(-64);
          const e = entries.get(uuid);
          if (!e) return send(404, 'application/json', JSON.stringify({ code: 404, message: 'entry not found' }));
          stats.lookups++;
          return send(200, 'application/json', JSON.stringify({ [uuid]: e }));
        }
        return send(404, 'text/plain', `sigstore_mock: no route for ${req.method} ${u.pathname}`);
      } catch (e) {
        return send(500, 'text/plain', `sigstore_mock: ${e.stack || e}`);
      }
    });
  });

  const w = (name, text) => fs.writeFileSync(path.join(opt.dir, name), text);
  w('fulcio_chain.pem', pem('CERTIFICATE', ca.rootCertificate));
  w('ctfe.pub', pem('PUBLIC KEY', spki(ctKey.publicKey)));
  w('rekor.pub', pem('PUBLIC KEY', spki(rekorKey.publicKey)));
  w('oidc_key.pem', oidcKey.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  w('trusted_root.json', JSON.stringify(trustedRoot(url, ca.rootCertificate, ctKey.publicKey, rekorKey.publicKey), null, 2) + '\n');
  w('server.json.tmp', JSON.stringify({ url, pid: process.pid }) + '\n');
  fs.renameSync(path.join(opt.dir, 'server.json.tmp'), path.join(opt.dir, 'server.json'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
