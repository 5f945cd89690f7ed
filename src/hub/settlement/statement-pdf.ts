import { formatMoney } from '../../core/money/currencies';
import { vatSummary } from '../../core/settlement/vat-summary';
import { pdfBuffer } from '../../foundation/pdf-document';
import type { StatementDocumentFacts } from './settlement.service';

/**
 * A settlement statement as a PDF beside its CSV: the parties, the period and its time zone, the
 * version (and whether it is final), the totals, VAT per rate and every line. The figures are the
 * statement's own (the CSV's), written with the currency's minor unit; the document adds nothing a
 * reader could not check against the CSV.
 */
export function statementPdf(facts: StatementDocumentFacts): Promise<Buffer> {
  const { statement, version, lines } = facts;
  const money = (value: string | null) => (value === null || value === '' ? '—' : formatMoney(value, statement.currency));
  const final = statement.status === 'closed' && statement.closed_version === version.version;
  const title = `Settlement statement ${statement.period.label} ${statement.cpo} → ${statement.emsp} ${statement.currency}`;
  return pdfBuffer(
    (doc) => {
      const left = 40;
      const width = doc.page.width - 80;
      doc.font('Helvetica-Bold').fontSize(16).text('Settlement statement', left, 40);
      doc.font('Helvetica').fontSize(9).fillColor('#555555').text(`${statement.id} · version ${version.version} · ${final ? 'final (closed)' : 'open: may still change'}`);
      doc.fillColor('#000000').moveDown(0.8).fontSize(10);
      const field = (label: string, value: string) => {
        const y = doc.y;
        doc.font('Helvetica-Bold').text(label, left, y, { width: 110 });
        doc.font('Helvetica').text(value, left + 110, y, { width: width - 110 });
      };
      field('CPO (supplier)', `${facts.cpoName} (${statement.cpo})`);
      field('eMSP (customer)', `${facts.emspName} (${statement.emsp})`);
      field('Period', `${statement.period.label}: ${statement.period.start} to ${statement.period.end} (exclusive), ${statement.period.time_zone}`);
      field('Currency', statement.currency);
      field('Lines', `${version.line_count} (${version.credit_line_count} credit)`);

      doc.moveDown(1).font('Helvetica-Bold').fontSize(11).text('Totals', left);
      doc.font('Helvetica').fontSize(10);
      field('Net', money(version.net));
      field('VAT', money(version.vat));
      field('Gross', money(version.gross));
      if (version.lines_without_vat > 0) field('', `${version.lines_without_vat} line(s) state no VAT: their net is in Net, nothing of theirs in VAT or Gross.`);

      // VAT per rate, read back from each line's amounts.
      const groups = vatSummary(lines, statement.currency);
      doc.moveDown(1).font('Helvetica-Bold').fontSize(11).text('VAT per rate', left);
      const columns = [left, left + 120, left + 190, left + 290, left + 390];
      const row = (cells: string[], bold = false) => {
        const y = doc.y;
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
        cells.forEach((cell, i) => doc.text(cell, columns[i], y, { width: (columns[i + 1] ?? left + width) - columns[i] - 6, align: i === 0 ? 'left' : 'right', lineBreak: false }));
        doc.moveDown(0.25);
      };
      row(['Rate', 'Lines', 'Net', 'VAT', 'Gross'], true);
      for (const g of groups) row([g.rate_percent === null ? 'no VAT stated' : `${g.rate_percent} %`, String(g.lines), money(g.net), money(g.vat), money(g.gross)]);

      doc.moveDown(1).font('Helvetica-Bold').fontSize(11).text('Lines', left);
      const lineColumns = [left, left + 150, left + 270, left + 330, left + 400, left + 460];
      const lineRow = (cells: string[], bold = false) => {
        if (doc.y > doc.page.height - 60) doc.addPage();
        const y = doc.y;
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
        cells.forEach((cell, i) =>
          doc.text(cell, lineColumns[i], y, { width: (lineColumns[i + 1] ?? left + width) - lineColumns[i] - 4, align: i < 2 ? 'left' : 'right', lineBreak: false, ellipsis: true }),
        );
        doc.moveDown(0.2);
      };
      lineRow(['CDR', 'Ended (UTC)', 'kWh', 'Net', 'VAT', 'Gross'], true);
      for (const line of lines) {
        const marks = [line.credit ? 'credit' : '', line.late ? 'late' : '', line.dispute_id ? 'disputed' : ''].filter(Boolean).join(', ');
        lineRow([
          `${line.cdr_id}${marks ? ` (${marks})` : ''}`,
          new Date(line.end_date_time).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''),
          String(line.energy_kwh),
          money(line.net),
          money(line.vat),
          money(line.gross),
        ]);
      }
    },
    { Title: title },
  );
}
