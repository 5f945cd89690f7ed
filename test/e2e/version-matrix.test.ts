// Every (CPO version × eMSP version) pair through one hub, real partner servers of each version
// (test/support/version-matrix.ts): each receiver gets a body valid in its own version, and the content
// (ids, amounts, energy) survives the translation. Adding a version: MATRIX_VERSIONS and its flavour.
import axios from 'axios';
import { waitFor } from '../support/network';
import { comparableFacts, FLAVOURS, MATRIX_EVSE, MATRIX_NOW, MATRIX_PAIRS, type MatrixBody, type MatrixVersion, schemaProblems, startMatrixNetwork } from '../support/version-matrix';

type Matrix = Awaited<ReturnType<typeof startMatrixNetwork>>;

describe('the OCPI version matrix through one hub', () => {
  let m: Matrix;

  beforeAll(async () => {
    m = await startMatrixNetwork({ hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OCPI_TIMEOUT_MS: '2000' } } });
  }, 60_000);
  afterAll(() => m.close());

  /** An OCPI answer of 1000; any other shows the whole answer (its status_message says why). */
  const expectOk = (response: { data: { status_code?: number } }) => expect(response.data.status_code === 1000 ? 1000 : response.data).toBe(1000);

  /** The body is valid in `version` and carries the facts of what the sender sent in its own version. */
  const expectCarried = (kind: MatrixBody, received: unknown, version: MatrixVersion, sent: unknown, sentVersion: MatrixVersion) => {
    expect(schemaProblems(version, kind, received)).toEqual([]);
    const [receivedFacts, sentFacts] = comparableFacts(kind, received, version, sent, sentVersion);
    expect(receivedFacts).toEqual(sentFacts);
  };

  describe.each(MATRIX_PAIRS)('a %s CPO and a %s eMSP', (cpoVersion, emspVersion) => {
    const C = FLAVOURS[cpoVersion];
    const E = FLAVOURS[emspVersion];
    const tag = `${cpoVersion}-${emspVersion}`.replace(/\./g, '');
    const cpo = () => m.cpo(cpoVersion);
    const emsp = () => m.emsp(emspVersion);
    const at = (party: () => ReturnType<Matrix['cpo']>, method: string, path: string, what: string) =>
      waitFor(() => party().partner.received(method, path)[0], what);
    const tokenOf = () => E.fixtures.token(m.owner(emsp()), `TOK${tag}`);

    it('pushes a location, and the eMSP GETs it through the hub, each in the eMSP’s version', async () => {
      const owner = m.owner(cpo());
      const location = C.fixtures.location(owner, `LOC${tag}`);
      const put = await cpo().ocpi.put(C.hubPaths.location(owner, location.id), location);
      expectOk(put);
      const pushed = await at(emsp, 'PUT', E.partnerPaths.location(owner, location.id), 'the location at the eMSP');
      expectCarried('location', pushed.body, emspVersion, location, cpoVersion);

      const got = await emsp().ocpi.get(E.hubPaths.locationGet(owner, location.id), { headers: emsp().routingTo(owner) });
      expectOk(got);
      expectCarried('location', got.data.data, emspVersion, location, cpoVersion);
    });

    it('pushes a tariff', async () => {
      const owner = m.owner(cpo());
      const tariff = C.fixtures.tariff(owner, `TAR${tag}`);
      expectOk(await cpo().ocpi.put(C.hubPaths.tariff(owner, tariff.id), tariff));
      const pushed = await at(emsp, 'PUT', E.partnerPaths.tariff(owner, tariff.id), 'the tariff at the eMSP');
      expectCarried('tariff', pushed.body, emspVersion, tariff, cpoVersion);
    });

    it('pushes a token from the eMSP to the CPO', async () => {
      const owner = m.owner(emsp());
      const token = tokenOf();
      m.tokensIssued.set(`${emspVersion} ${token.uid}`, token);
      expectOk(await emsp().ocpi.put(E.hubPaths.token(owner, token.uid), token));
      const pushed = await at(cpo, 'PUT', C.partnerPaths.token(owner, token.uid), 'the token at the CPO');
      expectCarried('token', pushed.body, cpoVersion, token, emspVersion);
    });

    it('pushes a session to the token’s eMSP, then a PATCH of it', async () => {
      const owner = m.owner(cpo());
      // The CPO knows the eMSP's token in its own version: what the token push above delivered.
      const token = cpo().partner.received('PUT', C.partnerPaths.token(m.owner(emsp()), `TOK${tag}`))[0].body as Record<string, unknown>;
      const session = C.fixtures.session(owner, `SES${tag}`, token, `LOC${tag}`);
      expectOk(await cpo().ocpi.put(C.hubPaths.session(owner, session.id), session));
      const pushed = await at(emsp, 'PUT', E.partnerPaths.session(owner, session.id), 'the session at the eMSP');
      expectCarried('session', pushed.body, emspVersion, session, cpoVersion);

      const patch = C.fixtures.sessionPatch(42.5, MATRIX_NOW);
      expectOk(await cpo().ocpi.patch(C.hubPaths.session(owner, session.id), patch));
      const patched = await at(emsp, 'PATCH', E.partnerPaths.session(owner, session.id), 'the session PATCH at the eMSP');
      expectCarried('sessionPatch', patched.body, emspVersion, patch, cpoVersion);
    });

    it('pushes a CDR to the token’s eMSP', async () => {
      const owner = m.owner(cpo());
      const token = cpo().partner.received('PUT', C.partnerPaths.token(m.owner(emsp()), `TOK${tag}`))[0].body as Record<string, unknown>;
      const cdr = C.fixtures.cdr(owner, `CDR${tag}`, token, `LOC${tag}`);
      expectOk(await cpo().ocpi.post(C.hubPaths.cdrs(), cdr));
      const pushed = await waitFor(() => emsp().partner.received('POST', E.partnerPaths.cdrs()).find((r) => (r.body as { id: string }).id === cdr.id), 'the CDR at the eMSP');
      expectCarried('cdr', pushed.body, emspVersion, cdr, cpoVersion);
    });

    it('forwards START_SESSION to the CPO and brings its result back to the eMSP’s response_url', async () => {
      const commandId = `CMD${tag}`;
      const responseUrl = `${emsp().partner.url}${E.partnerPaths.commandResult('START_SESSION', commandId)}`;
      const command = E.fixtures.startSession(responseUrl, tokenOf(), `LOC${tag}`, MATRIX_EVSE);
      const answer = await emsp().ocpi.post(E.hubPaths.command('START_SESSION'), command);
      expectOk(answer);
      expectCarried('commandResponse', answer.data.data, emspVersion, C.fixtures.commandResponse(), cpoVersion);

      const atCpo = cpo().partner.received('POST', C.partnerPaths.command('START_SESSION')).find((r) => (r.body as { location_id: string }).location_id === `LOC${tag}`)!;
      expectCarried('startSession', atCpo.body, cpoVersion, command, emspVersion);
      const hubResponseUrl = (atCpo.body as { response_url: string }).response_url;
      expect(hubResponseUrl.startsWith(m.net.hub.url)).toBe(true);

      const result = C.fixtures.commandResult();
      const posted = await axios.post(hubResponseUrl, result, { headers: cpo().callHeaders(m.owner(emsp())), validateStatus: () => true });
      expectOk(posted);
      const delivered = await at(emsp, 'POST', E.partnerPaths.commandResult('START_SESSION', commandId), 'the CommandResult at the eMSP');
      expectCarried('commandResult', delivered.body, emspVersion, result, cpoVersion);
    });

    it('asks the eMSP for a real-time authorization on the CPO’s behalf', async () => {
      const token = tokenOf();
      const references = C.fixtures.locationReferences(`LOC${tag}`);
      const answer = await cpo().ocpi.post(C.hubPaths.authorize(token.uid), references);
      expectOk(answer);
      const asked = await at(emsp, 'POST', E.partnerPaths.authorize(token.uid), 'the authorization request at the eMSP');
      expectCarried('locationReferences', asked.body, emspVersion, references, cpoVersion);
      expectCarried('authorizationInfo', answer.data.data, cpoVersion, E.fixtures.authorizationInfo(token, `AUTH-${token.uid}`), emspVersion);
    });
  });

  it('leaves no delivery behind: every push of the matrix was delivered, none failed', async () => {
    await m.net.hub.services.outbox.whenIdle();
    const rows: { status: string; n: string }[] = await m.net.hub.services.db.query(`SELECT status, count(*) AS n FROM outbox GROUP BY status`);
    expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ delivered: expect.any(Number) });
  });
});
