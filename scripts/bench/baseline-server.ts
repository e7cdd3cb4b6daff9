/**
 * Baseline for the FHIR API benchmark: a bare express route returning a prepared JSON body of the
 * same size as the FHIR response it is compared with, no database, no auth, no validation.
 * Usage: tsx baseline-server.ts <bodies.json>  (prints "listening <port>")
 */
import fs from 'node:fs';
import express from 'express';

const bodies = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Record<string, unknown>;
const app = express();
for (const [name, body] of Object.entries(bodies)) {
  app.get(`/baseline/${name}`, (_req, res) => {
    res.json(body);
  });
}
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
