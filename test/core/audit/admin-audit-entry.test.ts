import { auditActionOf, auditOutcomeOf, isMutatingMethod, REDACTED, redactAuditValue } from '../../../src/core/audit/admin-audit-entry';

describe('what the audit log keeps of an admin request', () => {
  it('names the action by its route and the target by its last parameter', () => {
    expect(auditActionOf('POST', '/admin/parties/abc/suspend', '/admin/parties/:id/suspend', { id: 'abc' })).toEqual({ action: 'POST /admin/parties/{id}/suspend', target: 'parties/abc' });
    expect(auditActionOf('POST', '/admin/agreements', '/admin/agreements', {})).toEqual({ action: 'POST /admin/agreements', target: 'agreements' });
    expect(auditActionOf('PUT', '/admin/locations/L1/evses/E1', '/admin/locations/:id/evses/:uid', { id: 'L1', uid: 'E1' })).toEqual({ action: 'PUT /admin/locations/{id}/evses/{uid}', target: 'locations/L1/evses/E1' });
    expect(auditActionOf('POST', '/admin/settlement/statements/s1/close', '/admin/settlement/statements/:id/close', { id: 's1' }).target).toBe('settlement/statements/s1');
    // No route matched (a 404): the path itself.
    expect(auditActionOf('DELETE', '/admin/nothing/here', undefined, {})).toEqual({ action: 'DELETE /admin/nothing/here', target: 'nothing/here' });
  });

  it('removes secrets at any depth and keeps what the operator needs', () => {
    const value = {
      token_a: 'A', token: 'B', token_c_hash: 'h', password: 'p', secret: 's', api_key: 'k', key: 'x',
      nested: [{ token_b_encrypted: 'e', name: 'kept' }],
      cdr_token: { uid: 'UID1', type: 'RFID', contract_id: 'NL-ABC' },
      token_uid: 'UID2', token_encoding: 'base64', object_key: 'sessions/NL/HUB/S1', versions_url: 'http://x',
      absent: null,
    };
    expect(redactAuditValue(value)).toEqual({
      token_a: REDACTED, token: REDACTED, token_c_hash: REDACTED, password: REDACTED, secret: REDACTED, api_key: REDACTED, key: REDACTED,
      nested: [{ token_b_encrypted: REDACTED, name: 'kept' }],
      cdr_token: { uid: 'UID1', type: 'RFID', contract_id: 'NL-ABC' },
      token_uid: 'UID2', token_encoding: 'base64', object_key: 'sessions/NL/HUB/S1', versions_url: 'http://x',
      absent: null,
    });
    expect(redactAuditValue('plain')).toBe('plain');
  });

  it('audits changes only, and reads a 4xx as refused and a 5xx as failed', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].every(isMutatingMethod)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isMutatingMethod)).toBe(false);
    expect([200, 201, 204, 400, 404, 409, 500, 502].map(auditOutcomeOf)).toEqual(['ok', 'ok', 'ok', 'refused', 'refused', 'refused', 'failed', 'failed']);
  });
});
