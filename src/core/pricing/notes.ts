/** Collects pricing notes, each kind once per session so a long CDR does not repeat itself. */
import type { PricingNote, PricingNoteCode } from './breakdown';
import { isoDateTime } from '../date-time';

export class NoteBook {
  readonly notes: PricingNote[];

  constructor(initial: readonly PricingNote[] = []) {
    this.notes = initial.slice();
  }

  /** Adds a note unless one with the same code is already there. */
  once(code: PricingNoteCode, message: string, atMs?: number): void {
    for (const note of this.notes) if (note.code === code) return;
    this.always(code, message, atMs);
  }

  /** Adds a note even if the code was seen, for notes that name different things (e.g. two elements). */
  always(code: PricingNoteCode, message: string, atMs?: number): void {
    this.notes.push(atMs === undefined ? { code, message } : { code, message, at: isoDateTime(atMs) });
  }
}
