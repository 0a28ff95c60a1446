/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 / localhost,
 * made with the `openssl` command at test time (nothing secret is committed). The OpenAI
 * SDK's Realtime client always connects with `wss:`, so its local fake needs TLS that the
 * client trusts: pass `caPem` as the plugin's `ca` option, or point `NODE_EXTRA_CA_CERTS`
 * at `caFile` in a child process (Node reads that variable only at start).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestTls {
  readonly caPem: string;
  readonly caFile: string;
  readonly keyPem: string;
  readonly certPem: string;
}

let made: TestTls | undefined;

/** The same CA and certificate for the whole test process (made on first use, ~50 ms). */
export function testTls(): TestTls {
  made ??= makeTls();
  return made;
}

function makeTls(): TestTls {
  const dir = mkdtempSync(join(tmpdir(), 'voxagent-tls-'));
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2']
      .concat(['-subj', '/CN=voxagent test CA'])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign']),
  );
  openssl(
    ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr')].concat([
      '-subj',
      '/CN=localhost',
    ]),
  );
  writeFileSync(
    at('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key')]
      .concat(['-CAcreateserial', '-out', at('server.pem'), '-days', '2'])
      .concat(['-extfile', at('server.ext')]),
  );
  return {
    caPem: readFileSync(at('ca.pem'), 'utf8'),
    caFile: at('ca.pem'),
    keyPem: readFileSync(at('server.key'), 'utf8'),
    certPem: readFileSync(at('server.pem'), 'utf8'),
  };
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(
      `the realtime tests need the openssl command to make a test certificate: ${why}`,
    );
  }
}
