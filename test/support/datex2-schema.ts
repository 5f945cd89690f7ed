import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/** The DATEX II 3.3 schemas copied into test/fixtures/datex2-v3 (source and licence: test/fixtures/NOTICE). */
const DIR = path.join(__dirname, '..', 'fixtures', 'datex2-v3');
const MAIN = 'DATEXII_3_D2Payload.xsd';

const files = () => readdirSync(DIR).filter((f) => f.endsWith('.xsd')).map((fileName) => ({ fileName, contents: readFileSync(path.join(DIR, fileName), 'utf8') }));

/** Validates a DATEX II payload against the schemas with libxml2 (xmllint-wasm); the messages of what fails. */
export async function datex2SchemaErrors(xml: string): Promise<string[]> {
  const all = files();
  const result = await validateXML({
    xml: [{ fileName: 'publication.xml', contents: xml }],
    schema: all.filter((f) => f.fileName === MAIN),
    preload: all.filter((f) => f.fileName !== MAIN),
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
