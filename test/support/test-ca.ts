import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A certificate authority and charge point certificates made with the `openssl` binary at test time
// (security profile 3): nothing is committed, every run has fresh keys. Extensions are spelled out
// so the result does not depend on the machine's openssl.cnf.

export interface Pem {
  keyPem: string;
  certPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export class TestCa {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ocpp-ca-'));
  readonly certFile: string;
  readonly certPem: string;
  private issued = 0;

  constructor(readonly name = 'Test CSMS Charge Point CA') {
    openssl(this.dir, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    this.certFile = path.join(this.dir, 'ca.pem');
    this.certPem = readFileSync(this.certFile, 'utf8');
  }

  /** A client certificate whose subject CN is `commonName` (a charge point id), signed by this CA. */
  issue(commonName: string): Pem {
    const n = ++this.issued;
    writeFileSync(path.join(this.dir, `ext${n}.cnf`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    openssl(this.dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `c${n}.key`, '-out', `c${n}.csr`, '-subj', `/O=Test/CN=${commonName}`]);
    openssl(this.dir, [
      'x509', '-req', '-in', `c${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `c${n}.pem`, '-days', '1', '-extfile', `ext${n}.cnf`,
    ]);
    return { keyPem: readFileSync(path.join(this.dir, `c${n}.key`), 'utf8'), certPem: readFileSync(path.join(this.dir, `c${n}.pem`), 'utf8') };
  }
}
