/**
 * stdin/stdout plumbing: every script reads ONE JSON object on stdin and
 * writes ONE JSON object on stdout. A verification failure is a normal result
 * (exit code 0); only harness bugs / bad input exit non-zero, with the reason
 * on stderr.
 */

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs `main(input)` and prints its result as JSON.
 *
 * @param {Function} main - Async function taking the parsed input object.
 */
export async function run(main) {
  let input;
  try {
    input = JSON.parse(await readStdin());
    if(!(input && typeof input === 'object' && !Array.isArray(input))) {
      throw new TypeError('stdin must hold one JSON object.');
    }
  } catch(e) {
    process.stderr.write(`harness: bad input: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const output = await main(input);
    process.stdout.write(JSON.stringify(output) + '\n');
  } catch(e) {
    process.stderr.write(`harness error: ${e && e.stack || e}\n`);
    process.exitCode = 1;
  }
}

/**
 * Flattens an error (including jsonld-signatures' VerificationError, which
 * carries an `errors` array, and `cause` / jsonld's `details.cause` chains)
 * into one readable string.
 *
 * @param {*} error - Anything thrown or reported.
 *
 * @returns {string|null} The message, or null when there is no error.
 */
export function errorMessage(error) {
  if(error === undefined || error === null) {
    return null;
  }
  const seen = new Set();
  const parts = [];
  const walk = err => {
    if(err === undefined || err === null || seen.has(err)) {
      return;
    }
    if(typeof err !== 'object') {
      parts.push(String(err));
      return;
    }
    seen.add(err);
    if(Array.isArray(err.errors) && err.errors.length > 0) {
      err.errors.forEach(walk);
    } else if(err.message) {
      parts.push(err.message + safeModeDetail(err));
    } else {
      parts.push(String(err));
    }
    walk(err.cause);
    // jsonld.js (JsonLdError) keeps the underlying error in `details.cause`
    walk(err.details?.cause);
  };
  walk(error);
  return [...new Set(parts)].join('; ') || String(error);
}

/**
 * For jsonld.js safe-mode errors, says which event fired and on what, e.g.
 * ` [invalid property: {"property":"foo"}]`.
 *
 * @param {Error} err - An error.
 *
 * @returns {string} The detail (empty when not a safe-mode error).
 */
function safeModeDetail(err) {
  const event = err.details?.event;
  if(!(event && typeof event.code === 'string')) {
    return '';
  }
  // keep the small, printable details (property names, ids, types)
  const picked = Object.fromEntries(Object.entries(event.details || {})
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)));
  const detail = Object.keys(picked).length ? `: ${JSON.stringify(picked)}` : '';
  return ` [${event.code}${detail}]`;
}
