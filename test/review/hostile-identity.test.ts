/**
 * Review (careless user): a malformed identity file must not echo its secret key material in
 * the error message (which ends up in logs and on stderr).
 */
import { describe, it, expect } from 'vitest';
import { parseNodeIdentity } from '../../src/node/identity.js';

const SECRET = 'S3CRETS3CRETS3CRETS3CRETS3CRETS3CRETS3CRETX';

describe('identity file errors', () => {
  it.each([
    `{"websocket":{"seed":${SECRET}}}`,
    `{"websocket":{"seed":"${SECRET}" "publicKey": 1}}`,
    `{"websocket":{"seed":"${SECRET}"}x}`,
    `{"onion":{"privateKey":"ED25519-V3:${SECRET}${SECRET}"`,
    `{"websocket":{"seed":"${SECRET}\u0001"}}`,
  ])('names the problem without quoting the file (%#)', (text) => {
    let message = '';
    try {
      parseNodeIdentity(text);
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^identity file: not valid JSON/);
    expect(message).not.toMatch(/S3CR/);
  });
});
