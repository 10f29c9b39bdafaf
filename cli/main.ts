import { randomBytes } from 'node:crypto'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { banner, describeStartFailure, mockOptionsFromFlags, requestPrinter, type MockFlags } from './mock.ts'
import { startMockServer } from '../mock/server.ts'
import { NwaError } from '../openapi/errors.ts'
import { runCheckCommand, type CheckCommandOptions } from '../conformance/command.ts'
import { packageVersion } from '../conformance/meta.ts'
import { runKeygen, runVerify, type KeygenOptions, type VerifyOptions } from '../conformance/bundle/commands.ts'
import { runDiff, type DiffOptions } from '../conformance/diff-command.ts'
import { runReplay, startRecord, type RecordOptions, type ReplayCommandOptions } from '../conformance/recording/commands.ts'
import { demoAccounts, demoGroups } from './demo.ts'
import { runGradeCommand, type GradeCommandOptions } from './grade/command.ts'
import { createPassiveSetup, feedGradePanel, passiveScenario } from './grade/passive.ts'
import { runGradeSelftest, type GradeSelftestOptions } from './grade/selftest.ts'
import { loadContract } from '../openapi/contract.ts'
import { createPayloadCodec } from '../openapi/payload.ts'
import { runSelftest, type SelftestOptions } from './selftest.ts'
import { runValidate, type ValidateFlags } from './validate.ts'
import { bodyKindNames } from '../openapi/body-kind.ts'
import { defaults } from '../mock/options.ts'

/** Every error line starts with the command that printed it: `nwa mock: ...`, `nwa check: ...`, `nwa: ...`. */
function prefixed(command: Command, prefix: string): Command {
  return command.configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${prefix}: `)) })
}

/** A command-line number checked while the line is parsed, so a mistake stops the command before anything starts. */
function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new InvalidArgumentError(`It must be a whole number from ${min}.`)
    return Number(text)
  }
}

/**
 * The CLI composes the two halves: `nwa mock` serves the reference server, `nwa check` runs the
 * conformance suite — against --target, or against an embedded mock it starts itself — and `nwa selftest`
 * checks the suite itself against the mock's seeded defects.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0
  const processIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }
  const program = new Command('nwa')
    .description('Contract, reference mock server and conformance suite for the Netwrix Auditor Integration API v1')
    .version(packageVersion(), '-V, --version', 'print the nwa-kit version')
    .exitOverride()
    .showHelpAfterError()
  prefixed(program, 'nwa')

  prefixed(program.command('mock'), 'nwa mock')
    .description('run the reference mock server until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '9699')
    .option('--no-tls', 'serve plain HTTP instead of HTTPS')
    .option('--cert <file>', 'PEM certificate to serve instead of the generated one')
    .option('--key <file>', 'PEM private key for --cert')
    .option('--directory <file>', 'users, groups, roles, folders and monitoring plans (YAML or JSON)')
    .option('--seed <file|dir|none>', "initial data: 'demo', a file or directory of bodies, or 'none'", 'demo')
    .addOption(
      new Option('--store <store>', 'where the records live: memory, or a postgres://user@host:port/db URL several instances can share')
        .env('NWA_STORE')
        .default('memory'),
    )
    .option('--data-dir <dir>', 'keep the Long-Term Archive journal here (memory only without it)')
    .option('--max-body <bytes>', 'larger request bodies get 413 (default 52428800)')
    .option('--max-count <n>', 'largest count accepted (default 10000)')
    .option('--journal-entries <n>', 'requests the request journal keeps (default 1000)')
    .option('--journal-bytes <bytes>', 'bytes the request journal keeps in all (default 4194304)')
    .option('--header-timeout <ms>', 'time a client has to send its request headers before a 408 (default 120000, as HTTP.sys)')
    .option('--auth <schemes>', 'enabled schemes in challenge order (default Negotiate,NTLM,Digest,Basic)')
    .option('--ntlm-v1', 'accept NTLMv1 responses (off: NTLMv2 only)')
    .option('--control', 'serve the /nwa/ control endpoints (health, reset, fixtures, clock, faults)')
    .addOption(
      new Option('--control-token <token>', 'the token the control endpoints require (made and printed when none is given and --host is not loopback)').env(
        'NWA_CONTROL_TOKEN',
      ),
    )
    .option('--license-expired', 'fault: 500 ServerError on every endpoint')
    .option('--audit-db-unreachable', 'fault: 500 ServerError 0x80040C0A on every endpoint')
    .addOption(new Option('--archive <state>', 'fault: the Archive Service state').choices(['ok', 'busy', 'unreachable']))
    .option('--latency <ms|min-max>', 'fault: added delay per request')
    .option('--fault-rate <0..1>', 'fault: fraction of requests that fail with 500')
    .option('--drop-rate <0..1>', 'fault: fraction of requests whose connection is dropped mid-response')
    .option('--fault-seed <n>', 'seed for the fault draws, so runs repeat', '1')
    .addOption(new Option('--log <format>', 'the request journal on stdout: a line per request, or NDJSON').choices(['pretty', 'json']).default('pretty'))
    .option('--quiet', 'print no request journal (GET /nwa/requests still keeps it)')
    .option('--defect <names>', 'switch on seeded defects (comma-separated; nwa selftest --list names them): a deliberately broken server')
    .option('--grade [scenario]', 'grade whatever connector talks to it under a scenario (default steady): GET /nwa/grade, reports on Ctrl-C')
    .option('--grade-report-dir <dir>', 'where --grade writes its reports', 'reports')
    .option('--time-scale <factor>', "with --grade: the scenario's latency and quiet periods times this (default 1)")
    .action(async (flags: MockFlags) => {
      const parsed = mockOptionsFromFlags(flags)
      if (!parsed.ok) {
        process.stderr.write(parsed.errors.map((error) => `nwa mock: ${error}\n`).join(''))
        exitCode = 2
        return
      }
      const clock = { now: Date.now, monotonic: () => performance.now(), random: (n: number) => randomBytes(n) }
      const scenario = flags.grade === undefined ? undefined : passiveScenario(flags.grade)
      const passive =
        scenario?.ok === true
          ? createPassiveSetup(
              {
                scenario: scenario.name,
                timeScale: Number(flags.timeScale ?? '1'),
                reportDir: flags.gradeReportDir ?? 'reports',
                codec: createPayloadCodec(await loadContract()),
              },
              clock,
            )
          : undefined
      let running: Awaited<ReturnType<typeof startMockServer>> | undefined
      // With --control as well, the inspector page shows the grade so far (docs/inspector.md).
      const panelFeed =
        passive === undefined || scenario?.ok !== true
          ? undefined
          : feedGradePanel(passive, scenario.name, () => (flags.control ? running?.app.gradePanel : undefined))
      try {
        running = await startMockServer({
          ...parsed.options,
          onRequest: requestPrinter(flags, process.stdout),
          ...(passive === undefined ? {} : { observe: panelFeed?.observer ?? passive.grading.recorder, controlRoutes: passive.grading.routes }),
        })
      } catch (error) {
        if (!(error instanceof NwaError)) throw error
        process.stderr.write(`nwa mock: ${describeStartFailure(error, flags)}\n`)
        exitCode = 2
        return
      }
      const started = running
      passive?.grading.start(started.url, (decorators) => started.app.decorate(decorators))
      panelFeed?.refresh()
      process.stdout.write(`${banner(running, await running.app.state.counts())}\n`)
      if (passive !== undefined && scenario?.ok)
        process.stdout.write(
          `  grading     scenario ${scenario.name}: GET ${running.url}/nwa/grade; the reports go to ${flags.gradeReportDir ?? 'reports'} on Ctrl-C\n`,
        )
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      if (passive !== undefined) {
        panelFeed?.close()
        passive.grading.close()
        const result = passive.grade()
        const files = await passive.report()
        process.stdout.write(`nwa mock: grade ${result.verdict.verdict} (${result.verdict.summary}); reports: ${files.join(', ')}\n`)
      }
      await running.close()
    })

  prefixed(program.command('check'), 'nwa check')
    .description('run the conformance suite against --target, or against an embedded mock when none is given')
    .option('--target <url>', 'scheme://host:port of the server to check')
    .option('--user <name>', 'the Global administrator account, DOMAIN\\user')
    .option('--password <password>', "its password (or 'env:NAME')")
    .option('--config <file>', 'JSON or YAML with target, accounts and groups')
    .addOption(new Option('--auth <scheme>', 'authentication scheme').choices(['basic', 'digest', 'ntlm', 'auto']).default('auto'))
    .option('--insecure', 'accept any TLS certificate')
    .option('--ca <file>', 'trust this CA certificate (PEM)')
    .option('--write', 'allow checks that write records (permanent on a real audit database)')
    .option('--destructive', 'allow the 50 MB 413 probe')
    .option('--only <ids...>', 'run only these check ids, id prefixes ending in * or tags')
    .option('--skip <ids...>', 'skip these check ids, prefixes or tags')
    .option('--baseline <file>', 'known failures: a YAML list of { check, reason, expires }, or one check id per line')
    .option('--baseline-update', 'rewrite the --baseline file with the checks that fail or warn in this run')
    .option('--report-dir <dir>', 'where the reports go', 'reports')
    .addOption(new Option('--fail-on <level>', 'exit 1 on a MUST failure, or also on a warning').choices(['must', 'warn']).default('must'))
    .option('--allow-incomplete', 'exit 0 on INCOMPLETE when the MUST checks that did not run were skipped for a stated reason (read-only runs)')
    .option('--max-pages <n>', 'pages a pagination check follows before calling a server endless', wholeNumber(1), 50)
    .option('--timeout <duration>', 'how long one request may take (90s, 2m; default 30s)')
    .option('--deadline <duration>', 'how long the whole run may take, pre-flight included (10m, 1h); none by default')
    .option('--max-response <bytes>', 'the most bytes read of one response (default 67108864, 64 MiB)', wholeNumber(1))
    .option('--bundle <file>', 'also write a certification bundle: reports, full evidence, contract, configuration and a signed statement')
    .option('--sign-key <file>', 'Ed25519 private key (PEM, from nwa keygen) that signs the bundle; unsigned without it')
    .action(async (flags: Record<string, unknown>) => {
      const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, now: Date.now, random: (n: number) => randomBytes(n) }
      const { timeout, maxResponse, ...rest } = flags
      const options = {
        ...(rest as unknown as CheckCommandOptions),
        ...(timeout === undefined ? {} : { timeoutMs: String(timeout) }),
        ...(maxResponse === undefined ? {} : { maxResponseBytes: Number(maxResponse) }),
      }
      if (options.target || options.config) {
        exitCode = await runCheckCommand(options, io)
        return
      }
      // No target: the first-run demo checks the embedded reference mock; writes and the 413 probe are allowed (it is ours).
      const running = await startMockServer({ host: '127.0.0.1', port: 0, tls: false, seed: 'demo' })
      try {
        process.stdout.write(`nwa check: no --target, checking the embedded reference mock at ${running.url}\n`)
        exitCode = await runCheckCommand({ ...options, target: running.url, write: true, destructive: true, accounts: demoAccounts, groups: demoGroups }, io)
      } finally {
        await running.close()
      }
    })

  prefixed(program.command('grade'), 'nwa grade')
    .description('certify a connector: the reference mock plays the server, runs the connector through scenarios of trouble and judges its traffic')
    .option(
      '--connector <command>',
      'the command that runs the connector (through the shell; NWA_URL, NWA_USER, NWA_PASSWORD, NWA_CA_FILE, NWA_STATE_DIR tell it where)',
    )
    .option('--scenario <names>', 'scenarios to run, comma-separated (default all: steady, busy-archive, server-errors, cut-connections, restart, auth, slow)')
    .addOption(
      new Option('--role <role>', 'what the connector is: its judgments of another role are not applicable (default: as it shows itself)').choices([
        'reader',
        'writer',
        'both',
      ]),
    )
    .option('--timeout <seconds>', 'how long one scenario may take (seconds, or 90s, 2m; default 60)')
    .option('--time-scale <factor>', "the scenarios' latency and quiet periods times this (0.5: twice as fast; default 1)")
    .option('--no-tls', 'serve plain HTTP instead of HTTPS')
    .option('--report-dir <dir>', 'where the four reports go', 'reports')
    .addOption(new Option('--fail-on <level>', 'exit 1 on a MUST failure, or also on a warning').choices(['must', 'warn']).default('must'))
    .option('--bundle <file>', 'also write a certification bundle: reports, every exchange, contract, configuration and a signed statement')
    .option('--sign-key <file>', 'Ed25519 private key (PEM, from nwa keygen) that signs the bundle; unsigned without it')
    .option('--selftest', 'grade the sample connectors, clean and with each seeded defect, and print which judgments catch each')
    .option('--only <names>', 'with --selftest: these defects only (names, sample:ID or scenario:NAME, comma-separated)')
    .option('--list', 'with --selftest: print the seeded defects and stop')
    .option('--markdown', 'with --selftest: print the detection matrix as Markdown on stdout (progress goes to stderr)')
    .action(async (flags: GradeCommandOptions & GradeSelftestOptions & { selftest?: boolean }) => {
      const io = {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        now: Date.now,
        monotonic: () => performance.now(),
        random: (n: number) => randomBytes(n),
      }
      if (flags.selftest) {
        exitCode = await runGradeSelftest(flags, io)
        return
      }
      if (flags.only !== undefined || flags.list || flags.markdown) {
        process.stderr.write('nwa grade: --only, --list and --markdown go with --selftest\n')
        exitCode = 2
        return
      }
      exitCode = await runGradeCommand(flags, io)
    })

  prefixed(program.command('keygen'), 'nwa keygen')
    .description('make an Ed25519 key pair for signing bundles: PREFIX.key (private) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'where the two files go')
    .option('--passphrase <env:NAME>', 'encrypt the private key with the value of this environment variable')
    .action((flags: KeygenOptions) => {
      exitCode = runKeygen(flags, processIo)
    })

  prefixed(program.command('verify'), 'nwa verify')
    .description("check a bundle: its signature with --key, every file's digest, and that the statement's verdict is the report's")
    .argument('<bundle>', 'the archive nwa check --bundle wrote')
    .option('--key <file>', 'the public key (PEM) whose signature the bundle must carry')
    .action((file: string, flags: VerifyOptions) => {
      exitCode = runVerify(file, flags, processIo)
    })

  prefixed(program.command('diff'), 'nwa diff')
    .description('what changed between two runs: newly failing, fixed, new and removed checks, level, decision and target changes; exit 1 on a regression')
    .argument('<old>', 'the earlier report: conformance.json, its report directory, or a bundle')
    .argument('<new>', 'the later report, in any of the same forms')
    .option('--markdown <file>', 'also write the Markdown (for a pull-request comment) to this file')
    .option('--json <file>', 'write the diff as JSON to this file')
    .action((older: string, newer: string, flags: DiffOptions) => {
      exitCode = runDiff(older, newer, flags, processIo)
    })

  prefixed(program.command('record'), 'nwa record')
    .description('a recording proxy: forwards to --target and writes every exchange to a HAR 1.2 file, credentials removed')
    .requiredOption('--target <url>', 'the real server, scheme://host:port')
    .requiredOption('--listen <port>', 'the port clients connect to (plain HTTP; 0: any free port)')
    .requiredOption('--out <file>', 'the HAR file to write')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--insecure', "accept any certificate of the target's")
    .option('--ca <file>', "trust this PEM for the target's certificate")
    .option('--max-body <bytes>', 'of each body, the recording keeps this many bytes (default 1048576)', wholeNumber(0))
    .option('--quiet', 'print no line per exchange')
    .action(async (flags: RecordOptions) => {
      const proxy = await startRecord(flags, processIo)
      if (proxy === 2) {
        exitCode = 2
        return
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve())
        process.once('SIGTERM', () => resolve())
      })
      await proxy.close()
      process.stdout.write(`nwa record: ${proxy.entries()} exchanges in ${flags.out}\n`)
    })

  prefixed(program.command('replay'), 'nwa replay')
    .description('send the requests of a recording to another server and report, exchange by exchange, where the answers differ')
    .argument('<har>', 'the recording (nwa record --out)')
    .requiredOption('--target <url>', 'the server to replay against, scheme://host:port')
    .option('--user <name>', 'an account of the recording, DOMAIN\\user')
    .option('--password <password>', "its password (or 'env:NAME'; default NWA_PASSWORD)")
    .option('--config <file>', 'the accounts of nwa check --config: every user of the recording needs its password')
    .option('--write', 'also send the recorded writes (permanent on a real audit database)')
    .option('--insecure', 'accept any TLS certificate')
    .option('--ca <file>', 'trust this CA certificate (PEM)')
    .option('--timeout <duration>', 'how long one request may take (default 30s)')
    .option('--json <file>', 'write the comparison as JSON')
    .option('--markdown <file>', 'write the comparison as Markdown')
    .action(async (file: string, flags: ReplayCommandOptions) => {
      exitCode = await runReplay(file, flags, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        now: Date.now,
        random: (n: number) => randomBytes(n),
      })
    })

  prefixed(program.command('validate'), 'nwa validate')
    .description('check bodies a client sends (write bodies, search parameters, continuation marks) offline, as the mock judges them')
    .argument('[files...]', 'files, directories (their .xml and .json files), globs such as "bodies/**/*.xml", or - for standard input')
    .addOption(new Option('--kind <kind>', 'what the bodies are (default: told from each body)').choices(bodyKindNames))
    .addOption(new Option('--format <format>', 'how they are written (default: the file extension, else the first character)').choices(['xml', 'json']))
    .addOption(new Option('--report <format>', 'a line per file and problem, or one JSON document').choices(['text', 'json']).default('text'))
    .option('--max-body <bytes>', 'larger bodies are refused as the mock refuses them, with 413', wholeNumber(1), defaults.maxBody)
    .action(async (files: string[], flags: ValidateFlags) => {
      exitCode = await runValidate(files, flags, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() })
    })

  prefixed(program.command('selftest'), 'nwa selftest')
    .description('run the suite against the reference mock, clean and with each seeded defect on, and print which checks catch each')
    .option('--only <names...>', 'run only these defects (names, or family:NAME)')
    .option('--list', 'print the defect catalogue and exit')
    .option('--markdown', 'print the detection matrix as Markdown on stdout (progress goes to stderr)')
    .option('--report-dir <dir>', 'where selftest.md and selftest.json go', 'reports')
    .addOption(new Option('--store <store>', "the embedded mock's store: memory, or a postgres:// URL").env('NWA_STORE').default('memory'))
    .action(async (flags: SelftestOptions) => {
      exitCode = await runSelftest(flags, { stdout: process.stdout, stderr: process.stderr, now: Date.now, random: (n: number) => randomBytes(n) })
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    process.stderr.write(`nwa: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  return exitCode
}
