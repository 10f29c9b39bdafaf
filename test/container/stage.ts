/**
 * The image's file system without a container engine: a folder laid out as the Dockerfile's last stage lays out its
 * own, from the same instructions. Each COPY of the build context copies what .dockerignore lets in; the COPY from the
 * dependency stage (`npm ci --omit=dev`) copies the packages package-lock.json does not mark as development ones,
 * from this checkout's node_modules. A command run there finds only what the image would hold, so a file the image
 * lacks, or a development package the kit needs at run time, fails it as it would fail the image.
 */
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { tempDir } from '../interop/support.ts'
import { contextFiles, type DockerfilePlan } from './dockerfile.ts'

export interface StagedImage {
  /** The folder that stands for the image's `/`. */
  root: string
  /** The image's working directory, under root. */
  workdir: string
  remove(): void
}

/** The packages `npm ci --omit=dev` installs: every package-lock.json entry not marked dev. */
export function productionPackages(checkout: string): string[] {
  const lock = JSON.parse(readFileSync(join(checkout, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.dev !== true)
    .map(([path]) => path)
}

/** `context` is the build context; the production packages come from `modules`' node_modules and package-lock.json. */
export function stageImage(context: string, plan: DockerfilePlan, modules: string): StagedImage {
  const staged = tempDir('image')
  const inImage = (path: string) => join(staged.path, path)
  const resolve = (destination: string) => (posix.isAbsolute(destination) ? destination : posix.join(plan.image.workdir, destination))
  for (const copy of plan.image.copies) {
    const destination = resolve(copy.destination)
    if (copy.from !== undefined) {
      // The dependency stage's only product is node_modules; its packages, not its files, are what matter here.
      if (!copy.sources.every((source) => source.endsWith('node_modules')))
        throw new Error(`COPY --from=${copy.from} ${copy.sources.join(' ')}: this test stages only node_modules from another stage`)
      for (const path of productionPackages(modules)) {
        const from = join(modules, path)
        if (existsSync(from)) cpSync(from, inImage(join(destination, path.slice('node_modules/'.length))), { recursive: true, dereference: false })
      }
      continue
    }
    for (const source of copy.sources) {
      const files = contextFiles(context, source)
      if (files.length === 0) throw new Error(`COPY ${source}: nothing in the build context (missing, or left out by .dockerignore)`)
      const single = files.length === 1 && files[0] === source
      for (const file of files) {
        // A folder's contents land in the destination (COPY bin ./bin); a file lands in a destination folder by name.
        const target = single
          ? destination.endsWith('/')
            ? posix.join(destination, posix.basename(file))
            : destination
          : posix.join(destination, posix.relative(source, file))
        mkdirSync(dirname(inImage(target)), { recursive: true })
        cpSync(join(context, file), inImage(target))
      }
    }
  }
  // A temporary folder is the owner's alone; the image's files are readable by the unprivileged user it runs as.
  chmodSync(staged.path, 0o755)
  return { root: staged.path, workdir: inImage(plan.image.workdir), remove: staged.remove }
}

/**
 * A folder the image's user owns, as the Dockerfile's `chown` of /data makes it, inside `parent` (a temporary folder,
 * opened to others so that user can reach it, as / is in the image).
 */
export function ownedBy(parent: string, name: string, uid: number, gid: number): string {
  chmodSync(parent, 0o755)
  const path = join(parent, name)
  mkdirSync(path, { recursive: true })
  chownSync(path, uid, gid)
  return path
}
