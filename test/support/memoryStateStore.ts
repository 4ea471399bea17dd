/**
 * A StateStore in memory, for tests of the checkpoint hook: saves are copied
 * (a later change to the engine's buffer cannot reach a saved state), and a
 * test can damage saves to see what a restore does with them.
 */
import type { SavedState, StateStore } from '../../src/engine/stateStore.js';

/** A StateStore over a Map; `corrupt(scope)` makes every save of a scope unreadable. */
export class MemoryStateStore implements StateStore {
  readonly description = 'memory';
  /** Every save, per scope, oldest first. */
  readonly saves = new Map<string, SavedState[]>();
  private readonly damaged = new Set<string>();

  async latest(scope: string): Promise<SavedState | undefined> {
    if (this.damaged.has(scope)) return undefined;
    const list = this.saves.get(scope);
    const last = list?.[list.length - 1];
    return last && { seq: last.seq, state: last.state.slice(), meta: structuredClone(last.meta) };
  }

  async count(scope: string): Promise<number> {
    return this.saves.get(scope)?.length ?? 0;
  }

  async write(scope: string, payload: { state: Uint8Array; meta: Record<string, unknown> }): Promise<void> {
    const list = this.saves.get(scope) ?? [];
    list.push({ seq: list.length + 1, state: payload.state.slice(), meta: structuredClone(payload.meta) });
    this.saves.set(scope, list);
  }

  /** Makes every save of `scope` unreadable (as a directory of corrupt files). */
  corrupt(scope: string): void {
    this.damaged.add(scope);
  }
}
