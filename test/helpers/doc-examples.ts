import { execFile } from 'node:child_process'

/**
 * The examples of a documentation page, for the tests that run them as written: each fenced block with the marker
 * comment above it (`<!-- example: KIND -->`), and one shell line run the way a reader would paste it.
 */
export interface ExampleBlock {
  /** What the marker says, `''` for a block without one. */
  kind: string
  language: string
  text: string
}

export function exampleBlocks(page: string): ExampleBlock[] {
  return [...page.matchAll(/(?:<!-- example: ([\w .-]+?) -->\n)?```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
    kind: match[1] ?? '',
    language: match[2] ?? '',
    text: match[3] ?? '',
  }))
}

/** A block's commands, one a line, without the comments that explain them. */
export function commandLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
}

/** One line in bash with -euo pipefail from `cwd`: its exit code and output, never a rejection. */
export function runLine(
  command: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', command],
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}
