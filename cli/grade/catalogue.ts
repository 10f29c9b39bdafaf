/**
 * docs/grading.md's generated tables: the scenarios (mock/grade/scenarios.ts) and the judgments (conformance/grade/),
 * written by `npm run catalogue` and held in step by a test, so the page restates neither by hand.
 */
import { replaceMarkedBlock } from '../../conformance/catalogue.ts'
import { renderJudgmentCatalogue, judgmentCatalogueMarkers } from '../../conformance/grade/catalogue.ts'
import { allJudgments } from '../../conformance/grade/index.ts'
import { scenarioCatalogue } from '../../mock/grade/index.ts'

export const scenarioTableMarkers = { start: '<!-- scenarios:start -->', end: '<!-- scenarios:end -->' } as const

export function renderScenarioTable(): string {
  const rows = scenarioCatalogue.map(
    (scenario) =>
      `| \`${scenario.name}\` | ${scenario.summary.replace(/\|/g, '\\|')} | ${scenario.backlog.toLocaleString('en-US')} | ${scenario.needsLauncher ? 'no' : 'yes'} |`,
  )
  return ['| scenario | the trouble, and what the connector must do | records | passive |', '| --- | --- | ---: | --- |', ...rows].join('\n')
}

/** The page with both tables as the catalogues say. */
export function refreshGradingPage(page: string): string {
  const withScenarios = replaceMarkedBlock(page, scenarioTableMarkers, 'scenario table', renderScenarioTable())
  return replaceMarkedBlock(withScenarios, judgmentCatalogueMarkers, 'judgment catalogue', renderJudgmentCatalogue(allJudgments))
}
