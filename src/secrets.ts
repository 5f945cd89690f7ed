import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

export interface Secrets {
  adminApiKey: string;
  tokenEncryptionKey: string;
}

export const ADMIN_KEY_FILE = 'admin-api-key';
const ENCRYPTION_KEY_FILE = 'token-encryption.key';

/** A secret from the environment, else from DATA_DIR, else made once and kept there (mode 0600). */
function fileBackedSecret(dataDir: string, file: string, fromEnv: string | undefined, make: () => string): string {
  if (fromEnv) return fromEnv;
  const filePath = path.join(dataDir, file);
  if (existsSync(filePath)) return readFileSync(filePath, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(filePath, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * The admin API key and the key that encrypts partner tokens. Several instances sharing one database
 * must share both (set ADMIN_API_KEY and TOKEN_ENCRYPTION_KEY); a single instance keeps them in DATA_DIR.
 */
export function resolveSecrets(config: Config): Secrets {
  return {
    adminApiKey: fileBackedSecret(config.dataDir, ADMIN_KEY_FILE, config.adminApiKey, () =>
      randomBytes(24).toString('base64url'),
    ),
    tokenEncryptionKey: fileBackedSecret(config.dataDir, ENCRYPTION_KEY_FILE, config.tokenEncryptionKey, () =>
      randomBytes(32).toString('hex'),
    ),
  };
}
