import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from '../ci/kit-copy.ts'
import { commandLines, exampleBlocks } from '../helpers/doc-examples.ts'
import { probe } from '../interop/support.ts'
import { readDockerfile } from './dockerfile.ts'

/**
 * docs/container.md's examples. They are docker commands, which only a container engine runs (image.test.ts runs the
 * image's commands without one). Here each line is held to what exists: the image the build line tags is the one the
 * run lines start, a command given to the image is an nwa command, and each of its options is one that command
 * lists in its --help; the compose line names the compose file there is.
 */
const page = readFileSync(join(root, 'docs', 'container.md'), 'utf8')
const blocks = exampleBlocks(page)
const defaultCommand = readDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).image.cmd ?? []
const engine = probe('docker', ['info', '--format', '{{.ServerVersion}}'])
if (!engine.ok) console.warn(`docs/container.md's docker lines are checked, not run: docker info fails (${engine.reason})`)

/** A line's words as the shell splits them, for lines without expansions other than $(…) and "$PWD". */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '')
}

const help = new Map<string, string>()
function optionsOf(command: string): string {
  if (!help.has(command)) help.set(command, execFileSync(process.execPath, [join(root, 'bin', 'nwa.js'), command, '--help'], { encoding: 'utf8' }))
  return help.get(command) as string
}

describe('docs/container.md examples', () => {
  it('marks every shell block with what it is', () => {
    expect(blocks.filter((block) => block.language === 'sh').map((block) => block.kind)).toEqual(['container', 'compose'])
  })

  it('runs the image the build line tags, with nwa commands and options that exist', () => {
    const lines = commandLines(blocks.find((block) => block.kind === 'container')?.text ?? '').map(words)
    const build = lines.find((line) => line[1] === 'build') as string[]
    const tag = build[build.indexOf('-t') + 1] as string
    expect(build.at(-1)).toBe('.')
    const runs = lines.filter((line) => line[1] === 'run')
    expect(runs.length).toBeGreaterThanOrEqual(3)
    for (const line of runs) {
      // docker run's own options come before the image; what follows is the image's command (its CMD when none).
      const image = line.findIndex((word, i) => word === tag && !['-v', '-w', '-p', '-e'].includes(line[i - 1] ?? ''))
      expect(image, line.join(' ')).toBeGreaterThan(1)
      const argv = line.length > image + 1 ? line.slice(image + 1) : defaultCommand
      const command = argv[0] as string
      const options = argv.filter((word) => word.startsWith('--'))
      for (const option of options) expect(optionsOf(command), `${command} ${option}`).toContain(option)
    }
  })

  it('starts the compose file there is, with the token the file requires', () => {
    const [line] = commandLines(blocks.find((block) => block.kind === 'compose')?.text ?? '')
    const file = /-f (\S+)/.exec(line ?? '')?.[1] ?? ''
    expect(readFileSync(join(root, file), 'utf8')).toContain('NWA_CONTROL_TOKEN:?')
    expect(line).toMatch(/^NWA_CONTROL_TOKEN=\$\(openssl rand -hex 32\) docker compose -f \S+ up --build$/)
  })
})
