import { readFileSync, writeFileSync } from 'node:fs'
import { refreshGradingPage } from './catalogue.ts'

// Part of `npm run catalogue`: rewrites docs/grading.md's scenario and judgment tables from the catalogues.
const path = new URL('../../docs/grading.md', import.meta.url)
writeFileSync(path, refreshGradingPage(readFileSync(path, 'utf8')))
