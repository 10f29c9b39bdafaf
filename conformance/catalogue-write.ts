import { readFileSync, writeFileSync } from 'node:fs'
import { allChecks } from './checks/index.ts'
import { renderCatalogue, replaceCatalogue } from './catalogue.ts'

// `npm run catalogue`: rewrites the check table of docs/check.md from the checks themselves.
const path = new URL('../docs/check.md', import.meta.url)
writeFileSync(path, replaceCatalogue(readFileSync(path, 'utf8'), renderCatalogue(allChecks)))
