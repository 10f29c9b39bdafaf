import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { RunEvent, RunResult } from '../runner.ts'

/** An event sink (STYLE.md §5): listens while the run goes, writes its output once it is over. */
export interface Reporter {
  onEvent(event: RunEvent): void
  finish(result: RunResult): Promise<void>
}

/** A reporter that only needs the finished result: renders it and writes one file. */
export function fileReporter(file: string, render: (result: RunResult) => string): Reporter {
  return {
    onEvent: () => undefined,
    async finish(result) {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, render(result), 'utf8')
    },
  }
}

/** Checks grouped by category, in the order categories first appear. */
export function byCategory<T extends { category: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(item.category, [...(groups.get(item.category) ?? []), item])
  return groups
}
