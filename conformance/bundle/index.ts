/** What other commands use of bundles: `nwa check --bundle` here, `nwa grade --bundle`, `nwa verify`, `nwa keygen`, `nwa diff`. */
export {
  makeBundle,
  predicateType,
  reportFile,
  statementFile,
  subjectOf,
  verifyBundle,
  type BundleReport,
  type BundleSubject,
  type BundleVerification,
} from './bundle.ts'
export { generateSigningKeys, keyId, readPrivateKey, readPublicKey } from './dsse.ts'
export { createFullEvidenceFile, defaultFullEvidenceLimits, type FullEvidenceFile } from './evidence-file.ts'
export { readTar } from './tar.ts'
export { configFile, evidenceFile, redactAccounts, writeBundle, type WriteBundleOptions } from './write.ts'
