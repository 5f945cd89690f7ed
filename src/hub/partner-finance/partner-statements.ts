import { HubError } from '../../foundation/hub-errors';
import type { InvoiceBasis, InvoiceLine } from '../../core/settlement/invoice-reconciliation';
import type { InvoiceReconciliations } from '../settlement/invoice-reconciliations';
import type { DisputeView, SettlementService, StatementFilter, StatementView } from '../settlement/settlement.service';
import type { FinanceCaller } from './finance-keys';

/**
 * What a partner's finance team may do with settlement (the partner finance API): read its own
 * statements, raise and answer disputes on them, reconcile its invoices. A statement is a partner's
 * when the partner is its CPO or its eMSP; any other is answered as unknown (404, the same answer as
 * an id that does not exist), so a partner learns nothing of others' statements.
 */
export class PartnerStatements {
  constructor(
    private readonly settlement: SettlementService,
    private readonly invoices: InvoiceReconciliations,
  ) {}

  /** The side the caller is on in a statement (its CPO or eMSP address), or null. */
  private sideOf(caller: FinanceCaller, statement: Pick<StatementView, 'cpo' | 'emsp'>): string | null {
    if (caller.cpos.includes(statement.cpo)) return statement.cpo;
    if (caller.emsps.includes(statement.emsp)) return statement.emsp;
    return null;
  }

  /** A statement of the caller's, with its side; another's is `unknown` (a 404 that tells nothing), the object asked for. */
  private async own(caller: FinanceCaller, statementId: string, unknown = `No settlement statement ${statementId}`): Promise<{ statement: StatementView; side: string }> {
    const statement = await this.settlement.statement(statementId);
    const side = this.sideOf(caller, statement);
    if (!side) throw new HubError('not_found', unknown);
    return { statement, side };
  }

  private async ownDispute(caller: FinanceCaller, id: string): Promise<{ dispute: DisputeView; side: string }> {
    const dispute = await this.settlement.dispute(id);
    return { dispute, side: (await this.own(caller, dispute.statement_id, `No dispute ${id}`)).side };
  }

  list(caller: FinanceCaller, filter: Omit<StatementFilter, 'parties'>): Promise<StatementView[]> {
    return this.settlement.listStatements({ ...filter, parties: { cpos: caller.cpos, emsps: caller.emsps } });
  }

  async statement(caller: FinanceCaller, id: string): Promise<StatementView & { versions: unknown[] }> {
    const { statement } = await this.own(caller, id);
    return { ...statement, versions: await this.settlement.versions(id) };
  }

  async version(caller: FinanceCaller, id: string, version: number | undefined, page: { offset: number; limit: number }) {
    await this.own(caller, id);
    return this.settlement.version(id, version, page);
  }

  async csv(caller: FinanceCaller, id: string, version?: number): Promise<string> {
    await this.own(caller, id);
    return this.settlement.linesCsv(id, version);
  }

  async document(caller: FinanceCaller, id: string, version?: number) {
    await this.own(caller, id);
    return this.settlement.statementDocument(id, version);
  }

  disputes(caller: FinanceCaller, filter: { status?: 'open' | 'resolved'; statementId?: string; limit: number }): Promise<DisputeView[]> {
    return this.settlement.listDisputes({ ...filter, parties: { cpos: caller.cpos, emsps: caller.emsps } });
  }

  async dispute(caller: FinanceCaller, id: string): Promise<DisputeView> {
    return (await this.ownDispute(caller, id)).dispute;
  }

  /** Either party of a statement may dispute one of its lines; the other answers, the operator resolves. */
  async raise(caller: FinanceCaller, input: { statementId: string; cdrId: string; reason: string; amountClaimed?: string; evidence?: unknown }): Promise<DisputeView> {
    const { side } = await this.own(caller, input.statementId);
    return this.settlement.createDispute(input.statementId, input.cdrId, input.reason, side, { amountClaimed: input.amountClaimed, evidence: input.evidence });
  }

  async answer(caller: FinanceCaller, id: string, message: string, evidence?: unknown): Promise<DisputeView> {
    const { side } = await this.ownDispute(caller, id);
    return this.settlement.addDisputeStep(id, side, message, evidence);
  }

  async reconcile(caller: FinanceCaller, statementId: string, invoice: { lines: InvoiceLine[]; basis: InvoiceBasis; reference?: string; version?: number }) {
    const { side } = await this.own(caller, statementId);
    return this.invoices.reconcile(statementId, side, invoice);
  }

  async reconciliations(caller: FinanceCaller, statementId: string) {
    await this.own(caller, statementId);
    return this.invoices.list(statementId);
  }

  async reconciliation(caller: FinanceCaller, id: string) {
    const report = await this.invoices.get(id);
    await this.own(caller, report.statement_id, `No invoice reconciliation ${id}`);
    return report;
  }
}
