// Signs and verifies credentials with digitalbazaar's stack so credstack's tests can compare.
// Reads one JSON request on stdin, writes one JSON answer on stdout. Never uses the network:
// contexts come from credstack's own bundle (src/credstack/vc/contexts/index.json), keys from
// the request (did:key is derived locally; other controllers are supplied as documents).
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

// The test helper runs a copy of this file beside the pinned node_modules, so it passes the
// context folder explicitly.
const contextDir = process.env.CREDSTACK_CONTEXT_DIR ||
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'credstack', 'vc',
    'contexts');
const contextIndex = JSON.parse(readFileSync(join(contextDir, 'index.json'), 'utf8'));
const contexts = new Map();
for(const [url, file] of Object.entries(contextIndex)) {
  contexts.set(url, JSON.parse(readFileSync(join(contextDir, file), 'utf8')));
}
// Only the verification-method documents below use this context; no term in it is signed.
contexts.set('https://w3id.org/security/multikey/v1', {'@context': {'@protected': true}});

function controllerDocFor(multikey, controller, vmId) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: controller,
    verificationMethod: [{
      id: vmId, type: 'Multikey', controller, publicKeyMultibase: multikey
    }],
    assertionMethod: [vmId],
    authentication: [vmId]
  };
}

function makeLoader(controllerDocuments = {}) {
  const docs = new Map(Object.entries(controllerDocuments));
  return async url => {
    const [base, fragment] = url.split('#');
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    let controllerDoc = docs.get(base);
    if(!controllerDoc && base.startsWith('did:key:')) {
      const multikey = base.slice('did:key:'.length);
      controllerDoc = controllerDocFor(multikey, base, `${base}#${multikey}`);
    }
    if(!controllerDoc) {
      throw new Error(`Refusing to load ${url}: not bundled and not supplied.`);
    }
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document: controllerDoc};
    }
    const method = controllerDoc.verificationMethod.find(m => m.id === url);
    if(!method) {
      throw new Error(`No verification method ${url}.`);
    }
    return {
      contextUrl: null, documentUrl: url,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
    };
  };
}

async function signer(request) {
  const key = await Ed25519Multikey.from({
    id: request.verificationMethod,
    controller: request.verificationMethod.split('#')[0],
    publicKeyMultibase: request.publicKeyMultibase,
    secretKeyMultibase: request.privateKeyMultibase
  });
  return key.signer();
}

async function sign(request, documentLoader) {
  const suite = new DataIntegrityProof({
    signer: await signer(request), cryptosuite: eddsaRdfc2022,
    date: request.created
  });
  return vc.issue({credential: structuredClone(request.document), suite, documentLoader});
}

async function verify(request, documentLoader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential: request.document, suite, documentLoader,
    // Status is the documents layer's concern; here only the proof is compared.
    checkStatus: async () => ({verified: true})
  });
  const errors = [];
  const collect = e => e && errors.push(String(e.message || e));
  collect(result.error);
  for(const r of result.results || []) {
    collect(r.error);
  }
  return {verified: result.verified, errors};
}

// Times sign and verify inside node, wall clock and the process's CPU time (process.cpuUsage,
// every thread). With request.documents (distinct credentials of one template) the first warms
// up and each of the rest is signed once, then each signed one verified once; otherwise
// request.document is used over and over.
async function bench(request, documentLoader) {
  const documents = request.documents || [request.document];
  const iterations = request.documents ? documents.length - 1 : request.iterations;
  const nth = i => ({...request, document: documents[request.documents ? i : 0]});
  const cpuSeconds = since => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  const warm = await sign(nth(0), documentLoader);
  await verify({document: warm}, documentLoader);
  const signed = [];
  let cpu = process.cpuUsage();
  let start = process.hrtime.bigint();
  for(let i = 1; i <= iterations; ++i) {
    signed.push(await sign(nth(i), documentLoader));
  }
  const signSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const signCpuSeconds = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  start = process.hrtime.bigint();
  for(const document of signed) {
    const {verified} = await verify({document}, documentLoader);
    if(!verified) {
      throw new Error('benchmark credential did not verify');
    }
  }
  const verifySeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const verifyCpuSeconds = cpuSeconds(cpu);
  return {iterations, signPerSecond: iterations / signSeconds,
    verifyPerSecond: iterations / verifySeconds, signCpuSeconds, verifyCpuSeconds};
}

// Plays the DCC Learner Credential Wallet: parses the dccrequest:// deep link, makes an Ed25519
// did:key (or reuses the one given), signs a DID authentication presentation over the link's
// challenge with signPresentation and POSTs it to vc_request_url; the test verifies what comes
// back with the `verify` operation, given the issuer's DID document.
// `domain` and `tamper` let the tests send what a broken or hostile wallet would.
async function walletKey(given) {
  if(given) {
    return Ed25519Multikey.from(given);
  }
  const fresh = await Ed25519Multikey.generate();
  const {publicKeyMultibase, secretKeyMultibase} =
    await fresh.export({publicKey: true, secretKey: true});
  const did = `did:key:${publicKeyMultibase}`;
  return Ed25519Multikey.from({
    id: `${did}#${publicKeyMultibase}`, controller: did, publicKeyMultibase, secretKeyMultibase
  });
}

async function wallet(request, documentLoader) {
  const link = new URL(request.deepLink);
  if(link.protocol !== 'dccrequest:') {
    throw new Error(`not a dccrequest deep link: ${request.deepLink}`);
  }
  const challenge = link.searchParams.get('challenge');
  const requestUrl = link.searchParams.get('vc_request_url');
  const key = await walletKey(request.key);
  const presentation = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder: key.controller
  };
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.signPresentation({
    presentation, suite, documentLoader, challenge,
    domain: request.domain || new URL(requestUrl).origin
  });
  if(request.tamper) {
    signed.holder = key.controller;
    signed.proof.created = '2000-01-01T00:00:00Z';
  }
  const body = request.bare ? signed : {verifiablePresentation: signed};
  const answer = await post({url: requestUrl, body});
  const exported = await key.export({publicKey: true, secretKey: true});
  const out = {
    did: key.controller, status: answer.status, body: answer.body, presentation: signed,
    key: {id: key.id, controller: key.controller, ...exported}
  };
  return out;
}

async function post(request) {
  const response = await fetch(request.url, {
    method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify(request.body)
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return {status: response.status, body};
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const loader = makeLoader(input.controllerDocuments);
const operations = {sign, verify, bench, wallet, post};
try {
  const requests = Array.isArray(input.requests) ? input.requests : [input];
  const answers = [];
  for(const request of requests) {
    answers.push(await operations[request.op](request, loader));
  }
  process.stdout.write(JSON.stringify(Array.isArray(input.requests) ? answers : answers[0]));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e.stack || e)}));
  process.exitCode = 1;
}
