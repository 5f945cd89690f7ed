/**
 * The PDFs of the driver's page: a sheet of stickers (QR code, short code and charge point per EVSE connector)
 * for the operator to print, and a driver's receipt. pdfkit writes them with its built-in Helvetica (WinAnsi:
 * the € sign and the accents of de/nl/fr are in it), qrcode makes the QR matrices (error correction M, which
 * survives a scratched sticker); no fonts or files are read at run time.
 */
import { pdfBuffer } from '../../foundation/pdf-document';
import QRCode from 'qrcode';
import { groupedShortCode } from '../../core/driver-page/evse-short-codes';
import type { DriverLanguage } from '../../core/driver-page/driver-messages';
import { DRIVER_MESSAGES } from '../../core/driver-page/driver-messages';
import { localDateTime, receiptRows, type ReceiptFacts } from './driver-page.html';

/** Draws a QR code of `text` as filled squares (vector: sharp at any print size). */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  const quiet = 2;
  const cell = size / (count + 2 * quiet);
  doc.save();
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell + 0.01, cell + 0.01);
    }
  }
  doc.fill('#000000').restore();
}

export interface Sticker {
  code: string;
  url: string;
  /** What the sticker names under the code: the EVSE id and the connector. */
  label: string;
  location: string;
}

/** A4 sheets of 3 × 4 stickers (63 × 70 mm), each with the QR code of its URL, the short code and the charge point. */
export function stickerSheetPdf(stickers: Sticker[], title = 'Charge point stickers'): Promise<Buffer> {
  return pdfBuffer(
    (doc) => {
      const columns = 3;
      const rows = 4;
      const cellW = (doc.page.width - 80) / columns;
      const cellH = (doc.page.height - 80) / rows;
      stickers.forEach((sticker, index) => {
        const onPage = index % (columns * rows);
        if (index > 0 && onPage === 0) doc.addPage();
        const x = 40 + (onPage % columns) * cellW;
        const y = 40 + Math.floor(onPage / columns) * cellH;
        doc.save().lineWidth(0.3).dash(2, { space: 2 }).rect(x + 2, y + 2, cellW - 4, cellH - 4).stroke('#999999').restore();
        const qrSize = Math.min(cellW, cellH) - 70;
        drawQr(doc, sticker.url, x + (cellW - qrSize) / 2, y + 8, qrSize);
        doc.fillColor('#000000').font('Helvetica-Bold').fontSize(13).text(groupedShortCode(sticker.code), x, y + qrSize + 10, { width: cellW, align: 'center' });
        doc.font('Helvetica').fontSize(7.5).text(sticker.url, x + 6, y + qrSize + 27, { width: cellW - 12, align: 'center' });
        doc.fontSize(8).text(`${sticker.label} · ${sticker.location}`, x + 6, y + qrSize + 38, { width: cellW - 12, align: 'center', height: 22, ellipsis: true });
      });
      if (stickers.length === 0) doc.font('Helvetica').fontSize(12).text('No own charger has a mapped connector yet.');
    },
    { Title: title },
  );
}

/** The driver's receipt as a PDF: the same rows as the HTML receipt. */
export function receiptPdf(facts: ReceiptFacts, language: DriverLanguage): Promise<Buffer> {
  const t = DRIVER_MESSAGES[language];
  const rows = receiptRows(facts, language);
  return pdfBuffer(
    (doc) => {
      const left = 50;
      const width = doc.page.width - 100;
      doc.font('Helvetica-Bold').fontSize(20).text(`${t.receipt} ${facts.cdrId}`, left, 50);
      doc.moveDown(0.5).font('Helvetica').fontSize(10);
      for (const [label, value] of [
        [t.operator, facts.operatorName],
        [t.location, facts.address],
        [t.evse, facts.evseId],
        [t.date, `${localDateTime(facts.startedAt, facts.timeZone, language)} – ${localDateTime(facts.endedAt, facts.timeZone, language)}`],
      ]) {
        doc.text(`${label}: ${value}`, left, undefined, { width });
      }
      doc.moveDown(1);
      const row = (label: string, value: string, bold = false) => {
        const y = doc.y;
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(11).text(label, left, y, { width: width - 120 });
        doc.text(value, left + width - 120, y, { width: 120, align: 'right' });
        doc.moveDown(0.3);
      };
      for (const [label, value] of rows.lines) row(label, value);
      doc.moveTo(left, doc.y).lineTo(left + width, doc.y).stroke('#999999').moveDown(0.3);
      for (const [label, value] of rows.vat) row(label, value);
      doc.moveTo(left, doc.y).lineTo(left + width, doc.y).stroke('#000000').moveDown(0.3);
      for (const [label, value] of rows.totals) row(label, value, true);
    },
    { Title: `${t.receipt} ${facts.cdrId}` },
  );
}
