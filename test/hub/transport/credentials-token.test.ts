import { authorizationHeader, parseAuthorizationHeader } from '../../../src/hub/ocpi/credentials-token';

describe('credentials token headers', () => {
  it('reads a Base64 token and also offers the raw reading', () => {
    expect(parseAuthorizationHeader(`Token ${Buffer.from('example-token').toString('base64')}`)).toEqual([
      { token: 'example-token', encoding: 'base64' },
      { token: 'ZXhhbXBsZS10b2tlbg==', encoding: 'raw' },
    ]);
  });

  it('tolerates the trailing newline of the spec example (echo without -n)', () => {
    // transport_and_format.asciidoc: "Authorization: Token ZXhhbXBsZS10b2tlbgo=" for 'example-token'.
    expect(parseAuthorizationHeader('Token ZXhhbXBsZS10b2tlbgo=')[0]).toEqual({ token: 'example-token', encoding: 'base64' });
  });

  it('reads a raw token that is not valid Base64 as raw only', () => {
    expect(parseAuthorizationHeader('Token 3f1c-a9_x')).toEqual([{ token: '3f1c-a9_x', encoding: 'raw' }]);
  });

  it('drops a Base64 reading that decodes to non-printable bytes', () => {
    expect(parseAuthorizationHeader('Token AAECAwQF')).toEqual([{ token: 'AAECAwQF', encoding: 'raw' }]);
  });

  it.each([undefined, '', 'Bearer abc', 'Token', 'Token ', 'Token a b', `Token ${'x'.repeat(201)}`, 'Token\tabc'])(
    'finds no token in %j',
    (header) => expect(parseAuthorizationHeader(header)).toEqual([]),
  );

  it('writes headers in the peer form', () => {
    expect(authorizationHeader('example-token', 'base64')).toBe('Token ZXhhbXBsZS10b2tlbg==');
    expect(authorizationHeader('example-token', 'raw')).toBe('Token example-token');
  });
});
