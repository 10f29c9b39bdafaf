/**
 * What `nwa grade` and its self-test share: a reference mock with a grading recorder on, and the scenarios run one
 * after another against a connector command, each with its own state directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ScenarioOutcome } from '../../conformance/grade/index.ts'
import { createGradeRecorder, type GradeRecorder, type ScenarioDefinition } from '../../mock/grade/index.ts'
import { type RunningMock, startMockServer } from '../../mock/server.ts'
import type { PayloadCodec } from '../../openapi/payload.ts'
import { createPayloadCodec } from '../../openapi/payload.ts'
import { demoAccounts } from '../demo.ts'
import { launchConnector } from './launch.ts'
import { runScenario } from './orchestrate.ts'

export type DeclaredRole = 'reader' | 'writer' | 'both'

/** The demo account a connector gets: the least role its declared role needs (api/endpoints.md), the administrator otherwise. */
export function accountFor(role: DeclaredRole | undefined): { user: string; password: string } {
  const account = role === 'reader' ? demoAccounts.reviewer : role === 'writer' ? demoAccounts.contributor : demoAccounts.administrator
  if (account === undefined) throw new Error('the demo directory lacks an account the grader needs')
  return { user: account.user, password: account.password }
}

export interface GradeServer {
  running: RunningMock
  recorder: GradeRecorder
  codec: PayloadCodec
  /** The PEM of the server's certificate, for NWA_CA_FILE; '' over plain HTTP. */
  caFile: string
  /** Scratch space: the certificate, the connector's state directories. */
  workDir: string
  close(): Promise<void>
}

export interface GradeClock {
  /** ms, monotonic. */
  monotonic: () => number
  /** ms since the epoch. */
  now: () => number
  random: (bytes: number) => Buffer
}

/** A reference mock for grading on a free port of 127.0.0.1, empty (each scenario loads its backlog), recording every exchange. */
export async function startGradeServer(options: { tls: boolean }, clock: GradeClock): Promise<GradeServer> {
  const recorder = createGradeRecorder({ now: clock.monotonic, wallClock: clock.now })
  const workDir = mkdtempSync(join(tmpdir(), 'nwa-grade-'))
  const running = await startMockServer({ host: '127.0.0.1', port: 0, tls: options.tls, seed: 'none', observe: recorder, random: clock.random })
  const caFile = running.certificate === undefined ? '' : join(workDir, 'server.pem')
  if (running.certificate !== undefined) writeFileSync(caFile, running.certificate.certPem)
  return {
    running,
    recorder,
    codec: createPayloadCodec(running.app.contract),
    caFile,
    workDir,
    async close() {
      await running.close()
      rmSync(workDir, { recursive: true, force: true })
    },
  }
}

export interface GradeSpec {
  command: string
  scenarios: readonly ScenarioDefinition[]
  role?: DeclaredRole
  timeScale: number
  timeoutMs: number
  env?: Readonly<Record<string, string>>
  progress?: (line: string) => void
}

/** Every scenario of `spec` against its connector, in order, each in a state directory of its own. */
export async function runScenarios(server: GradeServer, spec: GradeSpec, clock: GradeClock): Promise<ScenarioOutcome[]> {
  const account = accountFor(spec.role)
  const workDir = mkdtempSync(join(server.workDir, 'run-'))
  const outcomes: ScenarioOutcome[] = []
  for (const definition of spec.scenarios) {
    outcomes.push(
      await runScenario({
        definition,
        app: server.running.app,
        codec: server.codec,
        recorder: server.recorder,
        url: server.running.url,
        command: spec.command,
        target: (stateDir) => ({
          NWA_URL: server.running.url,
          NWA_USER: account.user,
          NWA_PASSWORD: account.password,
          NWA_CA_FILE: server.caFile,
          NWA_STATE_DIR: stateDir,
        }),
        workDir,
        timeScale: spec.timeScale,
        timeoutMs: spec.timeoutMs,
        random: clock.random,
        ...(spec.env === undefined ? {} : { env: spec.env }),
        launch: launchConnector,
        now: clock.monotonic,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        ...(spec.progress === undefined ? {} : { progress: spec.progress }),
      }),
    )
  }
  return outcomes
}
