import Router from '@koa/router';
import { z } from 'zod';
import type { ChargerCertificates, IssuedCertificate } from '../ocpp/charger-certificates';
import { fingerprint, type HubCertificateAuthority, type LoadedAuthority } from '../chargers/hub-certificate-authority';
import { hubCaCrlUrl } from '../chargers/hub-ca-crls';
import { parseAdminBody } from '../../http/admin-http';
import { answered, chargerIdOf, requestedBy } from './charger-actions.routes';
import { MAX_ACTION_TIMEOUT_MS } from '../ocpp/charger-actions.service';

const ListQuery = z.strictObject({
  state: z.enum(['issued', 'revoked']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const AllQuery = ListQuery.extend({ charger_id: z.string().min(1).max(64).optional() });
const ImportBody = z.strictObject({
  certificate_pem: z.string().min(1).max(50_000),
  private_key_pem: z.string().min(1).max(20_000),
});
const RevokeBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });
const DeliverBody = z.strictObject({ timeout_seconds: z.number().int().min(1).max(MAX_ACTION_TIMEOUT_MS / 1000).optional() });

export function issuedCertificateView(c: IssuedCertificate) {
  return {
    serial: c.serial,
    charger_id: c.chargerId,
    certificate_type: c.certificateType,
    subject: c.subject,
    public_key: c.publicKey,
    not_before: c.notBefore,
    not_after: c.notAfter,
    fingerprint_sha256: c.fingerprintSha256,
    state: c.state,
    issued_at: c.issuedAt,
    issued_by: c.issuedBy,
    delivery: c.delivery,
    delivery_action_id: c.deliveryActionId,
    revoked_at: c.revokedAt,
    revoked_by: c.revokedBy,
    revocation_reason: c.revocationReason,
    certificate_pem: c.certificatePem,
  };
}

async function authorityView(a: LoadedAuthority, publicUrl: string) {
  return {
    origin: a.origin,
    subject: a.certificate.subject,
    issuer: a.certificate.issuer,
    serial: a.certificate.serialNumber.toLowerCase(),
    not_before: a.certificate.notBefore,
    not_after: a.certificate.notAfter,
    fingerprint_sha256: await fingerprint(a.certificate),
    created_by: a.createdBy,
    created_at: a.createdAt,
    certificate_pem: a.certificate.toString('pem') + '\n',
    chain_pem: a.chain.map((c) => c.pem.trim()).join('\n') + '\n',
    crl_url: hubCaCrlUrl(publicUrl, a.id),
  };
}

/**
 * The hub's certificate authority for its chargers (docs/security.md): its certificate (made on first
 * use) or the operator's imported one, the certificates it issued, their revocation, and installing
 * its root on a charger. A renewal is the shortcut `renew-certificate`.
 */
export function certificatesAdminRouter(deps: { certificateAuthority: HubCertificateAuthority; certificates: ChargerCertificates; config: { publicUrl: string } }): Router {
  const { certificateAuthority, certificates } = deps;
  const { publicUrl } = deps.config;
  const router = new Router({ prefix: '/admin' });

  router.get('/certificate-authority', async (ctx) => {
    parseAdminBody(z.strictObject({}), { ...ctx.query });
    ctx.body = await authorityView(await certificateAuthority.authority(), publicUrl);
  });
  router.get('/certificate-authority/certificate.pem', async (ctx) => {
    ctx.type = 'application/x-pem-file';
    ctx.body = (await certificateAuthority.authority()).certificate.toString('pem') + '\n';
  });
  router.put('/certificate-authority', async (ctx) => {
    const body = parseAdminBody(ImportBody, ctx.request.body);
    ctx.body = await authorityView(await certificateAuthority.import(body.certificate_pem, body.private_key_pem, requestedBy(ctx.get('X-Requested-By'))), publicUrl);
  });

  router.get('/certificates', async (ctx) => {
    const query = parseAdminBody(AllQuery, { ...ctx.query });
    ctx.body = (await certificates.list({ chargerId: query.charger_id, state: query.state, limit: query.limit })).map(issuedCertificateView);
  });
  router.get('/certificates/:serial', async (ctx) => {
    ctx.body = issuedCertificateView(await certificates.require(ctx.params.serial));
  });
  router.post('/certificates/:serial/revoke', async (ctx) => {
    const body = parseAdminBody(RevokeBody, ctx.request.body ?? {});
    ctx.body = issuedCertificateView(await certificates.revoke(ctx.params.serial, requestedBy(ctx.get('X-Requested-By')), body.reason));
  });

  router.post('/certificates/:serial/deliver', async (ctx) => {
    const body = parseAdminBody(DeliverBody, ctx.request.body ?? {});
    const by = requestedBy(ctx.get('X-Requested-By'));
    answered(ctx, await certificates.deliver(ctx.params.serial, { requestedBy: by, timeoutMs: body.timeout_seconds && body.timeout_seconds * 1000 }));
  });

  router.get('/chargers/:id/certificates', async (ctx) => {
    const query = parseAdminBody(ListQuery, { ...ctx.query });
    ctx.body = (await certificates.list({ chargerId: chargerIdOf(ctx.params.id), state: query.state, limit: query.limit })).map(issuedCertificateView);
  });
  router.post('/chargers/:id/certificates/install-root', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    parseAdminBody(z.strictObject({}), ctx.request.body ?? {});
    answered(ctx, await certificates.installRoot(id, requestedBy(ctx.get('X-Requested-By'))));
  });
  return router;
}
