/**
 * One JSON object on stdin, one JSON object on stdout (the interop/ convention).
 * Exit 1 with the reason on stderr when the script itself fails.
 */
// stdout carries the one JSON answer: library chatter goes to stderr
console.log = console.info = (...args) => console.error(...args);

export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function run(main) {
  readStdin().then(main).then(out => {
    process.stdout.write(JSON.stringify(out));
  }).catch(error => {
    process.stderr.write(`${error?.stack || error}\n`);
    if(error?.response) {
      process.stderr.write(`response: ${JSON.stringify(error.response)}\n`);
    }
    process.exit(1);
  });
}
