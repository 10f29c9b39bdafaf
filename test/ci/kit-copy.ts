import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../interop/support.ts'

export const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The kit as a user receives it: the files git tracks or would track (the working tree, so uncommitted changes count),
 * copied to a temporary directory without node_modules, reports or anything .gitignore leaves out. An installer then
 * runs in the copy, never in this checkout, whose development dependencies the tests need.
 */
export function copyOfKit(prefix: string): { path: string; remove(): void } {
  const copy = tempDir(prefix)
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean)
  for (const file of files) {
    const to = join(copy.path, file)
    mkdirSync(dirname(to), { recursive: true })
    // A file deleted but not yet staged is still listed; it is not part of the kit.
    try {
      cpSync(join(root, file), to)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return copy
}
