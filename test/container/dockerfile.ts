/**
 * The Dockerfile as the container tests read it: its stages and what the last one (the image) declares, parsed by
 * dockerfile-ast (the parser behind VS Code's Docker support), and the build context .dockerignore leaves. Where no
 * container engine runs, these are what the tests can hold the file to (docs/container.md, "What was verified").
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast'
import { globSync } from 'tinyglobby'

export interface CopyStep {
  /** The stage named by --from, when the files come from another stage. */
  from?: string
  sources: string[]
  destination: string
  /** The owner --chown gives the files, when any. */
  chown?: string
}

export interface ImageStage {
  base: string
  name?: string
  workdir: string
  user?: string
  copies: CopyStep[]
  runs: string[]
  volumes: string[]
  exposed: string[]
  env: Record<string, string>
  healthcheck?: string[]
  entrypoint?: string[]
  cmd?: string[]
}

export interface DockerfilePlan {
  args: Record<string, string>
  stages: ImageStage[]
  /** The last stage: what `docker build` makes the image of. */
  image: ImageStage
}

/** An exec-form (JSON) instruction's words, or the shell form's text as one word. */
function words(instruction: Instruction): string[] {
  const json = (instruction as JSONInstruction).getJSONStrings?.()
  if (json !== undefined && json.length > 0) return json.map((argument) => argument.getJSONValue())
  const content = instruction.getArgumentsContent()
  return content === null ? [] : [content]
}

/** `${NAME}` and `$NAME` from the file's ARGs, as the build would substitute their defaults. */
function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => args[(braced ?? bare) as string] ?? whole)
}

export function readDockerfile(content: string): DockerfilePlan {
  const dockerfile = DockerfileParser.parse(content)
  const args: Record<string, string> = {}
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty()
    if (property !== null) args[property.getName()] = property.getValue() ?? ''
  }
  const stages: ImageStage[] = []
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword()
    const values = instruction.getArguments().map((argument) => argument.getValue())
    if (keyword === 'FROM') {
      const as = values.findIndex((value) => value.toUpperCase() === 'AS')
      stages.push({
        base: substitute(values[0] ?? '', args),
        ...(as >= 0 && values[as + 1] !== undefined ? { name: values[as + 1] } : {}),
        workdir: '/',
        copies: [],
        runs: [],
        volumes: [],
        exposed: [],
        env: {},
      })
      continue
    }
    const stage = stages.at(-1)
    if (stage === undefined) continue
    const flags = Object.fromEntries(
      ('getFlags' in instruction ? (instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags() : []).map(
        (flag) => [flag.getName(), flag.getValue() ?? ''],
      ),
    )
    const plain = values.filter((value) => !value.startsWith('--'))
    switch (keyword) {
      case 'WORKDIR':
        stage.workdir = plain[0] ?? stage.workdir
        break
      case 'USER':
        stage.user = plain[0] as string
        break
      case 'COPY':
        stage.copies.push({
          ...(flags['from'] === undefined ? {} : { from: flags['from'] }),
          ...(flags['chown'] === undefined ? {} : { chown: flags['chown'] }),
          sources: plain.slice(0, -1),
          destination: plain.at(-1) ?? '',
        })
        break
      case 'RUN':
        stage.runs.push(instruction.getArgumentsContent() ?? '')
        break
      case 'VOLUME':
        stage.volumes.push(...words(instruction).flatMap((word) => word.split(/\s+/)))
        break
      case 'EXPOSE':
        stage.exposed.push(...plain)
        break
      case 'ENV':
        // `ENV NAME=value …`, or the older `ENV NAME value with spaces`.
        if (plain[0]?.includes('=')) for (const pair of plain) stage.env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1)
        else if (plain[0] !== undefined) stage.env[plain[0]] = plain.slice(1).join(' ')
        break
      case 'HEALTHCHECK': {
        // Its options come first, then CMD and the command, whose exec form is JSON.
        const command = /\bCMD\s+(.*)$/s.exec(instruction.getArgumentsContent() ?? '')?.[1]?.trim() ?? ''
        stage.healthcheck = command.startsWith('[') ? (JSON.parse(command) as string[]) : [command]
        break
      }
      case 'ENTRYPOINT':
        stage.entrypoint = words(instruction)
        break
      case 'CMD':
        stage.cmd = words(instruction)
        break
    }
  }
  const image = stages.at(-1)
  if (image === undefined) throw new Error('the Dockerfile has no FROM')
  return { args, stages, image }
}

/**
 * The files of `source` (a file or a folder of the build context) that .dockerignore lets into the context. The
 * patterns are the subset this repository's .dockerignore uses: a path or glob matches itself and, if a folder,
 * everything under it; `!` exceptions are refused rather than half-supported.
 */
export function contextFiles(root: string, source: string): string[] {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not read by this test')
  const ignore = patterns.flatMap((pattern) => [pattern, `${pattern}/**`])
  return globSync([source, `${source}/**`], { cwd: root, ignore, dot: true, onlyFiles: true })
}
