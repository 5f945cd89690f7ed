import PDFDocument from 'pdfkit';

/**
 * A PDF built by `build` on an A4 pdfkit document, as bytes. pdfkit's built-in Helvetica (WinAnsi) holds
 * the € sign and western European accents, so no font file is read at run time. Shared by the driver's
 * receipts and stickers and the settlement statements.
 */
export function pdfBuffer(build: (doc: PDFKit.PDFDocument) => void, info: { Title: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A fixed creation date would make the bytes repeatable, but a document's date is part of what it says.
    const doc = new PDFDocument({ size: 'A4', margin: 40, info: { ...info, Producer: 'ocpi-hub', Creator: 'ocpi-hub' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}
