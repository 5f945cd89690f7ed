import { inflateSync } from 'node:zlib';

/**
 * The text a pdfkit PDF shows, for assertions: its content streams inflated and the strings of their
 * text operators decoded (pdfkit writes standard-font text as hex strings in TJ arrays, WinAnsi bytes).
 * Text objects are joined by newlines, the pieces of one TJ array without a separator. Not a general
 * PDF reader: enough to check that a document says what it should.
 */
export function pdfText(pdf: Buffer): string {
  const texts: string[] = [];
  let at = 0;
  for (;;) {
    const start = pdf.indexOf('stream\n', at);
    if (start < 0) break;
    const end = pdf.indexOf('\nendstream', start);
    if (end < 0) break;
    const raw = pdf.subarray(start + 'stream\n'.length, end);
    at = end + 1;
    let content: string;
    try {
      content = inflateSync(raw).toString('latin1');
    } catch {
      continue; // an image or font stream that is not Flate text
    }
    for (const array of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ/g)) {
      texts.push([...array[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => Buffer.from(m[1], 'hex').toString('latin1')).join(''));
    }
  }
  return texts.join('\n');
}
