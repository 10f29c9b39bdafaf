import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats ships CommonJS typings whose default export TypeScript sees as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

/** The published report schema, compiled as strictly as a consumer of conformance.json would. */
export const validateReport = addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(
  JSON.parse(readFileSync(new URL('../../conformance/report.schema.json', import.meta.url), 'utf8')) as object,
)
