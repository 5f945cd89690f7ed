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

/** Where a secret came from: the environment, its file in DATA_DIR, or made by this start (and kept there). */
export type SecretOrigin = 'env' | 'file' | 'generated';

/** A secret from the environment, else from DATA_DIR, else made once and kept there (mode 0600). */
function fileBackedSecret(dataDir: string, file: string, fromEnv: string | undefined, make: () => string): { value: string; origin: SecretOrigin } {
  if (fromEnv) return { value: fromEnv, origin: 'env' };
  const filePath = path.join(dataDir, file);
  if (existsSync(filePath)) return { value: readFileSync(filePath, 'utf8').trim(), origin: 'file' };
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(filePath, `${value}\n`, { mode: 0o600 });
  return { value, origin: 'generated' };
}

/**
 * The admin API key and the key that encrypts partner tokens. Several instances sharing one database
 * must share both (set ADMIN_API_KEY and TOKEN_ENCRYPTION_KEY); a single instance keeps them in DATA_DIR.
 */
export function resolveSecrets(config: Config): Secrets & { adminApiKeyOrigin: SecretOrigin } {
  const admin = fileBackedSecret(config.dataDir, ADMIN_KEY_FILE, config.adminApiKey, () => randomBytes(24).toString('base64url'));
  const encryption = fileBackedSecret(config.dataDir, ENCRYPTION_KEY_FILE, config.tokenEncryptionKey, () => randomBytes(32).toString('hex'));
  return { adminApiKey: admin.value, adminApiKeyOrigin: admin.origin, tokenEncryptionKey: encryption.value };
}
