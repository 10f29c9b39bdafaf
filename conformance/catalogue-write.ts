import { readFileSync, writeFileSync } from 'node:fs'
import { allChecks } from './checks/index.ts'
import { renderCatalogue, replaceCatalogue } from './catalogue.ts'

// `npm run catalogue`: rewrites the README's check table from the checks themselves.
const path = new URL('../README.md', import.meta.url)
writeFileSync(path, replaceCatalogue(readFileSync(path, 'utf8'), renderCatalogue(allChecks)))
