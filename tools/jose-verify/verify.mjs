#!/usr/bin/env node
// Independent verification of Sertika certificate tokens with the jose library, for the
// Go test TestIndependentJOSE (web/verify_test.go): Sertika's own verifier and a widely
// used JOSE implementation must reach the same verdict on the same tokens. It follows
// docs/certificate-format.md §3–4 as a third party would, knowing nothing of Sertika's code.
//
//   node verify.mjs JWKS_FILE [TOKEN...]
//
// JWKS_FILE is the key set as served at /.well-known/jwks.json. Tokens are compact JWS
// (header.payload.signature); with none on the command line they are read from standard
// input, one per line. For each token, in order, one line goes to standard output:
//
//   valid        the EdDSA signature verifies with the key the header's kid names
//   unknown_key  no key in the set has the header's kid
//   invalid      anything else: another algorithm (none, HS256 …), a bad signature,
//                a malformed token
//
// The reason for a non-valid verdict goes to standard error. The exit status is 0 when
// every token was judged (whatever the verdicts), 2 on a usage or key-set error.
import { readFileSync } from "node:fs";
import { compactVerify, importJWK } from "jose";

class UnknownKey extends Error {}

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node verify.mjs JWKS_FILE [TOKEN...]   (tokens from stdin when none given)\n`);
  process.exit(2);
}

const [jwksPath, ...argTokens] = process.argv.slice(2);
if (!jwksPath) usage("no key set given");

let keys;
try {
  const set = JSON.parse(readFileSync(jwksPath, "utf8"));
  if (!set || !Array.isArray(set.keys)) throw new Error('no "keys" array');
  keys = set.keys;
} catch (e) {
  usage(`cannot read key set ${jwksPath}: ${e.message}`);
}

// The algorithm is pinned: the token never chooses it (none, HS256 and the rest are refused
// before any key is looked at).
const options = { algorithms: ["EdDSA"] };

async function verdict(token) {
  try {
    await compactVerify(
      token,
      async (header) => {
        const jwk = typeof header.kid === "string" ? keys.find((k) => k.kid === header.kid) : undefined;
        if (!jwk) throw new UnknownKey(`no key with kid ${JSON.stringify(header.kid)}`);
        // The published JWK as it is, Sertika's own members included.
        return importJWK(jwk, "EdDSA");
      },
      options,
    );
    return ["valid", ""];
  } catch (e) {
    if (e instanceof UnknownKey) return ["unknown_key", e.message];
    return ["invalid", `${e.code ?? e.name}: ${e.message}`];
  }
}

let tokens = argTokens;
if (tokens.length === 0) {
  tokens = readFileSync(0, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

for (const [i, token] of tokens.entries()) {
  const [v, why] = await verdict(token);
  process.stdout.write(v + "\n");
  if (why) process.stderr.write(`token ${i + 1}: ${why}\n`);
}
