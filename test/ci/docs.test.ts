import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { scenarioCatalogue } from '../../mock/grade/index.ts'
import { exampleBlocks } from '../helpers/doc-examples.ts'
import { root } from './kit-copy.ts'

/**
 * docs/ci.md's examples, as far as they can be run without GitHub or GitLab: each parses, and names only the action's
 * inputs and outputs, the template's file and its variables. The action and the template themselves are run by
 * github-action.test.ts and gitlab-template.test.ts.
 */
const page = readFileSync(join(root, 'docs', 'ci.md'), 'utf8')
const blocks = exampleBlocks(page)
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
const template = parse(readFileSync(join(root, 'ci', 'gitlab', 'nwa.gitlab-ci.yml'), 'utf8')) as Record<string, { variables?: Record<string, string> }>
const example = (kind: string) => blocks.find((block) => block.kind === kind)?.text ?? ''

/** A YAML fragment cut from a larger file, its common indentation removed. */
function dedent(text: string): string {
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => /^ */.exec(line)?.[0].length ?? 0),
  )
  return text
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n')
}

type Step = { uses?: string; id?: string; with?: Record<string, unknown>; run?: string }

describe('docs/ci.md examples', () => {
  it('marks every block with what it is', () => {
    expect(blocks.filter((block) => block.kind === '').map((block) => block.text.split('\n')[0])).toEqual([])
  })

  it('the workflow uses the action with its own inputs and reads its own outputs', () => {
    const workflow = parse(example('github-workflow')) as { jobs: Record<string, { steps: Step[] }> }
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
    const nwa = steps.find((step) => step.uses?.startsWith('OWNER/nwa-kit@')) as Step
    expect(Object.keys(nwa.with ?? {}).filter((input) => !(input in action.inputs))).toEqual([])
    expect(nwa.with?.['password']).toMatch(/^\$\{\{ secrets\.NWA_PASSWORD \}\}$/)
    const read = [...example('github-workflow').matchAll(/steps\.nwa\.outputs\.([\w-]+)/g)].map((match) => match[1] as string)
    expect(read.length).toBeGreaterThan(0)
    expect(read.filter((output) => !(output in action.outputs))).toEqual([])
    expect(steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))?.with?.['path']).toBe('nwa-reports/')
  })

  it('the grade step and job name the command, the connector and scenarios that exist', () => {
    const steps = parse(dedent(example('github-grade'))) as Step[]
    const step = steps.find((one) => one.uses?.startsWith('OWNER/nwa-kit@'))
    expect(Object.keys(step?.with ?? {}).filter((input) => !(input in action.inputs))).toEqual([])
    expect(step?.with).toMatchObject({ command: 'grade', connector: 'python3 connector.py' })
    const scenarios: string[] = scenarioCatalogue.map((scenario) => scenario.name)
    expect(
      String(step?.with?.['scenario'])
        .split(',')
        .filter((name) => !scenarios.includes(name)),
    ).toEqual([])
    expect(String(step?.with?.['args']).trim().split('\n')).toEqual(['--time-scale', '0.5'])
    const job = (parse(example('gitlab-grade')) as Record<string, { extends: string; variables: Record<string, string> }>)['nwa-grade']
    expect(job?.extends).toBe('.nwa')
    const known = Object.keys(template['.nwa']?.variables ?? {})
    expect(Object.keys(job?.variables ?? {}).filter((variable) => !known.includes(variable))).toEqual([])
    expect(
      String(job?.variables['NWA_SCENARIO'])
        .split(',')
        .filter((name) => !scenarios.includes(name)),
    ).toEqual([])
  })

  it('the pipeline includes the template that exists and sets only its variables (and the masked password)', () => {
    const pipeline = parse(example('gitlab-pipeline')) as { include: { file: string }[]; 'nwa-check': { variables: Record<string, string> } }
    expect(existsSync(join(root, pipeline.include[0]?.file ?? 'missing'))).toBe(true)
    const known = Object.keys(template['.nwa']?.variables ?? {})
    expect(Object.keys(pipeline['nwa-check'].variables).filter((variable) => !known.includes(variable))).toEqual([])
    expect(template['nwa-check']).toBeDefined()
  })
})
