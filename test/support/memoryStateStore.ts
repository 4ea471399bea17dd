/**
 * A StateStore in memory, for tests of the checkpoint hook: saves are copied
 * (a later change to the engine's buffer cannot reach a saved state), chains
 * of saves of changes are kept as the directory store keeps them (the newest
 * save whose chain back to its full save is whole), and a test can damage
 * saves to see what a restore does with them.
 */
import type { SavedState, SavePayload, StateStore } from '../../src/engine/stateStore.js';

/** One save as kept: its state, meta and chain links. */
interface Save {
  seq: number;
  state: Uint8Array;
  meta: Record<string, unknown>;
  chain?: { base: number; prev: number };
}

/** A StateStore over a Map; `corrupt(scope)` makes every save of a scope unreadable, `corruptSave` one save. */
export class MemoryStateStore implements StateStore {
  readonly description = 'memory';
  /** Saves of changes are kept as chains (set false to make every save full, as a store without chains). */
  incremental = true;
  /** Every save, per scope, oldest first. */
  readonly saves = new Map<string, Save[]>();
  private readonly damaged = new Set<string>();
  private readonly damagedSaves = new Set<string>();

  async latest(scope: string): Promise<SavedState | undefined> {
    if (this.damaged.has(scope)) return undefined;
    const list = this.saves.get(scope) ?? [];
    const bySeq = new Map(list.map((s) => [s.seq, s]));
    const readable = (s: Save | undefined): s is Save => s !== undefined && !this.damagedSaves.has(`${scope}/${s.seq}`);
    for (let i = list.length - 1; i >= 0; i--) {
      const save = list[i]!;
      if (!readable(save)) continue;
      if (save.chain === undefined) return { seq: save.seq, state: save.state.slice(), meta: structuredClone(save.meta) };
      const changes = [save.state.slice()];
      let link = save.chain.prev;
      let whole = true;
      while (link !== save.chain.base) {
        const earlier = bySeq.get(link);
        if (!readable(earlier) || earlier.chain?.base !== save.chain.base) {
          whole = false;
          break;
        }
        changes.unshift(earlier.state.slice());
        link = earlier.chain.prev;
      }
      const base = bySeq.get(save.chain.base);
      if (!whole || !readable(base) || base.chain !== undefined) continue;
      return { seq: save.seq, state: base.state.slice(), changes, baseSeq: base.seq, meta: structuredClone(save.meta) };
    }
    return undefined;
  }

  async count(scope: string): Promise<number> {
    return this.saves.get(scope)?.length ?? 0;
  }

  async write(scope: string, payload: SavePayload): Promise<{ seq: number }> {
    const list = this.saves.get(scope) ?? [];
    const seq = list.length + 1;
    list.push({
      seq,
      state: payload.state.slice(),
      meta: structuredClone(payload.meta),
      ...(payload.chain && this.incremental ? { chain: { ...payload.chain } } : {}),
    });
    this.saves.set(scope, list);
    return { seq };
  }

  /** Makes every save of `scope` unreadable (as a directory of corrupt files). */
  corrupt(scope: string): void {
    this.damaged.add(scope);
  }

  /** Makes save `seq` of `scope` unreadable (one corrupt file). */
  corruptSave(scope: string, seq: number): void {
    this.damagedSaves.add(`${scope}/${seq}`);
  }
}
