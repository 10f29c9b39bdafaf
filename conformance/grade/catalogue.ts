import type { Judgment } from './types.ts'

/** The judgment catalogue as a Markdown table, for docs/grading.md; a test keeps the page's copy in step. */
export function renderJudgmentCatalogue(judgments: readonly Judgment[]): string {
  const rows = judgments.map(
    (judgment) =>
      `| \`${judgment.id}\` | ${judgment.level} | ${judgment.decision ?? ''} | ${judgment.role ?? 'any'} | ${judgment.title.replace(/\|/g, '\\|')} | ${judgment.requirements.join(', ')} |`,
  )
  return ['| id | level | decision | role | judges | requirements |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}

export const judgmentCatalogueMarkers = { start: '<!-- judgments:start -->', end: '<!-- judgments:end -->' } as const
